// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version history on a thread of its own: recording a check-in reads and
// hashes whole files (a CAM program can be a gigabyte), which must never
// stall the event loop. Jobs run one at a time in the order given, so a
// check-in recorded first is committed first. The store is touched on the
// history thread only; results come back to the event loop.

#include <exception>
#include <memory>
#include <utility>
#include <type_traits>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/history_store.hpp"

namespace pdm::daemon {

class HistoryWorker {
public:
    HistoryWorker(boost::asio::io_context& io, std::unique_ptr<HistoryStore> store)
        : io_(io), store_(std::move(store)) {}
    ~HistoryWorker() { thread_.join(); }  // finishes the job that is running
    HistoryWorker(const HistoryWorker&) = delete;
    HistoryWorker& operator=(const HistoryWorker&) = delete;

    // Runs `work(store)` on the history thread, then, on the event loop,
    // `done(result, nullptr)` with a shared_ptr to its result, or
    // `done(nullptr, error)` with what it threw. `work` and what it holds are
    // gone before `done` runs, and `done` is never copied: what it holds (a
    // client's session) ends on the event loop, never on the history thread.
    template <typename Work, typename Done>
    void run(Work work, Done done) {
        using Result = std::invoke_result_t<Work&, HistoryStore&>;
        boost::asio::post(thread_, [this, job = std::make_unique<Work>(std::move(work)),
                                    finish = std::make_unique<Done>(std::move(done)),
                                    // The event loop must not run out of work while this one runs.
                                    loop_busy = boost::asio::make_work_guard(io_)]() mutable {
            std::shared_ptr<Result> result;
            std::exception_ptr error;
            try {
                result = std::make_shared<Result>((*job)(*store_));
            } catch (...) {
                error = std::current_exception();
            }
            job.reset();
            boost::asio::post(io_, [finish = std::move(finish), result = std::move(result), error]() mutable {
                (*finish)(std::move(result), error);
            });
        });
    }

private:
    boost::asio::io_context& io_;
    std::unique_ptr<HistoryStore> store_;
    boost::asio::thread_pool thread_{1};
};

}  // namespace pdm::daemon

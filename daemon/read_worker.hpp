// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads that may take long (an audit query that matches nothing reads the
// whole log) on a thread of their own, so they never stall the event loop
// nor wait behind a large check-in on the history thread. Results come back
// to the event loop.

#include <exception>
#include <memory>
#include <type_traits>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace pdm::daemon {

class ReadWorker {
public:
    explicit ReadWorker(boost::asio::io_context& io) : io_(io) {}
    ~ReadWorker() { thread_.join(); }
    ReadWorker(const ReadWorker&) = delete;
    ReadWorker& operator=(const ReadWorker&) = delete;

    // Runs `work()` on the read thread, then, on the event loop,
    // `done(result, nullptr)` with a shared_ptr to its result, or
    // `done(nullptr, error)` with what it threw. `work` must touch nothing the
    // event loop owns: give it what it needs by value.
    template <typename Work, typename Done>
    void run(Work work, Done done) {
        using Result = std::invoke_result_t<Work&>;
        boost::asio::post(thread_, [this, work = std::move(work), done = std::move(done),
                                    loop_busy = boost::asio::make_work_guard(io_)]() mutable {
            std::shared_ptr<Result> result;
            std::exception_ptr error;
            try {
                result = std::make_shared<Result>(work());
            } catch (...) {
                error = std::current_exception();
            }
            boost::asio::post(io_, [done = std::move(done), result = std::move(result), error]() mutable {
                done(std::move(result), error);
            });
        });
    }

private:
    boost::asio::io_context& io_;
    boost::asio::thread_pool thread_{1};
};

}  // namespace pdm::daemon

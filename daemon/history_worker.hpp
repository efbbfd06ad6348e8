// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version history on a thread of its own: recording a check-in reads and
// hashes whole files (a CAM program can be a gigabyte), which must never
// stall the event loop. Jobs run one at a time in the order given, so a
// check-in recorded first is committed first. Check-ins that arrive while
// the thread is busy are recorded together, sharing one flush. The store is
// touched on the history thread only; results come back to the event loop.

#include <exception>
#include <memory>
#include <mutex>
#include <utility>
#include <type_traits>
#include <vector>

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

    // Records a check-in (HistoryStore::record) on the history thread, then
    // runs `done(files, error)` on the event loop as run() does, with a
    // std::shared_ptr<std::vector<RecordedFile>>. The check-ins that arrive
    // while the thread records others wait and then go together, in the order
    // they came (HistoryStore::record_batch: one flush and one move of the
    // branch for all of them): under load a check-in costs a share of a
    // flush, not a flush of its own.
    template <typename Done>
    void record(RevisionRequest request, Done done) {
        auto queued = std::make_unique<QueuedRecordOf<Done>>(std::move(request), std::move(done), io_);
        {
            const std::lock_guard lock(queue_mutex_);
            queued_.push_back(std::move(queued));
            if (batch_posted_) return;  // the batch not yet taken carries it
            batch_posted_ = true;
        }
        boost::asio::post(thread_, [this] { record_queued(); });
    }

private:
    struct QueuedRecord {
        QueuedRecord(RevisionRequest given, boost::asio::io_context& io)
            : request(std::move(given)), loop_busy(boost::asio::make_work_guard(io)) {}
        virtual ~QueuedRecord() = default;
        QueuedRecord(const QueuedRecord&) = delete;
        QueuedRecord& operator=(const QueuedRecord&) = delete;
        virtual void finish(std::shared_ptr<std::vector<RecordedFile>> files, std::exception_ptr error) = 0;

        RevisionRequest request;
        // The event loop must not run out of work while this one waits.
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> loop_busy;
    };
    template <typename Done>
    struct QueuedRecordOf final : QueuedRecord {
        QueuedRecordOf(RevisionRequest given, Done callback, boost::asio::io_context& io)
            : QueuedRecord(std::move(given), io), done(std::move(callback)) {}
        void finish(std::shared_ptr<std::vector<RecordedFile>> files, std::exception_ptr error) override {
            done(std::move(files), error);
        }
        Done done;
    };

    // On the history thread: every check-in queued so far, as one batch.
    void record_queued() {
        std::vector<std::unique_ptr<QueuedRecord>> batch;
        {
            const std::lock_guard lock(queue_mutex_);
            batch.swap(queued_);
            batch_posted_ = false;
        }
        std::vector<RevisionRequest> requests;
        for (const auto& queued : batch) requests.push_back(queued->request);
        std::vector<HistoryStore::BatchOutcome> outcomes;
        std::exception_ptr failure;
        try {
            outcomes = store_->record_batch(requests);
        } catch (...) {
            failure = std::current_exception();
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            std::shared_ptr<std::vector<RecordedFile>> files;
            std::exception_ptr error = failure ? failure : outcomes[i].error;
            if (!error) files = std::make_shared<std::vector<RecordedFile>>(std::move(outcomes[i].files));
            // Finished, and destroyed, on the event loop: what `done` holds ends there.
            boost::asio::post(io_, [queued = std::move(batch[i]), files = std::move(files), error]() mutable {
                queued->finish(std::move(files), error);
            });
        }
    }

    boost::asio::io_context& io_;
    std::unique_ptr<HistoryStore> store_;
    std::mutex queue_mutex_;
    std::vector<std::unique_ptr<QueuedRecord>> queued_;  // guarded by queue_mutex_
    bool batch_posted_ = false;  // a record_queued() is posted that has not taken queued_ yet (guarded)
    boost::asio::thread_pool thread_{1};
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The version history on a thread of its own: recording a check-in reads and
// hashes whole files (a CAM program can be a gigabyte), which must never
// stall the event loop. Jobs run one at a time in the order given, so a
// check-in recorded first is committed first. Check-ins that arrive one
// after another while the thread is busy are recorded together, sharing one
// flush. The store is touched on the history thread only; results come back
// to the event loop.

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
        {
            // Check-ins that come after this job go after it.
            const std::lock_guard lock(queue_mutex_);
            open_batch_.reset();
        }
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

    // A batch is closed to newcomers once it holds this many check-ins, or
    // files of this many bytes: a small check-in never waits long for the
    // reading of large ones that came after it.
    static constexpr std::size_t batch_records = 64;
    static constexpr std::uint64_t batch_bytes = std::uint64_t{64} << 20;

    // Records a check-in (HistoryStore::record) on the history thread, then
    // runs `done(files, error)` on the event loop as run() does, with a
    // std::shared_ptr<std::vector<RecordedFile>>. Check-ins that arrive one
    // after another while the thread is busy wait and then go together, in
    // the order they came (HistoryStore::record_batch: one flush and one move
    // of the branch for all of them): under load a check-in costs a share of
    // a flush, not a flush of its own. `bytes`: what its files hold, as far
    // as the daemon knows (FileService::indexed_bytes).
    template <typename Done>
    void record(RevisionRequest request, std::uint64_t bytes, Done done) {
        auto queued = std::make_unique<QueuedRecordOf<Done>>(std::move(request), std::move(done), io_);
        std::shared_ptr<Batch> batch;
        {
            const std::lock_guard lock(queue_mutex_);
            if (open_batch_ && open_batch_->records.size() < batch_records && open_batch_->bytes < batch_bytes) {
                open_batch_->records.push_back(std::move(queued));  // posted already, not yet taken
                open_batch_->bytes += bytes;
                return;
            }
            batch = open_batch_ = std::make_shared<Batch>();
            batch->records.push_back(std::move(queued));
            batch->bytes = bytes;
        }
        boost::asio::post(thread_, [this, batch] { record_batch(*batch); });
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

    // Check-ins to record together; open to more until the history thread
    // takes it, another job is posted after it, or it is full.
    struct Batch {
        std::vector<std::unique_ptr<QueuedRecord>> records;  // guarded by queue_mutex_ while open
        std::uint64_t bytes = 0;
    };

    // On the history thread.
    void record_batch(Batch& open) {
        std::vector<std::unique_ptr<QueuedRecord>> batch;
        {
            const std::lock_guard lock(queue_mutex_);
            if (open_batch_.get() == &open) open_batch_.reset();
            batch.swap(open.records);
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
    // The batch posted last, while nothing was posted after it and the
    // history thread has not taken it: the one a check-in may join (guarded).
    std::shared_ptr<Batch> open_batch_;
    boost::asio::thread_pool thread_{1};
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#include "daemon/commit_writer.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace pdm::daemon {

namespace asio = boost::asio;

CommitWriter::CommitWriter(asio::io_context& io, FileService& service, CommitFiles files,
                           std::chrono::milliseconds checkpoint_delay)
    : io_(io), service_(service), files_(files), checkpoint_delay_(checkpoint_delay), checkpoint_timer_(io) {}

CommitWriter::~CommitWriter() { writer_.join(); }

void CommitWriter::start(ipc::CommitGate::Done done, bool one_client) {
    CommitBatch batch = service_.begin_commit();
    // A checkpoint rewrites locks.json with two more flushes: never on the loop.
    if (one_client && !batch.checkpoint_text) {
        CommitResult result = write_commit(batch, files_);
        // Posted: CommitGate hears of the end only after starting it returns.
        asio::post(io_, [this, result = std::move(result), done = std::move(done)] { finish(result, done); });
        return;
    }
    asio::post(writer_, [this, batch = std::move(batch), done = std::move(done),
                         // The event loop must not run out of work while the disk does.
                         loop_busy = asio::make_work_guard(io_)]() mutable {
        CommitResult result = write_commit(batch, files_);
        asio::post(io_, [this, result = std::move(result), done = std::move(done)] { finish(result, done); });
    });
}

void CommitWriter::finish(const CommitResult& result, const ipc::CommitGate::Done& done) {
    service_.finish_commit(result);
    ipc::CommitOutcome outcome;
    if (result.failure) {
        spdlog::error("commit failed: {}", *result.failure);
        outcome.failure = result.failure;
    }
    if (result.audit_failure) {
        spdlog::error("cannot write audit.jsonl ({}); the entries are safe in the journal and are written "
                      "with the next commit",
                      *result.audit_failure);
    }
    if (result.checkpoint_failure) {
        spdlog::error("cannot write locks.json ({}); every change stays in the journal and the next "
                      "checkpoint tries again",
                      *result.checkpoint_failure);
    }
    // A failing checkpoint is retried at the usual pace, never at once.
    schedule_checkpoint(!result.checkpoint_failure);
    done(outcome);
}

void CommitWriter::schedule_checkpoint(bool urgent_allowed) {
    if (stopped_ || !service_.needs_checkpoint() || !request_commit_) return;
    if (urgent_allowed && service_.checkpoint_urgent()) {
        // The audit log rotates only at a checkpoint: it must not grow for a second past its limit.
        service_.request_checkpoint();
        request_commit_();
        return;
    }
    if (checkpoint_scheduled_) return;
    checkpoint_scheduled_ = true;
    checkpoint_timer_.expires_after(checkpoint_delay_);
    checkpoint_timer_.async_wait([this](const boost::system::error_code& error) {
        checkpoint_scheduled_ = false;
        if (error || stopped_) return;
        service_.request_checkpoint();
        request_commit_();
    });
}

void CommitWriter::stop_checkpoints() {
    stopped_ = true;
    checkpoint_timer_.cancel();
}

}  // namespace pdm::daemon

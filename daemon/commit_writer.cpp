// SPDX-License-Identifier: Apache-2.0
#include "daemon/commit_writer.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace pdm::daemon {

namespace asio = boost::asio;

CommitWriter::CommitWriter(asio::io_context& io, FileService& service, const LockStore& store, AuditLog& audit)
    : io_(io), service_(service), store_(store), audit_(audit) {}

CommitWriter::~CommitWriter() { writer_.join(); }

void CommitWriter::start(ipc::CommitGate::Done done) {
    asio::post(writer_, [this, batch = service_.begin_commit(), done = std::move(done),
                         // The event loop must not run out of work while the disk does.
                         loop_busy = asio::make_work_guard(io_)]() mutable {
        std::optional<CommitFailure> failure = write_commit(batch, store_, audit_);
        asio::post(io_, [this, failure = std::move(failure), done = std::move(done)] {
            service_.finish_commit(failure);
            ipc::CommitOutcome outcome;
            if (failure) {
                spdlog::error("commit failed: {}", failure->message);
                outcome.failure = failure->message;
                outcome.later_changes_undone = !failure->changes_kept;
            }
            done(outcome);
        });
    });
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writes group commits on a thread of its own, so the event loop keeps
// serving (and gathering the next batch) while the disk works. The thread
// touches only the files; FileService is used on the event loop's thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/commit_batch.hpp"
#include "core/file_service.hpp"
#include "ipc/commit_gate.hpp"

namespace pdm::daemon {

class CommitWriter {
public:
    CommitWriter(boost::asio::io_context& io, FileService& service, const LockStore& store, AuditLog& audit);
    ~CommitWriter();  // waits for a commit being written

    // Takes the service's pending changes and writes them; `done` runs on the
    // event loop once the outcome is settled in the service.
    void start(ipc::CommitGate::Done done);

private:
    boost::asio::io_context& io_;
    FileService& service_;
    const LockStore& store_;
    AuditLog& audit_;
    boost::asio::thread_pool writer_{1};
};

}  // namespace pdm::daemon

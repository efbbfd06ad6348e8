// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writes group commits on a thread of its own, so the event loop keeps
// serving (and gathering the next batch) while the disk works. The thread
// touches only the files; FileService is used on the event loop's thread only.
// A batch of one client's changes, while no other client is changing
// anything, is written on the event loop instead: the hop to the thread and
// back costs that client more than anyone else could gain from the loop
// meanwhile (others' reads wait for at most that one flush).
//
// It also schedules checkpoints: once a change is in the journal, a commit
// that rewrites locks.json follows within `checkpoint_delay`, so the file
// people and scripts read lags the daemon by about that much at most.

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/commit_batch.hpp"
#include "core/file_service.hpp"
#include "ipc/commit_gate.hpp"

namespace pdm::daemon {

class CommitWriter {
public:
    CommitWriter(boost::asio::io_context& io, FileService& service, CommitFiles files,
                 std::chrono::milliseconds checkpoint_delay = std::chrono::seconds(1));
    ~CommitWriter();  // waits for a commit being written

    // Takes the service's pending changes and writes them; `done` runs on the
    // event loop once the outcome is settled in the service. `one_client`:
    // CommitGate's word that nobody else is waiting on the disk.
    void start(ipc::CommitGate::Done done, bool one_client);

    // How a checkpoint that fell due gets its commit (CommitGate::request).
    void set_commit_request(std::function<void()> request) { request_commit_ = std::move(request); }
    // No more scheduled checkpoints: the daemon is stopping, and its last
    // commit (FileService::commit) checkpoints.
    void stop_checkpoints();

private:
    // On the event loop: settles `result` in the service, then tells `done`.
    void finish(const CommitResult& result, const ipc::CommitGate::Done& done);
    void schedule_checkpoint(bool urgent_allowed);

    boost::asio::io_context& io_;
    FileService& service_;
    CommitFiles files_;
    std::chrono::milliseconds checkpoint_delay_;
    boost::asio::steady_timer checkpoint_timer_;
    bool checkpoint_scheduled_ = false;
    bool stopped_ = false;
    std::function<void()> request_commit_;
    boost::asio::thread_pool writer_{1};
};

}  // namespace pdm::daemon

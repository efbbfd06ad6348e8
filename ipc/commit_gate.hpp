// SPDX-License-Identifier: Apache-2.0
#pragma once
// Group commit. Replies that must wait for durability wait here, each for a
// numbered batch. One commit runs at a time; while it is written (off the
// event loop), new changes gather into the next batch, which starts as soon as
// the previous one ends. Many clients' changes thus share one fsync, and no
// reply leaves before the state it reports is on disk.
//
// A batch that holds one connection's changes, after one that did too (or
// as the first), is started as `one_client`: nobody else has a change
// waiting, so the writer may write it on the event loop itself and spare the
// two thread hops.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace pdm::ipc {

class Session;

struct CommitOutcome {
    // Nothing: the batch is durable. A failure undoes the changes gathered
    // after the batch too, so their replies fail with it.
    std::optional<std::string> failure;
};

class CommitGate {
public:
    using Done = std::function<void(const CommitOutcome& outcome)>;
    // Starts making all pending changes durable; calls `done` on the event
    // loop's thread when finished.
    using StartCommit = std::function<void(Done done, bool one_client)>;

    CommitGate(boost::asio::io_context& io, StartCommit start) : io_(io), start_(std::move(start)) {}

    // The batch a reply computed now must wait for. `session` is told when it ends.
    std::uint64_t wait(const std::shared_ptr<Session>& session);
    // Schedules a commit that no reply waits for (changes made outside a request).
    void request();
    // True while no commit is running or scheduled.
    bool idle() const { return !running_ && !scheduled_; }

private:
    void schedule();
    void run();
    void finished(std::uint64_t batch, const CommitOutcome& outcome);

    boost::asio::io_context& io_;
    StartCommit start_;
    std::uint64_t open_batch_ = 1;  // the batch gathering changes now
    // Held, not watched: a session whose client has stopped sending has
    // nothing else keeping it alive until its replies can go.
    std::map<std::uint64_t, std::vector<std::shared_ptr<Session>>> waiting_;
    bool running_ = false;
    bool scheduled_ = false;
    bool requested_ = false;
    bool last_had_one_client_ = true;  // at the start nobody else is waiting
};

}  // namespace pdm::ipc

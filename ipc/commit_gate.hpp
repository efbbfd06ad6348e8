#pragma once
// Group commit. Replies that must wait for durability wait here, each for a
// numbered batch. One commit runs at a time; while it is written (off the
// event loop), new changes gather into the next batch, which starts as soon as
// the previous one ends. Many clients' changes thus share one fsync, and no
// reply leaves before the state it reports is on disk.

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

class CommitGate {
public:
    // Called with the outcome of a commit: nothing, or why it failed.
    using Done = std::function<void(const std::optional<std::string>& failure)>;
    // Starts making all pending changes durable; calls `done` on the event
    // loop's thread when finished. When a commit fails, every change not yet
    // durable is undone, so every waiting reply learns of the failure.
    using StartCommit = std::function<void(Done done)>;

    CommitGate(boost::asio::io_context& io, StartCommit start) : io_(io), start_(std::move(start)) {}

    // The batch a reply computed now must wait for. `session` is told when it ends.
    std::uint64_t wait(const std::shared_ptr<Session>& session);
    // True while no commit is running or scheduled.
    bool idle() const { return !running_ && !scheduled_; }

private:
    void schedule();
    void run();
    void finished(std::uint64_t batch, const std::optional<std::string>& failure);

    boost::asio::io_context& io_;
    StartCommit start_;
    std::uint64_t open_batch_ = 1;  // the batch gathering changes now
    std::map<std::uint64_t, std::vector<std::weak_ptr<Session>>> waiting_;
    bool running_ = false;
    bool scheduled_ = false;
};

}  // namespace pdm::ipc

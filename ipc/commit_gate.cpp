// SPDX-License-Identifier: Apache-2.0
#include "ipc/commit_gate.hpp"

#include <utility>

#include <boost/asio/post.hpp>

#include "ipc/session.hpp"

namespace pdm::ipc {

std::uint64_t CommitGate::wait(const std::shared_ptr<Session>& session) {
    auto& sessions = waiting_[open_batch_];
    if (sessions.empty() || sessions.back() != session) sessions.push_back(session);
    schedule();
    return open_batch_;
}

void CommitGate::request() {
    requested_ = true;
    schedule();
}

void CommitGate::schedule() {
    if (running_ || scheduled_) return;
    scheduled_ = true;
    // Posted, not run now: completions already queued (other clients'
    // requests) run first and join this batch.
    boost::asio::post(io_, [this] { run(); });
}

void CommitGate::run() {
    scheduled_ = false;
    if (running_ || (waiting_.empty() && !requested_)) return;
    requested_ = false;
    running_ = true;
    const std::uint64_t batch = open_batch_++;
    // Only this batch waits (one commit at a time): one connection's changes, and nobody else's.
    // A commit no reply waits for (a checkpoint) tells nothing of the clients.
    bool one_client = false;
    if (!waiting_.empty()) {
        const bool alone = waiting_.size() == 1 && waiting_.begin()->second.size() == 1;
        one_client = std::exchange(last_had_one_client_, alone) && alone;
    }
    try {
        start_([this, batch](const CommitOutcome& outcome) { finished(batch, outcome); }, one_client);
    } catch (const std::exception& error) {
        finished(batch, {std::string("could not start a commit: ") + error.what()});
    }
}

void CommitGate::finished(std::uint64_t batch, const CommitOutcome& outcome) {
    running_ = false;
    const std::optional<std::string>& failure = outcome.failure;
    const bool all = failure.has_value();
    const auto end = all ? waiting_.end() : waiting_.upper_bound(batch);
    const std::uint64_t settled = all ? open_batch_ : batch;
    std::vector<std::shared_ptr<Session>> sessions;
    for (auto it = waiting_.begin(); it != end; ++it) sessions.insert(sessions.end(), it->second.begin(), it->second.end());
    waiting_.erase(waiting_.begin(), end);
    if (all) ++open_batch_;  // replies computed from now on start afresh
    for (const auto& session : sessions) {
        session->on_commit(settled, failure);
    }
    if (!waiting_.empty() || requested_) schedule();
}

}  // namespace pdm::ipc

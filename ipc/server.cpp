// SPDX-License-Identifier: Apache-2.0
#include "ipc/server.hpp"

#include <chrono>
#include <vector>

#include "core/repo_path.hpp"
#include "ipc/session.hpp"

namespace pdm::ipc {

namespace asio = boost::asio;

void SessionRegistry::add(const std::shared_ptr<Session>& session, std::uint32_t uid) {
    if (sessions_.emplace(session.get(), uid).second) ++per_user_[uid];
}

void SessionRegistry::remove(Session* session) {
    const auto found = sessions_.find(session);
    if (found == sessions_.end()) return;
    if (--per_user_[found->second] == 0) per_user_.erase(found->second);
    sessions_.erase(found);
}

std::size_t SessionRegistry::count_of(std::uint32_t uid) const {
    const auto found = per_user_.find(uid);
    return found == per_user_.end() ? 0 : found->second;
}

void SessionRegistry::stop_all() {
    // stop() may finish a session synchronously and remove it from the set.
    std::vector<Session*> sessions;
    for (const auto& [session, uid] : sessions_) sessions.push_back(session);
    for (Session* session : sessions) {
        if (sessions_.contains(session)) session->stop();
    }
}

void SessionRegistry::abort_all() {
    std::vector<Session*> sessions;
    for (const auto& [session, uid] : sessions_) sessions.push_back(session);
    for (Session* session : sessions) {
        if (sessions_.contains(session)) session->abort();
    }
}

Server::Server(asio::io_context& io, std::unique_ptr<LocalListener> listener, RequestHandler& handler,
               CommitGate& commits, ServerLimits limits)
    : listener_(std::move(listener)),
      handler_(handler),
      commits_(commits),
      limits_(limits),
      registry_(std::make_shared<SessionRegistry>()),
      retry_timer_(io) {}

Server::~Server() { stop(); }

void Server::start() { accept_next(); }

void Server::stop() {
    if (stopped_) return;
    stopped_ = true;
    retry_timer_.cancel();
    // Connections made before the stop are answered like those already
    // served (stop_all below): what they have sent, then closed.
    for (LocalStream& stream : listener_->accept_waiting()) serve(std::move(stream));
    listener_->close();
    registry_->stop_all();
}

void Server::abort_connections() { registry_->abort_all(); }

std::string Server::refusal_for(const PeerIdentity& peer) const {
    // A name the lock table could not store faithfully would let one account
    // pass for another; a missing account must not become a bare number that
    // could collide with a real account's name.
    if (!peer.has_account) return "uid " + std::to_string(peer.uid) + " has no user account";
    if (!is_valid_utf8(peer.user)) return "the account name of uid " + std::to_string(peer.uid) + " is not valid UTF-8";
    if (registry_->size() >= limits_.max_connections)
        return "too many connections (limit " + std::to_string(limits_.max_connections) + ")";
    if (!peer.superuser && registry_->count_of(peer.uid) >= limits_.max_connections_per_user) {
        return "too many connections from " + peer.user + " (limit " +
               std::to_string(limits_.max_connections_per_user) + " per user); close some and try again";
    }
    return {};
}

std::shared_ptr<Session> Server::serve(LocalStream stream) {
    std::optional<PeerIdentity> peer = identify_peer(stream);
    if (!peer) {
        boost::system::error_code ignored;
        stream.close(ignored);
        return nullptr;
    }
    if (const std::string refusal = refusal_for(*peer); !refusal.empty()) {
        auto session = std::make_shared<Session>(std::move(stream), std::move(*peer), handler_, commits_, limits_,
                                                 registry_);
        session->refuse(handler_.connection_refused(refusal));
        return nullptr;
    }
    auto session = std::make_shared<Session>(std::move(stream), std::move(*peer), handler_, commits_, limits_,
                                             registry_);
    session->start();
    return session;
}

void Server::accept_next() {
    if (stopped_) return;
    listener_->async_accept([this](const boost::system::error_code& error, LocalStream stream) {
        if (stopped_) {
            // Accepted before the stop, reported after it: answered like the rest.
            if (!error) {
                if (auto session = serve(std::move(stream))) session->stop();
            }
            return;
        }
        if (error) {
            if (error == asio::error::operation_aborted) return;
            // Out of file descriptors (or similar): back off instead of spinning,
            // the pending connections stay queued in the kernel meanwhile.
            retry_timer_.expires_after(std::chrono::milliseconds(100));
            retry_timer_.async_wait([this](const boost::system::error_code& timer_error) {
                if (!timer_error) accept_next();
            });
            return;
        }
        serve(std::move(stream));
        accept_next();
    });
}

}  // namespace pdm::ipc

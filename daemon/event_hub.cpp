// SPDX-License-Identifier: Apache-2.0
#include "daemon/event_hub.hpp"

#include <algorithm>

#include "core/time_format.hpp"

namespace pdm::daemon {

void EventHub::connected(const std::shared_ptr<ipc::Connection>& connection) {
    ++online_[connection->peer().user];
    connections_[connection->id()] = connection;
}

void EventHub::disconnected(const ipc::Connection& connection) {
    subscriptions_.erase(connection.id());
    connections_.erase(connection.id());
    const auto it = online_.find(connection.peer().user);
    if (it != online_.end() && --it->second <= 0) online_.erase(it);
}

std::uint64_t EventHub::subscribe(const std::shared_ptr<ipc::Connection>& connection, std::set<EventKind> kinds,
                                  std::vector<Glob> match) {
    subscriptions_[connection->id()] = {connection, std::move(kinds), std::move(match)};
    return seq_;
}

bool EventHub::unsubscribe(const ipc::Connection& connection) { return subscriptions_.erase(connection.id()) > 0; }

void EventHub::publish(const Event& event) {
    nlohmann::json body = event.extra;
    std::optional<std::uint64_t> addressee;
    if (const auto it = body.find("connection"); it != body.end()) {
        addressee = it->get<std::uint64_t>();
        body.erase(it);
    }
    body["event"] = event_kind_name(event.kind);
    body["seq"] = ++seq_;
    body["time"] = format_utc(event.time);
    body["path"] = event.path;
    body["user"] = event.user;
    const std::string line = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    static const std::string overflow = "{\"event\":\"overflow\"}\n";
    for (auto it = subscriptions_.begin(); it != subscriptions_.end();) {
        const Subscription& subscription = it->second;
        const auto connection = subscription.connection.lock();
        const bool wanted = subscription.kinds.empty() || subscription.kinds.contains(event.kind);
        const bool matches = subscription.match.empty() ||
                             std::any_of(subscription.match.begin(), subscription.match.end(),
                                         [&](const Glob& glob) { return glob.matches(event.path); });
        if (connection && addressee == connection->id()) {
            ++it;  // sent below, once
        } else if (!connection) {
            it = subscriptions_.erase(it);
        } else if (wanted && matches && !connection->push(line, overflow)) {
            it = subscriptions_.erase(it);  // overflowed or closed: it gets nothing more
        } else {
            ++it;
        }
    }
    if (addressee) {
        const auto target = connections_.find(*addressee);
        if (target != connections_.end()) {
            if (const auto connection = target->second.lock()) connection->push(line, overflow);
        }
    }
}

bool EventHub::connection_alive(std::uint64_t id) const {
    const auto it = connections_.find(id);
    if (it == connections_.end()) return false;
    const auto connection = it->second.lock();
    return connection && !connection->gone();
}

nlohmann::json EventHub::who() const {
    nlohmann::json users = nlohmann::json::array();
    for (const auto& [user, connections] : online_) users.push_back({{"user", user}, {"connections", connections}});
    return {{"users", std::move(users)}};
}

}  // namespace pdm::daemon

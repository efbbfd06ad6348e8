// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who is connected, who subscribed to which events, and the daemon-wide event
// sequence: every event gets the next `seq`, so a subscriber can tell it
// missed nothing. Event thread: the event loop's only.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/event.hpp"
#include "core/glob.hpp"
#include "ipc/connection.hpp"

namespace pdm::daemon {

class EventHub {
public:
    // The kinds a client may subscribe to.

    void connected(const std::shared_ptr<ipc::Connection>& connection);
    void disconnected(const ipc::Connection& connection);

    // Starts (or replaces) the connection's subscription; empty `kinds` means
    // all. Returns the last seq handed out: the next event gets seq + 1.
    std::uint64_t subscribe(const std::shared_ptr<ipc::Connection>& connection, std::set<EventKind> kinds,
                            std::vector<Glob> match);
    // True when the connection had a subscription.
    bool unsubscribe(const ipc::Connection& connection);

    // Sends the event to the matching subscribers. An event whose extra names
    // a "connection" (your_turn) also goes to that connection, subscribed or not.
    void publish(const Event& event);

    // True while the connection is open and its client has not hung up.
    bool connection_alive(std::uint64_t id) const;

    // {"users": [{"user", "connections"}]}, sorted by user.
    nlohmann::json who() const;
    std::uint64_t last_seq() const { return seq_; }

private:
    struct Subscription {
        std::weak_ptr<ipc::Connection> connection;
        std::set<EventKind> kinds;  // none: every kind
        std::vector<Glob> match;  // any of them; none: every path
    };

    std::uint64_t seq_ = 0;
    std::map<std::uint64_t, Subscription> subscriptions_;  // by connection id
    std::map<std::string, int> online_;                     // user -> open connections
    std::map<std::uint64_t, std::weak_ptr<ipc::Connection>> connections_;  // by id, for events sent to one
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// One event from pdmd's stream (see docs/protocol.md, subscribe), as the tray
// needs it. Plain data: no Qt, no socket.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pdm::tray {

struct TrayEvent {
    std::string kind;  // checked_out, checked_in, lock_broken, ...
    std::uint64_t seq = 0;
    std::string time;  // UTC, ISO 8601
    std::string path;
    std::string user;   // who caused it; "" for changes seen on disk
    std::string owner;  // lock_broken, lock_moved, waiting: whose lock
    std::string from;   // lock_moved: the old name
    std::string message;
    std::optional<std::uint64_t> position;  // waiting: place in the queue
    // checked_in, lock_broken: the revision the history recorded, if it did.
    std::optional<std::uint64_t> revision;

    // Nothing for a line that is not an event (a reply, or malformed).
    static std::optional<TrayEvent> parse(const nlohmann::json& line);
};

}  // namespace pdm::tray

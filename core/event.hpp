// SPDX-License-Identifier: Apache-2.0
#pragma once
// Something that happened to a file, announced to subscribers once it is durable.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"

namespace pdm {

enum class EventKind {
    checked_out,
    checked_in,
    unlocked,
    lock_broken,
    lock_moved,
    waiting,
    your_turn,
    file_added,
    file_removed,
    file_modified,
    unlocked_write,
    permissions_reverted,
};

inline constexpr std::array all_event_kinds = {
    EventKind::checked_out,   EventKind::checked_in,   EventKind::unlocked,      EventKind::lock_broken,
    EventKind::lock_moved,    EventKind::waiting,      EventKind::your_turn,     EventKind::file_added,
    EventKind::file_removed,  EventKind::file_modified, EventKind::unlocked_write, EventKind::permissions_reverted,
};

// The protocol's name of a kind ("checked_out"): the one place kinds get names.
std::string_view event_kind_name(EventKind kind);
std::optional<EventKind> event_kind_named(std::string_view name);

struct Event {
    EventKind kind;
    std::string path;
    std::string user;  // who caused it
    TimePoint time;
    nlohmann::json extra = nlohmann::json::object();  // kind-specific fields ("message", "owner")
};

}  // namespace pdm

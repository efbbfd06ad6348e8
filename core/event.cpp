// SPDX-License-Identifier: Apache-2.0
#include "core/event.hpp"

namespace pdm {

std::string_view event_kind_name(EventKind kind) {
    switch (kind) {
        case EventKind::checked_out: return "checked_out";
        case EventKind::checked_in: return "checked_in";
        case EventKind::unlocked: return "unlocked";
        case EventKind::lock_broken: return "lock_broken";
        case EventKind::lock_moved: return "lock_moved";
        case EventKind::waiting: return "waiting";
        case EventKind::your_turn: return "your_turn";
        case EventKind::file_added: return "file_added";
        case EventKind::file_removed: return "file_removed";
        case EventKind::file_modified: return "file_modified";
        case EventKind::unlocked_write: return "unlocked_write";
        case EventKind::permissions_reverted: return "permissions_reverted";
    }
    return "?";
}

std::optional<EventKind> event_kind_named(std::string_view name) {
    for (const EventKind kind : all_event_kinds) {
        if (event_kind_name(kind) == name) return kind;
    }
    return std::nullopt;
}

}  // namespace pdm

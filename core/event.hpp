#pragma once
// Something that happened to a file, announced to subscribers once it is durable.

#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"

namespace pdm {

struct Event {
    std::string kind;  // checked_out, checked_in, unlocked, lock_broken, ...
    std::string path;
    std::string user;  // who caused it
    TimePoint time;
    nlohmann::json extra = nlohmann::json::object();  // kind-specific fields ("message", "owner")
};

}  // namespace pdm

#pragma once
// The protocol's ops: one small handler each, with its request fields and its
// reply shape, all registered in one table (operations.cpp).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/file_permissions.hpp"
#include "core/file_service.hpp"
#include "core/identity.hpp"
#include "daemon/event_hub.hpp"
#include "ipc/connection.hpp"

namespace pdm::daemon {

struct ServerFacts {
    std::string repo;  // absolute path of the repository
    const FilePermissions* permissions = nullptr;  // for `info`'s view of the disk
    bool enforce_readonly = false;
};

struct OpContext {
    FileService& service;
    const Identity& who;
    const ServerFacts& facts;
    EventHub& events;
    const std::shared_ptr<ipc::Connection>& connection;
};

struct Operation {
    std::string_view name;
    bool mutating;  // audited, success or refusal
    nlohmann::json (*run)(OpContext& context, const nlohmann::json& params);
};

// Nothing for an op this daemon does not know.
const Operation* find_operation(std::string_view name);

}  // namespace pdm::daemon

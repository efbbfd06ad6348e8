// SPDX-License-Identifier: Apache-2.0
#pragma once
// The protocol's ops: one small handler each, with its request fields and its
// reply shape, all registered in one table (operations.cpp).

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/file_permissions.hpp"
#include "core/file_service.hpp"
#include "core/identity.hpp"
#include "daemon/answer.hpp"
#include "daemon/event_hub.hpp"
#include "daemon/first_import.hpp"
#include "daemon/history_worker.hpp"
#include "daemon/read_worker.hpp"
#include "ipc/connection.hpp"
#include "ipc/protocol.hpp"
#include "ipc/reply.hpp"

namespace pdm::daemon {

struct ServerFacts {
    std::string repo;  // absolute path of the repository
    const FilePermissions* permissions = nullptr;  // for `info`'s view of the disk
    Enforcement enforcement = Enforcement::off;
    std::string enforcement_why;  // why that strength: "pdmd runs as root"
    ipc::RequestLimits limits;
};

struct OpContext {
    FileService& service;
    const Identity& who;
    const ServerFacts& facts;
    EventHub& events;
    const std::shared_ptr<ipc::Connection>& connection;
    HistoryWorker& history;
    FirstImport& first_import;
    ReadWorker& reads;
    const RequestLog& log;
    const nlohmann::json& id;
};

// A result already written as JSON text: for results too large to build as a
// document first (list).
struct EncodedResult {
    std::string text;
};

// An op's result now, or the reply that will carry it later (work on the
// history thread).
using OpResult = std::variant<nlohmann::json, EncodedResult, std::shared_ptr<ipc::PendingReply>>;

struct Operation {
    std::string_view name;
    bool mutating;  // audited, success or refusal
    OpResult (*run)(OpContext& context, const nlohmann::json& params);
};

// Reads a mutating request's fields; a malformed one is audited as refused.
template <typename Parse>
auto parse_audited(OpContext& context, AuditOp op, Parse parse) {
    try {
        return parse();
    } catch (const PdmError& error) {
        context.service.record_refusal(context.who, op, {}, "", error);
        throw;
    }
}

// Nothing for an op this daemon does not know.
const Operation* find_operation(std::string_view name);

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#include "daemon/operations.hpp"

#include <array>
#include <set>
#include <system_error>

#include "core/time_format.hpp"
#include "core/writer_check.hpp"
#include "daemon/deferred_reply.hpp"
#include "daemon/file_list_json.hpp"
#include "daemon/history_operations.hpp"
#include "daemon/op_json.hpp"
#include "ipc/protocol.hpp"

namespace pdm::daemon {
namespace {

using nlohmann::json;
using ipc::optional_bool;
using ipc::optional_count;
using ipc::optional_string;
using ipc::path_or_paths;
using ipc::required_string;

constexpr std::uint64_t max_audit_limit = 10000;

// Whether the file's permissions on disk match its lock: read-only when
// nobody holds it, writable by the owner when checked out.
json disk_json(const OpContext& context, const FileEntry& entry) {
    if (entry.missing || !context.facts.permissions) return nullptr;
    json disk = {{"enforced", context.facts.enforcement != Enforcement::off},
                 {"enforcement", enforcement_name(context.facts.enforcement)}};
    try {
        const WriteAccess access =
            context.facts.permissions->inspect(entry.file.path, entry.lock ? entry.lock->user : "");
        disk["writable"] = access.anyone;
        disk["writable_by_owner"] = entry.lock ? json(access.user) : json(nullptr);
        disk["matches_lock"] = entry.lock ? access.user : !access.anyone;
        disk["owner"] = access.owner;
    } catch (const std::system_error& error) {
        disk["error"] = error.what();
    }
    disk["open_for_writing"] = open_for_writing_now(context.facts.permissions->root(), entry.file.path,
                                                    context.service.is_being_written(entry.file.path));
    return disk;
}

json hello(OpContext& context, const json&) {
    return {{"server", "pdmd"},
            {"version", PDM_VERSION},
            {"protocol", ipc::protocol_version},
            {"capabilities",
             {"locks", "audit", "pipelining", "events", "who", "waiting_list", "lock_moved", "read_only", "history"}},
            {"user", context.who.user},
            {"admin", context.who.admin},
            {"repo", context.facts.repo},
            {"enforcement",
             {{"mode", enforcement_name(context.facts.enforcement)}, {"why", context.facts.enforcement_why}}}};
}

OpResult list(OpContext& context, const json& params) {
    ListFilter filter;
    if (const auto status = optional_string(params, "status")) {
        if (*status == "available") {
            filter.status = LockStatus::available;
        } else if (*status == "checked_out") {
            filter.status = LockStatus::checked_out;
        } else if (*status == "missing") {
            filter.status = LockStatus::missing;
        } else {
            throw PdmError(ErrorCode::bad_request,
                           "\"status\" must be \"available\", \"checked_out\" or \"missing\"", {{"field", "status"}});
        }
    }
    filter.user = optional_string(params, "user");
    filter.match = ipc::optional_text(params, "match", context.facts.limits.glob_bytes);
    const bool everything = !filter.status && !filter.user && !filter.match;
    FileListJson files(everything ? context.service.indexed_file_count() : 0);
    context.service.for_each_listed(filter, [&](const FileStat& file, const Lock* lock, bool missing) {
        files.add(file, lock, missing);
    });
    return EncodedResult{std::move(files).finish()};
}

json info(OpContext& context, const json& params) {
    const FileEntry entry = context.service.info(required_string(params, "path"));
    json file = file_json(entry);
    file["disk"] = disk_json(context, entry);
    return {{"file", std::move(file)}};
}

OpResult checkout(OpContext& context, const json& params) {
    // Named, not a structured binding: the lambda below captures them.
    const auto parsed = parse_audited(context, AuditOp::checkout, [&] {
        return std::pair(path_or_paths(params, context.facts.limits.paths),
                         ipc::required_text(params, "message", context.facts.limits.message_bytes));
    });
    const std::vector<std::string>& paths = parsed.first;
    const std::string& message = parsed.second;
    const bool wait = parse_audited(context, AuditOp::checkout, [&] { return optional_bool(params, "wait", false); });
    if (wait && paths.size() != 1) {
        const PdmError error(ErrorCode::bad_request, "\"wait\" takes one \"path\"", {{"field", "wait"}});
        context.service.record_refusal(context.who, AuditOp::checkout, paths, message, error);
        throw error;
    }
    auto apply = [&service = context.service, who = context.who, paths, message, wait]() -> json {
        if (wait) {
            const auto outcome = service.checkout_or_wait(who, paths.front(), message);
            if (!outcome.lock) return {{"queued", true}, {"position", outcome.position}};
            return {{"queued", false}, {"locks", json::array({record_json(*outcome.lock)})}};
        }
        json locks = json::array();
        for (const LockRecord& record : service.checkout(who, paths, message)) locks.push_back(record_json(record));
        return {{"locks", std::move(locks)}};
    };
    // While the first import still reads the files, a check-out would let its
    // owner change a file before its revision 1 is taken: its files are read
    // next, and it waits for them.
    if (context.first_import.running()) {
        return history_ops::after_first_import_read(
            context, paths,
            [apply = std::move(apply), &service = context.service, who = context.who, paths, message](bool imported) {
                if (!imported) {
                    const PdmError error(ErrorCode::internal,
                                         "the history's first import ended (see the log) before the revision 1 of "
                                         "every file named was saved; nothing was changed; try again");
                    service.record_refusal(who, AuditOp::checkout, paths, message, error);
                    throw error;
                }
                return apply();
            });
    }
    return apply();
}

json locks(OpContext& context, const json& params) {
    json items = json::array();
    for (const LockRecord& record : context.service.locks(optional_string(params, "user"))) {
        items.push_back(record_json(record));
        items.back()["missing"] = context.service.is_missing(record.path);
    }
    return {{"locks", std::move(items)}};
}

OpResult audit(OpContext& context, const json& params) {
    AuditQuery query;
    query.path = optional_string(params, "path");
    query.user = optional_string(params, "user");
    const std::uint64_t limit = optional_count(params, "limit").value_or(100);
    if (limit > max_audit_limit) {
        throw PdmError(ErrorCode::bad_request,
                       "\"limit\" must be at most " + std::to_string(max_audit_limit), {{"field", "limit"}});
    }
    query.limit = static_cast<std::size_t>(limit);
    // The files are read on the read thread: a query that matches nothing
    // reads the whole log, which must not stall the event loop.
    return std::make_shared<DeferredReply>(
        context.log, context.id, context.service,
        [&reads = context.reads, prepared = context.service.prepare_audit(query)](const DeferredReply::Finish& done) {
            reads.run([prepared] { return prepared.complete(); },
                      [done](std::shared_ptr<std::vector<json>> entries, std::exception_ptr error) {
                          done([&]() -> json {
                              if (error) std::rethrow_exception(error);
                              return {{"entries", *entries}};
                          });
                      });
        });
}

json subscribe(OpContext& context, const json& params) {
    std::set<EventKind> kinds;
    if (const auto field = params.find("events"); field != params.end() && !field->is_null()) {
        if (!field->is_array()) {
            throw PdmError(ErrorCode::bad_request, "\"events\" must be an array of event kinds", {{"field", "events"}});
        }
        for (const json& name : *field) {
            const std::optional<EventKind> kind =
                name.is_string() ? event_kind_named(name.get<std::string>()) : std::nullopt;
            if (!kind) {
                json known = json::array();
                for (const EventKind each : all_event_kinds) known.push_back(event_kind_name(each));
                throw PdmError(ErrorCode::bad_request, "unknown event kind " + name.dump(),
                               {{"field", "events"}, {"known", std::move(known)}});
            }
            kinds.insert(*kind);
        }
    }
    std::vector<Glob> match;
    const ipc::RequestLimits& limits = context.facts.limits;
    for (const std::string& pattern : ipc::optional_patterns(params, "match", limits.globs, limits.glob_bytes))
        match.emplace_back(pattern);
    return {{"seq", context.events.subscribe(context.connection, std::move(kinds), std::move(match))}};
}

json unsubscribe(OpContext& context, const json&) {
    return {{"subscribed", context.events.unsubscribe(*context.connection)}};
}

json who(OpContext& context, const json&) { return context.events.who(); }

json unwait(OpContext& context, const json& params) {
    return {{"removed", context.service.unwait(context.who, required_string(params, "path"))}};
}

// Adapts an op that answers at once.
template <json (*op)(OpContext&, const json&)>
OpResult now(OpContext& context, const json& params) {
    return op(context, params);
}

constexpr std::array operations{
    Operation{"hello", false, now<hello>},
    Operation{"list", false, list},
    Operation{"info", false, now<info>},
    Operation{"checkout", true, checkout},
    Operation{"checkin", true, history_ops::checkin},
    Operation{"unlock", true, history_ops::unlock},
    Operation{"locks", false, now<locks>},
    Operation{"audit", false, audit},
    Operation{"subscribe", false, now<subscribe>},
    Operation{"unsubscribe", false, now<unsubscribe>},
    Operation{"who", false, now<who>},
    Operation{"unwait", false, now<unwait>},
    Operation{"history", false, history_ops::history},
    Operation{"diff", false, history_ops::diff},
    Operation{"blame", false, history_ops::blame},
    Operation{"cat", false, history_ops::cat},
    Operation{"restore", true, history_ops::restore},
};

}  // namespace

const Operation* find_operation(std::string_view name) {
    for (const Operation& operation : operations) {
        if (operation.name == name) return &operation;
    }
    return nullptr;
}

}  // namespace pdm::daemon

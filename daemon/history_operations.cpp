// SPDX-License-Identifier: Apache-2.0
#include "daemon/history_operations.hpp"

#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "core/repo_path.hpp"
#include "core/time_format.hpp"
#include "daemon/cat_stream.hpp"
#include "daemon/deferred_reply.hpp"
#include "daemon/op_json.hpp"
#include "ipc/protocol.hpp"

namespace pdm::daemon::history_ops {
namespace {

using nlohmann::json;
using ipc::optional_bool;
using ipc::optional_count;
using ipc::optional_string;
using ipc::path_or_paths;
using ipc::required_string;

json revision_json(const Revision& revision, const std::string& sha256) {
    return {{"rev", revision.number},
            {"commit", revision.commit},
            {"user", revision.author},
            {"time", format_utc(revision.time)},
            {"message", revision.message},
            {"removed", revision.removed},
            {"size", revision.removed ? json(nullptr) : json(revision.size)},
            {"sha256", revision.removed ? json(nullptr) : json(sha256)},
            {"broken_by", revision.broken_by ? json(*revision.broken_by) : json(nullptr)}};
}

json revision_ref(const Revision& revision) { return {{"rev", revision.number}, {"commit", revision.commit}}; }

// What a check-in or a snapshot did to one file's history.
json recorded_json(const RecordedFile& file) {
    json result = {{"path", file.path},
                   {"recorded", file.recorded},
                   {"rev", nullptr},
                   {"commit", nullptr},
                   {"sha256", file.sha256.empty() ? json(nullptr) : json(file.sha256)}};
    if (file.revision) {
        result["rev"] = file.revision->number;
        result["commit"] = file.revision->commit;
    }
    return result;
}

json recorded_array(const std::vector<RecordedFile>& files) {
    json items = json::array();
    for (const RecordedFile& file : files) items.push_back(recorded_json(file));
    return items;
}

// path -> what was recorded: for the audit entry and the events.
json recorded_by_path(const std::vector<RecordedFile>& files) {
    json result = json::object();
    for (const RecordedFile& file : files) {
        json entry = recorded_json(file);
        entry.erase("path");
        result[file.path] = std::move(entry);
    }
    return result;
}

// A revision is named by its number or by a commit id.
std::optional<std::string> optional_rev(const json& params, const char* name) {
    const auto field = params.find(name);
    if (field == params.end() || field->is_null()) return std::nullopt;
    if (field->is_number_unsigned()) return std::to_string(field->get<std::uint64_t>());
    if (field->is_string() && !field->get<std::string>().empty()) return field->get<std::string>();
    throw PdmError(ErrorCode::bad_request,
                   std::string("\"") + name + "\" must be a revision number or a commit id", {{"field", name}});
}

// History work failed: a refusal as it is, anything else an internal error
// saying what did not happen.
PdmError as_refusal(const std::string& consequence, std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const PdmError& refusal) {
        return refusal;
    } catch (const std::exception& failure) {
        return PdmError(ErrorCode::internal, std::string(failure.what()) + "; " + consequence);
    }
}

void rethrow_if(std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
}

// Runs `work(store)` on the history thread; then `finish(result, error)` on
// the event loop gives the reply (or throws the error it should carry).
template <typename Work, typename Finish>
std::shared_ptr<ipc::PendingReply> later(OpContext& context, Work work, Finish finish) {
    return std::make_shared<DeferredReply>(
        context.log, context.id, context.service,
        [&history = context.history, work, finish](const DeferredReply::Finish& done) {
            history.run(work, [finish, done](auto result, std::exception_ptr error) {
                done([&]() -> json { return finish(result.get(), error); });
            });
        });
}

// The same for a check-in's recording, which the history thread batches
// with the others waiting (HistoryWorker::record).
template <typename Finish>
std::shared_ptr<ipc::PendingReply> later_record(OpContext& context, RevisionRequest request, Finish finish) {
    const std::uint64_t bytes = context.service.indexed_bytes(request.paths);
    return std::make_shared<DeferredReply>(
        context.log, context.id, context.service,
        [&history = context.history, request = std::move(request), bytes, finish](const DeferredReply::Finish& done) {
            history.record(request, bytes, [finish, done](auto result, std::exception_ptr error) {
                done([&]() -> json { return finish(result.get(), error); });
            });
        });
}

// A reservation every copy of a finish step shares: ended by the first
// finish that runs, or, if the reply is dropped unrun (its client left), when
// the last copy goes. Copies live only on the event loop.
std::shared_ptr<std::shared_ptr<void>> shared_reservation(FileService::WorkingWrite write) {
    return std::make_shared<std::shared_ptr<void>>(std::move(write.reservation));
}

std::vector<std::string> paths_of(const std::vector<ReleasedLock>& locks) {
    std::vector<std::string> paths;
    for (const ReleasedLock& lock : locks) paths.push_back(lock.record.path);
    return paths;
}

}  // namespace

OpResult checkin(OpContext& context, const json& params) {
    const auto [paths, message] = parse_audited(context, AuditOp::checkin, [&] {
        const ipc::RequestLimits& limits = context.facts.limits;
        std::string text = ipc::optional_text(params, "message", limits.message_bytes).value_or("");
        // The trailer that marks a snapshot of a broken lock is pdmd's to write.
        if (text.starts_with("Broken-by:") || text.find("\nBroken-by:") != std::string::npos) {
            throw PdmError(ErrorCode::bad_request,
                           "a check-in message may not have a line starting with \"Broken-by:\"; pdmd writes that "
                           "line itself to mark a broken lock's snapshot",
                           {{"field", "message"}});
        }
        return std::pair(path_or_paths(params, limits.paths), std::move(text));
    });
    // Refused now if the locks are not the caller's; the content is recorded
    // before they are released, so a check-in never leaves a version unsaved.
    const std::vector<ReleasedLock> locks = context.service.preview_release(context.who, AuditOp::checkin, paths, message, false);
    RevisionRequest request{paths_of(locks), context.who.user, message, std::chrono::system_clock::now(), {}};
    for (const std::string& path : request.paths) {
        if (context.service.is_being_written(path)) request.seen_open.insert(path);
    }
    return later_record(
        context, request,
        [&service = context.service, who = context.who, request](const std::vector<RecordedFile>* recorded,
                                                                  std::exception_ptr error) -> json {
            if (error) {
                const PdmError refusal = as_refusal("nothing was checked in", error);
                service.record_refusal(who, AuditOp::checkin, request.paths, request.message, refusal);
                throw refusal;
            }
            json result = released_json(service.checkin(who, request.paths, request.message, recorded_by_path(*recorded)));
            result["revisions"] = recorded_array(*recorded);
            return result;
        });
}

OpResult unlock(OpContext& context, const json& params) {
    const auto [paths, force, discard, reason] = parse_audited(context, AuditOp::unlock, [&] {
        const ipc::RequestLimits& limits = context.facts.limits;
        return std::tuple(path_or_paths(params, limits.paths), optional_bool(params, "force", false),
                          optional_bool(params, "discard", false),
                          ipc::optional_text(params, "message", limits.message_bytes).value_or(""));
    });
    const std::vector<ReleasedLock> locks = context.service.preview_release(context.who, AuditOp::unlock, paths, reason, force);
    const std::vector<std::string> normalized = paths_of(locks);
    auto& service = context.service;
    const Identity who = context.who;

    if (discard) {
        // Only your own check-outs, reserved until the files are written.
        FileService::WorkingWrite reserved = service.begin_working_write(who, AuditOp::unlock, normalized);
        std::set<std::string> seen_open;
        for (const std::string& path : normalized) {
            if (service.is_being_written(path)) seen_open.insert(path);
        }
        return later(
            context,
            [normalized, seen_open](HistoryStore& store) {
                std::vector<Revision> targets;
                for (const std::string& path : normalized) {
                    const std::optional<Revision> newest = store.newest(path);
                    if (!newest || newest->removed) {
                        throw PdmError(ErrorCode::conflict,
                                       "'" + path + "' has no checked-in revision to go back to; check it in, or "
                                       "unlock it without discard",
                                       {{"path", path}});
                    }
                    targets.push_back(*newest);
                }
                store.write_working_files(targets, "undo the check-out", seen_open);
                return targets;
            },
            [&service, who, normalized, reservation = shared_reservation(std::move(reserved))](
                const std::vector<Revision>* restored, std::exception_ptr error) -> json {
                reservation->reset();  // the files are written: their locks may go
                if (error) {
                    const PdmError refusal = as_refusal("no check-out was undone", error);
                    service.record_refusal(who, AuditOp::unlock, normalized, "", refusal);
                    throw refusal;
                }
                json revisions = json::object();
                json items = json::array();
                for (const Revision& revision : *restored) {
                    revisions[revision.path] = revision_ref(revision);
                    items.push_back({{"path", revision.path}, {"rev", revision.number}, {"commit", revision.commit}});
                }
                json result = released_json(service.unlock(who, normalized, false, revisions, true));
                result["restored"] = std::move(items);
                return result;
            });
    }

    std::map<std::string, std::vector<std::string>> broken_by_owner;
    for (const ReleasedLock& lock : locks) {
        if (lock.broken) broken_by_owner[lock.record.lock.user].push_back(lock.record.path);
    }
    if (broken_by_owner.empty()) return released_json(service.unlock(who, normalized, force));

    // Breaking someone's lock first saves what they have on disk, as a
    // snapshot in their name: a forced unlock never loses their work.
    std::vector<RevisionRequest> snapshots;
    for (const auto& [owner, owner_paths] : broken_by_owner) {
        snapshots.push_back({owner_paths, owner,
                             "Snapshot of " + owner + "'s check-out, taken before " + who.user + " broke the lock" +
                                 (reason.empty() ? "" : ": " + reason),
                             std::chrono::system_clock::now(), who.user, "break the lock", {}, true});
    }
    return later(
        context,
        [snapshots](HistoryStore& store) {
            std::vector<RecordedFile> recorded;
            for (const RevisionRequest& snapshot : snapshots) {
                for (RecordedFile& file : store.record(snapshot)) recorded.push_back(std::move(file));
            }
            return recorded;
        },
        [&service, who, normalized](const std::vector<RecordedFile>* recorded, std::exception_ptr error) -> json {
            if (error) {
                const PdmError refusal = as_refusal("the owner's work could not be saved, so no lock was broken", error);
                service.record_refusal(who, AuditOp::unlock, normalized, "", refusal);
                throw refusal;
            }
            json result = released_json(service.unlock(who, normalized, true, recorded_by_path(*recorded)));
            result["snapshots"] = recorded_array(*recorded);
            return result;
        });
}

OpResult history(OpContext& context, const json& params) {
    const std::string path = normalize_repo_path(required_string(params, "path"));
    const std::uint64_t limit = optional_count(params, "limit").value_or(0);
    return later(
        context,
        [path, limit](HistoryStore& store) {
            std::vector<std::pair<Revision, std::string>> revisions;
            for (const Revision& revision : store.revisions(path, static_cast<std::size_t>(limit)))
                revisions.emplace_back(revision, revision.removed ? "" : store.sha256(revision));
            return revisions;
        },
        [&service = context.service, path](const std::vector<std::pair<Revision, std::string>>* revisions,
                                           std::exception_ptr error) -> json {
            rethrow_if(error);
            // No history: fine for a tracked file not yet checked in; for
            // anything else, the same not_found as info.
            if (revisions->empty()) service.info(path);
            json items = json::array();
            for (const auto& [revision, sha256] : *revisions) items.push_back(revision_json(revision, sha256));
            return {{"path", path}, {"revisions", std::move(items)}};
        });
}

OpResult diff(OpContext& context, const json& params) {
    const std::string path = normalize_repo_path(required_string(params, "path"));
    const std::optional<std::string> from = optional_rev(params, "from");
    const std::optional<std::string> to = optional_rev(params, "to");
    return later(
        context,
        [path, from, to](HistoryStore& store) {
            std::optional<Revision> from_revision = from ? store.find(path, *from) : store.newest(path);
            if (!from_revision) {
                throw PdmError(ErrorCode::not_found, "'" + path + "' has no revisions yet", {{"path", path}});
            }
            std::optional<Revision> to_revision;
            if (to) to_revision = store.find(path, *to);
            DiffResult result = store.diff(*from_revision, to_revision);
            return std::tuple(*from_revision, to_revision, std::move(result));
        },
        [path](const std::tuple<Revision, std::optional<Revision>, DiffResult>* outcome, std::exception_ptr error) -> json {
            rethrow_if(error);
            const auto& [from_revision, to_revision, result] = *outcome;
            return {{"path", path},
                    {"from", revision_ref(from_revision)},
                    {"to", to_revision ? revision_ref(*to_revision) : json("working")},
                    {"binary", result.binary},
                    {"patch", result.patch},
                    {"from_size", result.from_size},
                    {"to_size", result.to_size},
                    {"from_sha256", result.from_sha256},
                    {"to_sha256", result.to_sha256}};
        });
}

OpResult blame(OpContext& context, const json& params) {
    const std::string path = normalize_repo_path(required_string(params, "path"));
    return later(
        context, [path](HistoryStore& store) { return store.blame(path); },
        [path](const std::vector<BlameLine>* lines, std::exception_ptr error) -> json {
            rethrow_if(error);
            json items = json::array();
            for (const BlameLine& line : *lines) {
                items.push_back({{"line", line.line},
                                 {"rev", line.revision.number},
                                 {"commit", line.revision.commit},
                                 {"user", line.revision.author},
                                 {"time", format_utc(line.revision.time)},
                                 {"text", line.text}});
            }
            return {{"path", path}, {"lines", std::move(items)}};
        });
}

OpResult cat(OpContext& context, const json& params) {
    const std::string path = normalize_repo_path(required_string(params, "path"));
    const std::string rev = optional_rev(params, "rev").value_or("");
    if (rev.empty()) throw PdmError(ErrorCode::bad_request, "\"rev\" is required: a revision number or a commit id", {{"field", "rev"}});
    return std::make_shared<CatStream>(context.history, context.log, context.id, path, rev);
}

OpResult restore(OpContext& context, const json& params) {
    // Named, not a structured binding: the lambdas below capture them.
    const auto parsed = parse_audited(context, AuditOp::restore, [&] {
        const std::string normalized = normalize_repo_path(required_string(params, "path"));
        const std::optional<std::string> revision = optional_rev(params, "rev");
        if (!revision) throw PdmError(ErrorCode::bad_request, "\"rev\" is required: a revision number or a commit id", {{"field", "rev"}});
        return std::pair(normalized, *revision);
    });
    const std::string& path = parsed.first;
    const std::string& rev = parsed.second;
    auto& service = context.service;
    const Identity who = context.who;
    // Only your own check-out, reserved until the file is written.
    FileService::WorkingWrite reserved = service.begin_working_write(who, AuditOp::restore, {path});
    return later(
        context,
        [path, rev, seen_open = service.is_being_written(path)](HistoryStore& store) {
            const Revision revision = store.find(path, rev);
            store.write_working_file(revision, "restore", seen_open);
            return revision;
        },
        [&service, who, path, reservation = shared_reservation(std::move(reserved))](const Revision* revision,
                                                                                    std::exception_ptr error) -> json {
            reservation->reset();
            if (error) {
                const PdmError refusal = as_refusal("the working file was not restored", error);
                service.record_refusal(who, AuditOp::restore, {path}, "", refusal);
                throw refusal;
            }
            service.record_action(who, AuditOp::restore, path, {{"revision", revision_ref(*revision)}});
            return {{"path", path}, {"rev", revision->number}, {"commit", revision->commit}, {"size", revision->size}};
        });
}

std::shared_ptr<ipc::PendingReply> after_first_import_read(OpContext& context, const std::vector<std::string>& paths,
                                                           std::function<json(bool imported)> apply) {
    std::vector<std::string> normalized;
    try {
        normalized = context.service.normalize_all(paths);
    } catch (const PdmError&) {
        // `apply` gives the refusal; no file to wait for.
    }
    return std::make_shared<DeferredReply>(
        context.log, context.id, context.service,
        [&first_import = context.first_import, &history = context.history, normalized,
         apply = std::move(apply)](const DeferredReply::Finish& done) {
            const auto answer = [done, apply](bool imported) { done([&] { return apply(imported); }); };
            if (!normalized.empty() && first_import.after_imported(normalized, answer)) return;
            history.run([](HistoryStore&) { return true; }, [answer](auto, std::exception_ptr) { answer(true); });
        });
}

}  // namespace pdm::daemon::history_ops

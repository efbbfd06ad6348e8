// SPDX-License-Identifier: Apache-2.0
#include "daemon/request_dispatcher.hpp"

#include <spdlog/spdlog.h>

#include "daemon/answer.hpp"
#include "ipc/protocol.hpp"

namespace pdm::daemon {
namespace {

// The paths a request names, for the log line.
std::string paths_of(const nlohmann::json& params) {
    if (const auto path = params.find("path"); path != params.end()) return path->dump();
    if (const auto paths = params.find("paths"); paths != params.end()) return paths->dump();
    return "";
}

}  // namespace

RequestDispatcher::RequestDispatcher(FileService& service, EventHub& events, HistoryWorker& history,
                                     FirstImport& first_import, ReadWorker& reads, AdminPolicy admins,
                                     ServerFacts facts)
    : service_(service),
      events_(events),
      history_(history),
      first_import_(first_import),
      reads_(reads),
      admins_(std::move(admins)),
      facts_(std::move(facts)) {}

Identity RequestDispatcher::identity_of(const ipc::PeerIdentity& peer) const {
    return {peer.user, admins_.is_admin(peer.superuser, peer.user, peer.groups), 0};
}

ipc::Reply RequestDispatcher::handle(const std::shared_ptr<ipc::Connection>& connection, std::string_view line) {
    ipc::Reply reply = run(connection, line);
    // Anything computed while changes wait for the disk waits with them: a
    // reply must never report state that a crash could still take back.
    reply.after_commit = service_.has_uncommitted();
    return reply;
}

ipc::Reply RequestDispatcher::run(const std::shared_ptr<ipc::Connection>& connection, std::string_view line) {
    const ipc::PeerIdentity& peer = connection->peer();
    ipc::Request request;
    try {
        request = ipc::parse_request(line);
    } catch (const ipc::RequestError& error) {
        spdlog::debug("{}: malformed request: {}", peer.user, error.what());
        ipc::Reply reply = ipc::Reply::now(ipc::encode_error(error.id(), error));
        reply.id = error.id();
        return reply;
    }
    const Operation* operation = find_operation(request.op);
    Identity who = identity_of(peer);
    who.connection = connection->id();
    const RequestLog log{peer.user, request.op, paths_of(request.params), operation && operation->mutating};
    ipc::Reply reply;
    reply.id = request.id;
    // Success is logged here for a reply given now; one given later logs its own.
    RequestLog quiet = log;
    quiet.mutating = false;
    reply.text = answer_line(quiet, request.id, [&]() -> std::string {
        if (!operation) {
            throw PdmError(ErrorCode::unknown_op, "unknown op \"" + request.op + "\"", {{"op", request.op}});
        }
        OpContext context{service_, who, facts_, events_, connection, history_, first_import_, reads_, log, request.id};
        OpResult result = operation->run(context, request.params);
        if (auto* later = std::get_if<std::shared_ptr<ipc::PendingReply>>(&result)) {
            reply.pending = std::move(*later);
            return {};
        }
        if (log.mutating) spdlog::info("{} {} {}: ok", log.user, log.op, log.paths);
        if (auto* encoded = std::get_if<EncodedResult>(&result)) return ipc::encode_result_text(request.id, std::move(encoded->text));
        return ipc::encode_result(request.id, std::get<nlohmann::json>(result));
    });
    // The pending reply sends every line itself, its result or its error.
    if (reply.pending) reply.text.clear();
    return reply;
}

std::string RequestDispatcher::line_too_long(const ipc::PeerIdentity& peer, std::size_t limit) {
    spdlog::warn("{} (pid {}) sent a line over {} bytes; closing the connection", peer.user, peer.pid, limit);
    return ipc::encode_error(nullptr, PdmError(ErrorCode::too_large,
                                               "request line longer than " + std::to_string(limit) +
                                                   " bytes; closing the connection",
                                               {{"limit", limit}}));
}

std::string RequestDispatcher::line_timed_out(const ipc::PeerIdentity& peer, std::chrono::milliseconds limit) {
    spdlog::warn("{} (pid {}) left a request line unfinished for {} ms; closing the connection", peer.user, peer.pid,
                 limit.count());
    return ipc::encode_error(nullptr, PdmError(ErrorCode::bad_request,
                                               "request line not finished within " + std::to_string(limit.count()) +
                                                   " ms; closing the connection",
                                               {{"line_timeout_ms", limit.count()}}));
}

std::string RequestDispatcher::connection_refused(const std::string& reason) {
    spdlog::warn("refused a connection: {}", reason);
    return ipc::encode_error(nullptr, PdmError(ErrorCode::internal, "pdmd refused the connection: " + reason));
}

}  // namespace pdm::daemon

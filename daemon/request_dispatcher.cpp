#include "daemon/request_dispatcher.hpp"

#include <spdlog/spdlog.h>

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

RequestDispatcher::RequestDispatcher(FileService& service, EventHub& events, AdminPolicy admins, ServerFacts facts)
    : service_(service), events_(events), admins_(std::move(admins)), facts_(std::move(facts)) {}

Identity RequestDispatcher::identity_of(const ipc::PeerIdentity& peer) const {
    return {peer.user, admins_.is_admin(peer.superuser, peer.user, peer.groups), 0};
}

ipc::Reply RequestDispatcher::handle(const std::shared_ptr<ipc::Connection>& connection, std::string_view line) {
    ipc::Reply reply;
    reply.text = run(connection, line, reply.id);
    // Anything computed while changes wait for the disk waits with them: a
    // reply must never report state that a crash could still take back.
    reply.after_commit = service_.has_uncommitted();
    return reply;
}

std::string RequestDispatcher::run(const std::shared_ptr<ipc::Connection>& connection, std::string_view line,
                                   nlohmann::json& id) {
    const ipc::PeerIdentity& peer = connection->peer();
    std::string op_name;
    try {
        ipc::Request request = ipc::parse_request(line);
        id = std::move(request.id);
        op_name = request.op;
        const Operation* operation = find_operation(request.op);
        if (!operation) {
            throw PdmError(ErrorCode::unknown_op, "unknown op \"" + request.op + "\"", {{"op", request.op}});
        }
        Identity who = identity_of(peer);
        who.connection = connection->id();
        OpContext context{service_, who, facts_, events_, connection};
        nlohmann::json result = operation->run(context, request.params);
        if (operation->mutating) spdlog::info("{} {} {}: ok", who.user, op_name, paths_of(request.params));
        return ipc::encode_result(id, result);
    } catch (const ipc::RequestError& error) {
        spdlog::debug("{}: malformed request: {}", peer.user, error.what());
        return ipc::encode_error(error.id(), error);
    } catch (const PdmError& error) {
        const auto level = error.code() == ErrorCode::internal ? spdlog::level::err : spdlog::level::info;
        spdlog::log(level, "{} {}: {}: {}", peer.user, op_name, error_code_name(error.code()), error.what());
        return ipc::encode_error(id, error);
    } catch (const std::exception& error) {
        spdlog::error("{} {}: unexpected failure: {}", peer.user, op_name, error.what());
        return ipc::encode_error(id, PdmError(ErrorCode::internal, std::string("internal error: ") + error.what()));
    }
}

std::string RequestDispatcher::line_too_long(const ipc::PeerIdentity& peer, std::size_t limit) {
    spdlog::warn("{} (pid {}) sent a line over {} bytes; closing the connection", peer.user, peer.pid, limit);
    return ipc::encode_error(nullptr, PdmError(ErrorCode::too_large,
                                               "request line longer than " + std::to_string(limit) +
                                                   " bytes; closing the connection",
                                               {{"limit", limit}}));
}

std::string RequestDispatcher::connection_refused(const std::string& reason) {
    spdlog::warn("refused a connection: {}", reason);
    return ipc::encode_error(nullptr, PdmError(ErrorCode::internal, "pdmd refused the connection: " + reason));
}

}  // namespace pdm::daemon

#pragma once
// Turns one request line from a peer into one reply line: parse, find the op,
// run it as the peer's OS identity, and map any error to its protocol code.

#include "core/file_service.hpp"
#include "core/identity.hpp"
#include "daemon/operations.hpp"
#include "ipc/server.hpp"

namespace pdm::daemon {

class RequestDispatcher final : public ipc::RequestHandler {
public:
    RequestDispatcher(FileService& service, AdminPolicy admins, ServerFacts facts);

    ipc::Reply handle(const ipc::PeerIdentity& peer, std::string_view line) override;
    // Takes effect for requests from now on (config reload).
    void set_admins(AdminPolicy admins) { admins_ = std::move(admins); }
    std::string line_too_long(const ipc::PeerIdentity& peer, std::size_t limit) override;
    std::string connection_refused(const std::string& reason) override;

private:
    std::string run(const ipc::PeerIdentity& peer, std::string_view line, nlohmann::json& id);
    Identity identity_of(const ipc::PeerIdentity& peer) const;

    FileService& service_;
    AdminPolicy admins_;
    ServerFacts facts_;
};

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turns one request line from a peer into one reply line: parse, find the op,
// run it as the peer's OS identity, and map any error to its protocol code.

#include "core/file_service.hpp"
#include "core/identity.hpp"
#include "daemon/history_worker.hpp"
#include "daemon/operations.hpp"
#include "ipc/server.hpp"

namespace pdm::daemon {

class RequestDispatcher final : public ipc::RequestHandler {
public:
    RequestDispatcher(FileService& service, EventHub& events, HistoryWorker& history, FirstImport& first_import,
                      ReadWorker& reads, AdminPolicy admins, ServerFacts facts);

    ipc::Reply handle(const std::shared_ptr<ipc::Connection>& connection, std::string_view line) override;
    void opened(const std::shared_ptr<ipc::Connection>& connection) override { events_.connected(connection); }
    void closed(const ipc::Connection& connection) override {
        events_.disconnected(connection);
        service_.forget_connection(connection.id());
    }
    // Takes effect for requests from now on (config reload).
    void set_admins(AdminPolicy admins) { admins_ = std::move(admins); }
    std::string line_too_long(const ipc::PeerIdentity& peer, std::size_t limit) override;
    std::string line_timed_out(const ipc::PeerIdentity& peer, std::chrono::milliseconds limit) override;
    std::string connection_refused(const std::string& reason) override;

private:
    ipc::Reply run(const std::shared_ptr<ipc::Connection>& connection, std::string_view line);
    Identity identity_of(const ipc::PeerIdentity& peer) const;

    FileService& service_;
    EventHub& events_;
    HistoryWorker& history_;
    FirstImport& first_import_;
    ReadWorker& reads_;
    AdminPolicy admins_;
    ServerFacts facts_;
};

}  // namespace pdm::daemon

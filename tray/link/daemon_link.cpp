// SPDX-License-Identifier: Apache-2.0
#include "tray/link/daemon_link.hpp"

#include <stdexcept>

#include "ipc/client.hpp"
#include "tray/model/tray_state.hpp"

namespace pdm::tray {

DaemonLink::DaemonLink(std::string endpoint, Post post, Handlers handlers)
    : endpoint_(std::move(endpoint)), post_(std::move(post)), handlers_(std::move(handlers)) {}

// A connection published in in_use_ for as long as it is used.
class DaemonLink::InUse {
public:
    InUse(DaemonLink& link, ipc::Client& client) : link_(link), client_(client) {
        const std::lock_guard lock(link_.mutex_);
        if (link_.stopping_) throw std::runtime_error("pdm-tray is ending");
        link_.in_use_.insert(&client_);
    }
    ~InUse() {
        const std::lock_guard lock(link_.mutex_);
        link_.in_use_.erase(&client_);
    }
    InUse(const InUse&) = delete;
    InUse& operator=(const InUse&) = delete;

private:
    DaemonLink& link_;
    ipc::Client& client_;
};

DaemonLink::~DaemonLink() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        for (ipc::Client* client : in_use_) client->interrupt();
    }
    wake_.notify_all();
    if (reader_.joinable()) reader_.join();
    for (auto& [id, request] : requests_) request.join();
}

std::string DaemonLink::current_path() {
    {
        const std::lock_guard lock(mutex_);
        if (!connected_path_.empty()) return connected_path_;
    }
    return ipc::locate_daemon(endpoint_).path;
}

void DaemonLink::start() { reader_ = std::thread([this] { read_events(); }); }

void DaemonLink::read_events() {
    ReconnectBackoff backoff;
    while (!stopping_) {
        std::string reason;
        try {
            const std::string path = ipc::locate_daemon(endpoint_).path;
            ipc::Client events(path);
            const InUse reading(*this, events);  // destroyed before `events`
            {
                const std::lock_guard lock(mutex_);
                connected_path_ = path;
            }
            const nlohmann::json hello = events.call("hello");
            if (!hello.value("ok", false)) throw std::runtime_error(hello["error"].value("message", "hello refused"));
            const std::string me = hello["result"]["user"];
            const std::string repo = hello["result"]["repo"];
            const nlohmann::json subscribed = events.call("subscribe");
            if (!subscribed.value("ok", false)) throw std::runtime_error("pdmd refused to send events");
            // The check-outs are read after subscribing (on a second
            // connection), so no change falls between the list and the stream.
            ipc::Client snapshot(path);
            const InUse listing(*this, snapshot);
            const nlohmann::json locks = snapshot.call("locks", {{"user", me}});
            std::vector<std::string> mine;
            for (const nlohmann::json& lock : locks["result"]["locks"]) mine.push_back(lock["path"]);
            backoff.reset();
            post_([this, me, repo, mine] { handlers_.connected(me, repo, mine); });
            for (;;) {
                nlohmann::json line = nlohmann::json::parse(events.read_line(), nullptr, false);
                post_([this, line = std::move(line)] { handlers_.event(line); });
            }
        } catch (const std::exception& error) {
            reason = error.what();
        }
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        const auto wait = backoff.next();
        post_([this, reason, wait] { handlers_.lost(reason, static_cast<int>(wait.count())); });
        wake_.wait_for(lock, wait, [this] { return stopping_.load(); });
    }
}

void DaemonLink::request(std::string op, nlohmann::json params, std::function<void(nlohmann::json reply)> done) {
    const std::uint64_t id = next_request_++;
    requests_.emplace(id, std::thread([this, id, op = std::move(op), params = std::move(params), done = std::move(done)] {
        nlohmann::json reply;
        try {
            ipc::Client client(current_path());
            const InUse calling(*this, client);
            reply = client.call(op, params);
        } catch (const std::exception& error) {
            reply = {{"ok", false}, {"error", {{"code", "unreachable"}, {"message", error.what()}}}};
        }
        post_([this, id, done, reply] {
            done(reply);
            const auto finished = requests_.find(id);
            finished->second.join();  // it has nothing left to do but end
            requests_.erase(finished);
        });
    }));
}

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdm-tray's connection to pdmd, through the same client library as pdmctl.
// A thread of its own subscribes to the event stream and reads it, and
// reconnects with backoff when pdmd goes away; everything it learns is handed
// to the GUI thread (the `context` object's thread) through Qt's event queue.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <QObject>

#include <nlohmann/json.hpp>

namespace pdm::ipc {
class Client;
}

namespace pdm::tray {

class DaemonLink {
public:
    struct Handlers {
        std::function<void(std::string me, std::string repo, std::vector<std::string> my_locks)> connected;
        std::function<void(nlohmann::json line)> event;
        std::function<void(std::string reason, int retry_seconds)> lost;
    };

    // `socket_path`: --socket; empty: looked up at every connection
    // (ipc::locate_daemon: $PDMD_SOCKET, the user's own daemon, the system's).
    DaemonLink(std::string socket_path, QObject* context, Handlers handlers);
    ~DaemonLink();  // stops the reader and waits for it
    DaemonLink(const DaemonLink&) = delete;
    DaemonLink& operator=(const DaemonLink&) = delete;

    void start();

    // One request on a connection of its own, off the GUI thread; `done`
    // gets the whole reply (or a made-up {"ok": false} one when pdmd could
    // not be reached) on the GUI thread.
    void request(std::string op, nlohmann::json params, std::function<void(nlohmann::json reply)> done);

private:
    void read_events();
    void post(std::function<void()> work) const;

    // The socket of the daemon the reader is connected to (guarded by mutex_).
    std::string current_path();

    const std::string socket_path_;
    std::string connected_path_;  // where the reader found pdmd last (guarded by mutex_)
    QObject* context_;
    Handlers handlers_;
    std::thread reader_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    ipc::Client* reading_ = nullptr;  // the reader's connection, to interrupt it (guarded by mutex_)
    // Requests under way, each on its thread; joined on the GUI thread once
    // its reply is delivered, so a tray that runs for weeks keeps no dead threads.
    std::map<std::uint64_t, std::thread> requests_;
    std::uint64_t next_request_ = 0;
};

}  // namespace pdm::tray

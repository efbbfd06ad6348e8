// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdm-tray's connection to pdmd, through the same client library as pdmctl.
// A thread of its own subscribes to the event stream and reads it, and
// reconnects with backoff when pdmd goes away; everything it learns is handed
// to the GUI thread through the front end's `Post` (Qt's event queue, or a
// Windows message), so handlers run only there. No toolkit in here: the Qt
// and the Win32 front ends share it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

    // Runs `work` on the GUI thread, soon; called from any thread, never blocks.
    using Post = std::function<void(std::function<void()> work)>;

    // `endpoint`: --socket (--pipe on Windows); empty: looked up at every
    // connection (ipc::locate_daemon: $PDMD_SOCKET or $PDMD_PIPE, the user's
    // own daemon, the system's).
    DaemonLink(std::string endpoint, Post post, Handlers handlers);
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
    // Publishes `client` in in_use_ while it lives; false (and nothing
    // published) when the link is stopping.
    class InUse;

    // The socket of the daemon the reader is connected to (guarded by mutex_).
    std::string current_path();

    const std::string endpoint_;
    std::string connected_path_;  // where the reader found pdmd last (guarded by mutex_)
    Post post_;
    Handlers handlers_;
    std::thread reader_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    // Every connection in use (the reader's two, each request's), so that
    // ~DaemonLink can interrupt them: a hung pdmd never keeps the tray from
    // ending (guarded by mutex_).
    std::set<ipc::Client*> in_use_;
    // Requests under way, each on its thread; joined on the GUI thread once
    // its reply is delivered, so a tray that runs for weeks keeps no dead threads.
    std::map<std::uint64_t, std::thread> requests_;
    std::uint64_t next_request_ = 0;
};

}  // namespace pdm::tray

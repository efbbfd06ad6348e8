// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turns the watcher's notices into index updates, lock moves and file events.
// A path is re-read once its writer closes it, or else once it has been quiet
// for the settle time, so a CAM program writing a file in many chunks yields
// one file_modified, not hundreds, and a finished save is announced at once. A checked-out file renamed away waits out the same time before
// its lock follows (FileService::note_move): a program that saves by renaming
// the file to a backup and writing a new one keeps the lock on the name.

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/file_index.hpp"
#include "core/file_service.hpp"
#include "daemon/folder_watcher.hpp"
#include "ipc/commit_gate.hpp"

namespace pdm::daemon {

class ChangeTracker {
public:
    using Publish = std::function<void(const Event&)>;
    // A tracked file took a new identity (a save put a new file at its name)
    // or its mode, owner or ACL changed, or a folder appeared: its
    // permissions may no longer match its lock. Called at once, not after the
    // settle time. True when it audited something (a commit is due).
    using Reapply = std::function<bool(const std::string& path)>;

    // New files nobody holds, once they settled, before they are announced
    // (and before read-only enforcement takes them from their creator).
    using Added = std::function<void(const std::vector<std::string>& paths)>;

    struct Hooks {
        Publish publish;
        Reapply reapply;
        Added added;
    };

    ChangeTracker(boost::asio::io_context& io, FileIndex& index, FileService& service, Hooks hooks,
                  ipc::CommitGate& commits, const Clock& clock, std::chrono::milliseconds settle);

    void on_notices(const std::vector<WatchNotice>& notices);
    void stop();

private:
    void arm();
    void settle();
    void announce(const std::vector<FileChange>& changes);

    FileIndex& index_;
    FileService& service_;
    Hooks hooks_;
    ipc::CommitGate& commits_;
    const Clock& clock_;
    std::chrono::milliseconds settle_;
    boost::asio::steady_timer timer_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_notice_;  // path -> when
    std::set<std::string> replaced_;  // paths a new file took since they were last read
    bool reread_all_ = false;
    bool armed_ = false;
    bool stopped_ = false;
};

}  // namespace pdm::daemon

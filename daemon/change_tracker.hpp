#pragma once
// Turns the watcher's notices into index updates and file events. A path is
// re-read only once it has been quiet for the settle time, so a CAM program
// writing a file in many chunks yields one file_modified, not hundreds.
// Renames are not settled: a lock follows its file at once.

#include <chrono>
#include <functional>
#include <map>
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

    ChangeTracker(boost::asio::io_context& io, FileIndex& index, FileService& service, Publish publish,
                  ipc::CommitGate& commits, const Clock& clock, std::chrono::milliseconds settle);

    void on_notices(const std::vector<WatchNotice>& notices);
    void stop();

private:
    void arm();
    void settle();
    void announce(const std::vector<FileChange>& changes);

    FileIndex& index_;
    FileService& service_;
    Publish publish_;
    ipc::CommitGate& commits_;
    const Clock& clock_;
    std::chrono::milliseconds settle_;
    boost::asio::steady_timer timer_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_notice_;  // path -> when
    bool reread_all_ = false;
    bool armed_ = false;
    bool stopped_ = false;
};

}  // namespace pdm::daemon

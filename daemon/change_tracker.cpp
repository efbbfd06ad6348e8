#include "daemon/change_tracker.hpp"

#include <spdlog/spdlog.h>

namespace pdm::daemon {

ChangeTracker::ChangeTracker(boost::asio::io_context& io, FileIndex& index, FileService& service, Publish publish,
                             ipc::CommitGate& commits, const Clock& clock, std::chrono::milliseconds settle)
    : index_(index),
      service_(service),
      publish_(std::move(publish)),
      commits_(commits),
      clock_(clock),
      settle_(settle),
      timer_(io) {}

void ChangeTracker::on_notices(const std::vector<WatchNotice>& notices) {
    const auto now = std::chrono::steady_clock::now();
    bool locks_moved = false;
    for (const WatchNotice& notice : notices) {
        if (notice.lost_track) {
            reread_all_ = true;
            last_notice_[""] = now;
        } else {
            last_notice_[notice.path] = now;
        }
        if (!notice.moved_from.empty() && !stopped_)
            locks_moved = !service_.follow_move(notice.moved_from, notice.path).empty() || locks_moved;
    }
    if (locks_moved) commits_.request();
    arm();
}

void ChangeTracker::stop() {
    stopped_ = true;
    timer_.cancel();
}

void ChangeTracker::arm() {
    if (armed_ || stopped_ || last_notice_.empty()) return;
    auto earliest = std::chrono::steady_clock::time_point::max();
    for (const auto& [path, when] : last_notice_) earliest = std::min(earliest, when);
    armed_ = true;
    timer_.expires_at(earliest + settle_);
    timer_.async_wait([this](const boost::system::error_code& error) {
        armed_ = false;
        if (!error) settle();
    });
}

void ChangeTracker::settle() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<FileChange> changes;
    try {
        if (reread_all_) {
            reread_all_ = false;
            last_notice_.clear();
            changes = index_.reconcile();
        } else {
            for (auto it = last_notice_.begin(); it != last_notice_.end();) {
                if (now - it->second < settle_) {
                    ++it;
                    continue;
                }
                for (FileChange& change : index_.refresh(it->first)) changes.push_back(std::move(change));
                it = last_notice_.erase(it);
            }
        }
    } catch (const std::exception& error) {
        spdlog::error("cannot re-read the repository: {}", error.what());
    }
    announce(changes);
    arm();
}

void ChangeTracker::announce(const std::vector<FileChange>& changes) {
    static constexpr const char* kinds[] = {"file_added", "file_removed", "file_modified"};
    bool audited = false;
    for (const FileChange& change : changes) {
        Event event{kinds[static_cast<int>(change.kind)], change.file.path, "", clock_.now(), {}};
        if (change.kind != FileChange::Kind::removed) event.extra["size"] = change.file.size;
        publish_(event);
        if (change.kind == FileChange::Kind::modified && !service_.is_locked(change.file.path)) {
            service_.record_unlocked_write(change.file.path);
            audited = true;
        }
    }
    // The unlocked writes are audited, and announced once that is on disk.
    if (audited) commits_.request();
}

}  // namespace pdm::daemon

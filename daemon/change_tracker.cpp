// SPDX-License-Identifier: Apache-2.0
#include "daemon/change_tracker.hpp"

#include <spdlog/spdlog.h>

namespace pdm::daemon {

ChangeTracker::ChangeTracker(boost::asio::io_context& io, FileIndex& index, FileService& service, Hooks hooks,
                             ipc::CommitGate& commits, const Clock& clock, std::chrono::milliseconds settle)
    : index_(index),
      service_(service),
      hooks_(std::move(hooks)),
      commits_(commits),
      clock_(clock),
      settle_(settle),
      timer_(io) {}

void ChangeTracker::on_notices(const std::vector<WatchNotice>& notices) {
    if (stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    bool locks_moved = false;
    bool audited = false;
    std::set<std::string> closed;  // closed after writing, and not written since
    for (const WatchNotice& notice : notices) {
        if (notice.lost_track) {
            // Closes may have been lost too: only leases tell from now on.
            service_.forget_writing();
            reread_all_ = true;
            last_notice_[""] = now;
            continue;
        }
        last_notice_[notice.path] = now;
        if (!notice.moved_from.empty()) {
            service_.note_renamed_while_writing(notice.moved_from, notice.path);
            locks_moved = !service_.note_move(notice.moved_from, notice.path, now + settle_).empty() || locks_moved;
        }
        closed.erase(notice.path);
        if (notice.what == WatchNotice::What::written) service_.note_writing(notice.path, true);
        if (notice.what == WatchNotice::What::closed_after_write) {
            service_.note_writing(notice.path, false);
            closed.insert(notice.path);
        }
        if (notice.what == WatchNotice::What::appeared) replaced_.insert(notice.path);
        // A file the daemon guards (checked out, or known) got a new identity
        // or new permissions: set them from its lock now, not after the
        // settle time. A new file nobody holds waits until it is complete.
        const bool guarded = service_.is_locked(notice.path) || index_.files().contains(notice.path);
        if ((guarded && (notice.what == WatchNotice::What::appeared || notice.what == WatchNotice::What::attributes)) ||
            notice.what == WatchNotice::What::folder_appeared)
            audited = hooks_.reapply(notice.path) || audited;
    }
    // The settle time is for files still being written: one closed by its
    // writer is read and announced at once. Not while a rename waits to be
    // told apart from a save, whose files must settle in the order they moved.
    if (!service_.next_move_due()) {
        for (const std::string& path : closed) last_notice_[path] = now - settle_;
    }
    if (locks_moved || audited) commits_.request();
    arm();
}

void ChangeTracker::stop() {
    stopped_ = true;
    timer_.cancel();
}

void ChangeTracker::arm() {
    if (stopped_) return;
    std::optional<std::chrono::steady_clock::time_point> deadline = service_.next_move_due();
    for (const auto& [path, when] : last_notice_) {
        if (!deadline || when + settle_ < *deadline) deadline = when + settle_;
    }
    if (!deadline) return;
    // A closed file may be due before the wait already set: set it earlier.
    if (armed_ && timer_.expiry() <= *deadline) return;
    armed_ = true;
    timer_.expires_at(*deadline);  // cancels the later wait, if any
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error == boost::asio::error::operation_aborted) return;  // replaced by an earlier one, or stopped
        armed_ = false;
        if (!error) settle();
    });
}

void ChangeTracker::settle() {
    const auto now = std::chrono::steady_clock::now();
    // Renames first: a lock moves (or stays, for a save) before the names'
    // files are re-read and announced.
    if (!service_.settle_moves(now).empty()) commits_.request();
    std::vector<FileChange> changes;
    try {
        if (reread_all_) {
            reread_all_ = false;
            last_notice_.clear();
            replaced_.clear();
            changes = index_.reconcile();
        } else {
            for (auto it = last_notice_.begin(); it != last_notice_.end();) {
                if (now - it->second < settle_) {
                    ++it;
                    continue;
                }
                const bool replaced = replaced_.erase(it->first) > 0;
                for (FileChange& change : index_.refresh(it->first, replaced)) changes.push_back(std::move(change));
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
    static constexpr EventKind kinds[] = {EventKind::file_added, EventKind::file_removed, EventKind::file_modified};
    std::vector<std::string> added;
    for (const FileChange& change : changes) {
        if (change.kind == FileChange::Kind::added && !service_.is_locked(change.file.path))
            added.push_back(change.file.path);
    }
    if (!added.empty() && hooks_.added) hooks_.added(added);
    bool audited = false;
    for (const FileChange& change : changes) {
        Event event{kinds[static_cast<int>(change.kind)], change.file.path, "", clock_.now(), {}};
        if (change.kind != FileChange::Kind::removed) event.extra["size"] = change.file.size;
        hooks_.publish(event);
        if (change.kind == FileChange::Kind::modified && !service_.is_locked(change.file.path)) {
            service_.record_unlocked_write(change.file.path);
            audited = true;
        }
    }
    // The unlocked writes are audited, and announced once that is on disk.
    if (audited) commits_.request();
}

}  // namespace pdm::daemon

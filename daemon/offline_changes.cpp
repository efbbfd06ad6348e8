// SPDX-License-Identifier: Apache-2.0
#include "daemon/offline_changes.hpp"

#include "daemon/free_heap.hpp"

#include <map>
#include <system_error>

#include <spdlog/spdlog.h>

namespace pdm::daemon {

void report_offline_changes(HistoryWorker& history, FileService& service, ipc::CommitGate& commits,
                            std::vector<HistoryStore::SeenFile> files) {
    // A checked-out file may be changed: that is what its lock is for.
    std::erase_if(files, [&](const HistoryStore::SeenFile& file) { return service.durable_lock(file.path).has_value(); });
    if (files.empty()) return;
    history.run([files = std::move(files)](HistoryStore& store) { return store.changed_since_recorded(files); },
                [&service, &commits](std::shared_ptr<std::vector<std::string>> changed, std::exception_ptr error) {
                    if (error) {
                        try {
                            std::rethrow_exception(error);
                        } catch (const std::exception& failure) {
                            spdlog::error("cannot compare the files with their history: {}", failure.what());
                        }
                        return;
                    }
                    bool audited = false;
                    for (const std::string& path : *changed) {
                        if (service.is_locked(path)) continue;  // checked out since: its owner's now
                        spdlog::warn("'{}' was changed while pdmd was stopped, with no check-out", path);
                        service.record_unlocked_write(path, {{"while_stopped", true}});
                        audited = true;
                    }
                    if (audited) commits.request();
                    release_free_heap();  // the comparison's lists, freed on the history thread
                });
}

void record_new_files(HistoryWorker& history, const FilePermissions& permissions,
                      const std::vector<std::string>& paths) {
    std::map<std::string, std::vector<std::string>> by_owner;
    for (const std::string& path : paths) {
        try {
            by_owner[permissions.inspect(path, "").owner].push_back(path);
        } catch (const std::system_error&) {
            // Gone already, or not a file the daemon guards (a second name).
        }
    }
    const auto now = std::chrono::system_clock::now();
    for (auto& [owner, owned] : by_owner) {
        history.run([owned = std::move(owned), owner = owner, now](HistoryStore& store) { return store.record_added(owned, owner, now); },
                    [](std::shared_ptr<std::vector<RecordedFile>> recorded, std::exception_ptr error) {
                        if (!error) {
                            for (const RecordedFile& file : *recorded) {
                                if (!file.skipped.empty()) spdlog::warn("history: new file not recorded: {}", file.skipped);
                            }
                            return;
                        }
                        try {
                            std::rethrow_exception(error);
                        } catch (const std::exception& failure) {
                            spdlog::error("history: cannot record new files: {}", failure.what());
                        }
                    });
    }
}

}  // namespace pdm::daemon

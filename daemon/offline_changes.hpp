// SPDX-License-Identifier: Apache-2.0
#pragma once
// Files the history learns of from the folder rather than from a check-in.
// At start: files written while the daemon was stopped, which no watcher saw.
// Each available file whose content differs from its newest revision is
// audited and announced as an unlocked_write ("while_stopped": true), as a
// write seen live would be. While running: new files, recorded with their
// creator.

#include <vector>

#include "core/file_permissions.hpp"
#include "core/file_service.hpp"
#include "daemon/history_worker.hpp"
#include "ipc/commit_gate.hpp"

namespace pdm::daemon {

// Queues the comparison on the history thread (after any import queued
// before it); the findings are recorded on the event loop. `files`: the
// tracked files as found at start.
void report_offline_changes(HistoryWorker& history, FileService& service, ipc::CommitGate& commits,
                            std::vector<HistoryStore::SeenFile> files);

// New files that appeared while the daemon runs become their revision 1,
// authored by their owner on disk (their creator), grouped by owner.
void record_new_files(HistoryWorker& history, const FilePermissions& permissions,
                      const std::vector<std::string>& paths);

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Tells the event loop which paths of the repository changed on disk. One
// implementation per platform (folder_watcher_inotify.cpp on Linux;
// ReadDirectoryChangesW follows for Windows). Notices only name paths; what
// changed is found by re-reading them (FileIndex::refresh).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/repository.hpp"

namespace pdm::daemon {

struct WatchNotice {
    // What happened at `path`, as far as the platform tells.
    enum class What {
        changed,             // anything else: removed, renamed away, a folder changed
        appeared,            // a file took the name: created, or renamed or moved here
        written,             // a file was written to (so it is open for writing)
        closed_after_write,  // a file open for writing was closed
        attributes,          // a file's mode, owner or ACL changed
        folder_appeared,     // a folder was created, or renamed or moved here
    };

    std::string path;       // normalised, relative to the repository; "" is the root
    bool lost_track = false;  // events were lost (queue overflow): re-read everything
    // Set when `path` is the new name of a file or folder renamed inside the
    // repository: its old name (which gets a notice of its own too).
    std::string moved_from;
    What what = What::changed;
};

class FolderWatcher {
public:
    using Handler = std::function<void(const std::vector<WatchNotice>&)>;

    virtual ~FolderWatcher() = default;

    // Watches every folder of the repository the repository does not skip,
    // and folders as they appear. Throws std::runtime_error when the platform
    // refuses (for example the inotify watch limit).
    static std::unique_ptr<FolderWatcher> create(boost::asio::io_context& io, const Repository& repository);

    virtual void start(Handler handler) = 0;
    virtual void stop() = 0;
};

}  // namespace pdm::daemon

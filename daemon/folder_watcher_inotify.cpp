// SPDX-License-Identifier: Apache-2.0
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <system_error>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

#include "daemon/folder_watcher.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace pdm::daemon {
namespace {

constexpr std::uint32_t folder_mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                      IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

std::string join(const std::string& folder, const std::string& name) {
    return folder.empty() ? name : folder + "/" + name;
}

// Recursive inotify: one watch per folder, added as folders appear. Reads
// through Asio on the event loop, so notices arrive on its thread.
class InotifyWatcher final : public FolderWatcher {
public:
    InotifyWatcher(asio::io_context& io, const Repository& repository)
        : repository_(repository), stream_(io) {
        const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) throw std::runtime_error(std::string("cannot start inotify: ") + std::strerror(errno));
        stream_.assign(fd);
        watch_tree("");
    }

    void start(Handler handler) override {
        handler_ = std::move(handler);
        read();
    }

    void stop() override {
        boost::system::error_code ignored;
        stream_.close(ignored);
    }

private:
    // Watches `folder` and every folder below it.
    void watch_tree(const std::string& folder) {
        if (repository_.skips_folder(folder)) return;
        const fs::path path = repository_.root() / folder;
        const int wd = ::inotify_add_watch(stream_.native_handle(), path.c_str(), folder_mask);
        if (wd < 0) {
            if (errno == ENOSPC) {
                throw std::runtime_error("out of inotify watches at " + path.string() +
                                         "; raise fs.inotify.max_user_watches");
            }
            return;  // vanished meanwhile, or not a folder: its parent's notices cover it
        }
        folders_[wd] = folder;
        std::error_code ec;
        for (fs::directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec)) {
            if (it->symlink_status(ec).type() == fs::file_type::directory)
                watch_tree(join(folder, it->path().filename().string()));
        }
    }

    void read() {
        stream_.async_read_some(asio::buffer(buffer_), [this](const boost::system::error_code& error, std::size_t bytes) {
            if (error) {
                if (error != asio::error::operation_aborted) spdlog::error("the folder watcher stopped: {}", error.message());
                return;
            }
            ++read_count_;
            std::vector<WatchNotice> notices;
            for (std::size_t offset = 0; offset + sizeof(inotify_event) <= bytes;) {
                inotify_event event{};
                std::memcpy(&event, buffer_.data() + offset, sizeof event);
                const char* name = buffer_.data() + offset + sizeof(inotify_event);
                handle(event, event.len ? std::string(name) : std::string(), notices);
                offset += sizeof(inotify_event) + event.len;
            }
            // The kernel queues both halves of a rename back to back, but a read
            // may end between them: a half waits one more read for its pair,
            // then counts as moved out of the repository.
            std::erase_if(moves_out_, [&](const auto& move) { return move.second.read < read_count_; });
            if (!notices.empty()) handler_(notices);
            read();
        });
    }

    void handle(const inotify_event& event, const std::string& name, std::vector<WatchNotice>& notices) {
        if (event.mask & IN_Q_OVERFLOW) {
            spdlog::warn("the folder watcher lost events (queue overflow); re-reading the whole repository");
            notices.push_back({"", true, {}, WatchNotice::What::changed});
            return;
        }
        const auto folder = folders_.find(event.wd);
        if (folder == folders_.end()) return;
        if (event.mask & IN_IGNORED) {
            folders_.erase(folder);
            return;
        }
        if (event.mask & IN_DELETE_SELF) return;  // its parent reports the removal
        if (name.empty()) return;
        const std::string path = join(folder->second, name);
        if ((event.mask & IN_ISDIR) && (event.mask & (IN_CREATE | IN_MOVED_TO))) {
            // Files may already be inside (mkdir -p a/b && touch a/b/c, or a
            // folder moved in): watch it first, then re-read it whole.
            try {
                watch_tree(path);
            } catch (const std::exception& failure) {
                spdlog::error("{}", failure.what());
            }
        }
        if ((event.mask & IN_ISDIR) && (event.mask & IN_MOVED_FROM)) forget_tree(path);
        WatchNotice notice{path, false, {}, WatchNotice::What::changed};
        if ((event.mask & IN_ISDIR) && (event.mask & (IN_CREATE | IN_MOVED_TO)))
            notice.what = WatchNotice::What::folder_appeared;
        if (!(event.mask & IN_ISDIR)) {
            if (event.mask & (IN_CREATE | IN_MOVED_TO)) notice.what = WatchNotice::What::appeared;
            if (event.mask & IN_MODIFY) notice.what = WatchNotice::What::written;
            if (event.mask & IN_CLOSE_WRITE) notice.what = WatchNotice::What::closed_after_write;
            if (event.mask & IN_ATTRIB) notice.what = WatchNotice::What::attributes;
        }
        if ((event.mask & IN_MOVED_FROM) && event.cookie != 0) moves_out_[event.cookie] = {path, read_count_};
        if (event.mask & IN_MOVED_TO) {
            if (const auto from = moves_out_.find(event.cookie); from != moves_out_.end()) {
                notice.moved_from = std::move(from->second.path);
                moves_out_.erase(from);
            }
        }
        notices.push_back(std::move(notice));
    }

    // A folder moved away: its watches would report under a stale name.
    void forget_tree(const std::string& folder) {
        for (auto it = folders_.begin(); it != folders_.end();) {
            if (it->second == folder || it->second.starts_with(folder + "/")) {
                ::inotify_rm_watch(stream_.native_handle(), it->first);
                it = folders_.erase(it);
            } else {
                ++it;
            }
        }
    }

    const Repository& repository_;
    asio::posix::stream_descriptor stream_;
    std::map<int, std::string> folders_;  // watch descriptor -> folder
    struct MoveOut {
        std::string path;
        std::uint64_t read;  // the read that reported it
    };
    std::map<std::uint32_t, MoveOut> moves_out_;  // rename cookie -> the old name, until its new name arrives
    std::uint64_t read_count_ = 0;
    alignas(inotify_event) std::array<char, 64 * 1024> buffer_{};
    Handler handler_;
};

}  // namespace

std::unique_ptr<FolderWatcher> FolderWatcher::create(asio::io_context& io, const Repository& repository) {
    return std::make_unique<InotifyWatcher>(io, repository);
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
// The folder watcher on Windows: one recursive ReadDirectoryChangesW on the
// repository root, overlapped, completing on the event loop through its
// completion port (the folder handle is held by a windows::stream_handle,
// which ties it to the port; an overlapped_ptr carries each read).
// Windows reports a rename as an OLD_NAME then a NEW_NAME record, in one
// buffer, so locks follow renames as they do on Linux. A read that returns
// no bytes means the system's buffer overflowed: everything is re-read.
// Windows does not tell a write from a close, nor a content change from an
// attribute change: both are `written`, and the settle time does the rest.
#include <windows.h>

#include <array>
#include <cstring>

#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <spdlog/spdlog.h>

#include "core/win_text.hpp"
#include "daemon/folder_watcher.hpp"

namespace asio = boost::asio;

namespace pdm::daemon {
namespace {

constexpr DWORD notify_filter = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |
                                FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                                FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SECURITY |
                                FILE_NOTIFY_CHANGE_CREATION;

class DirectoryChangesWatcher final : public FolderWatcher {
public:
    DirectoryChangesWatcher(asio::io_context& io, const Repository& repository)
        : io_(io), repository_(repository), folder_(io) {
        const HANDLE folder = CreateFileW(repository_.root().c_str(), FILE_LIST_DIRECTORY,
                                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                          OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr);
        if (folder == INVALID_HANDLE_VALUE)
            throw std::runtime_error("cannot watch " + repository_.root().string() +
                                     win::error(GetLastError(), "").what());
        folder_.assign(folder);
    }

    void start(Handler handler) override {
        handler_ = std::move(handler);
        read();
    }

    void stop() override {
        stopped_ = true;
        boost::system::error_code ignored;
        folder_.close(ignored);  // the read under way ends with operation_aborted
    }

private:
    void read() {
        if (!folder_.is_open()) return;
        asio::windows::overlapped_ptr done(io_, [this](const boost::system::error_code& error, std::size_t bytes) {
            if (error) {
                // Closing the folder ends the read under way (Wine with a code of its own).
                if (!stopped_ && error != asio::error::operation_aborted)
                    spdlog::error("the folder watcher stopped: {}", error.message());
                return;
            }
            handle(bytes);
            read();
        });
        const BOOL started = ReadDirectoryChangesW(folder_.native_handle(), buffer_.data(),
                                                   static_cast<DWORD>(buffer_.size()), TRUE, notify_filter, nullptr,
                                                   done.get(), nullptr);
        if (!started) {
            done.complete(boost::system::error_code(static_cast<int>(GetLastError()), asio::error::get_system_category()),
                          0);
        } else {
            done.release();
        }
    }

    void handle(std::size_t bytes) {
        std::vector<WatchNotice> notices;
        if (bytes == 0) {
            spdlog::warn("the folder watcher lost events (buffer overflow); re-reading the whole repository");
            notices.push_back({"", true, {}, WatchNotice::What::changed});
            handler_(notices);
            return;
        }
        std::string renamed_from;
        for (std::size_t offset = 0;;) {
            FILE_NOTIFY_INFORMATION record{};
            std::memcpy(&record, buffer_.data() + offset, offsetof(FILE_NOTIFY_INFORMATION, FileName));
            std::wstring name(record.FileNameLength / sizeof(wchar_t), L'\0');
            std::memcpy(name.data(), buffer_.data() + offset + offsetof(FILE_NOTIFY_INFORMATION, FileName),
                        record.FileNameLength);
            note(record.Action, name, renamed_from, notices);
            if (record.NextEntryOffset == 0) break;
            offset += record.NextEntryOffset;
        }
        if (!notices.empty()) handler_(notices);
    }

    void note(DWORD action, const std::wstring& name, std::string& renamed_from, std::vector<WatchNotice>& notices) {
        std::string path;
        try {
            path = win::utf8(name);
        } catch (const std::exception&) {
            return;
        }
        for (char& c : path) {
            if (c == '\\') c = '/';
        }
        if (skipped(path)) return;
        const DWORD attributes = GetFileAttributesW((repository_.root() / name).c_str());
        const bool folder = attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY);
        WatchNotice notice{path, false, {}, WatchNotice::What::changed};
        switch (action) {
        case FILE_ACTION_ADDED:
            notice.what = folder ? WatchNotice::What::folder_appeared : WatchNotice::What::appeared;
            break;
        case FILE_ACTION_MODIFIED:
            if (folder) return;  // its entries changed: they report themselves
            notice.what = WatchNotice::What::written;
            break;
        case FILE_ACTION_RENAMED_OLD_NAME:
            renamed_from = path;
            break;
        case FILE_ACTION_RENAMED_NEW_NAME:
            notice.what = folder ? WatchNotice::What::folder_appeared : WatchNotice::What::appeared;
            notice.moved_from = std::exchange(renamed_from, std::string());
            break;
        default:  // FILE_ACTION_REMOVED
            break;
        }
        notices.push_back(std::move(notice));
    }

    // Inside a folder the repository skips (its own state folder, say).
    bool skipped(const std::string& path) const {
        for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
            if (repository_.skips_folder(path.substr(0, slash))) return true;
        }
        return false;
    }

    asio::io_context& io_;
    const Repository& repository_;
    asio::windows::stream_handle folder_;
    alignas(DWORD) std::array<char, 64 * 1024> buffer_{};
    Handler handler_;
    bool stopped_ = false;
};

}  // namespace

std::unique_ptr<FolderWatcher> FolderWatcher::create(asio::io_context& io, const Repository& repository) {
    return std::make_unique<DirectoryChangesWatcher>(io, repository);
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
// The daemon's endpoint on Windows: a named pipe. Asio has no named-pipe
// acceptor, so this is one: each instance is created overlapped, wrapped as
// a windows::stream_handle (which ties it to the event loop's completion
// port), and ConnectNamedPipe waits for a client through an overlapped_ptr.
// When a client connects, the next instance is created before the connected
// one is handed over, so a client never finds the name without an instance.
#include <windows.h>
#include <sddl.h>

#include <optional>
#include <stdexcept>

#include <boost/asio/windows/overlapped_ptr.hpp>

#include "core/win_security.hpp"
#include "core/win_text.hpp"
#include "ipc/local_endpoint.hpp"

namespace pdm::ipc {
namespace {

namespace asio = boost::asio;

constexpr const char* default_pipe = R"(\\.\pipe\pdmd)";
constexpr const char* pipe_prefix = R"(\\.\pipe\)";
constexpr DWORD pipe_buffer_bytes = 64 * 1024;

// Who may connect: SYSTEM, Administrators and the daemon's own account fully;
// the users (interactive users, or the members of --pipe-users) may read and
// write, but not create instances (the pipe's FILE_APPEND_DATA is
// FILE_CREATE_PIPE_INSTANCE), so nobody can put a server of their own behind
// the daemon's name.
constexpr const wchar_t* client_rights = L"0x12018b";  // FILE_GENERIC_READ | FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES

std::wstring sid_text(const win::Sid& sid) {
    wchar_t* text = nullptr;
    if (!ConvertSidToStringSidW(win::sid_pointer(sid), &text)) throw std::runtime_error("cannot describe an account");
    std::wstring result(text);
    LocalFree(text);
    return result;
}

std::unique_ptr<void, win::LocalFreeDeleter> pipe_security(const std::string& users) {
    std::wstring users_sid = L"IU";
    if (!users.empty()) {
        const std::optional<win::Sid> group = win::sid_of_user_or_group(users);
        if (!group)
            throw std::runtime_error("there is no group or account named '" + users +
                                     "' to let use the pipe (--pipe-users)");
        users_sid = sid_text(*group);
    }
    const std::wstring sddl = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + sid_text(win::process_user_sid()) + L")(A;;" +
                              client_rights + L";;;" + users_sid + L")";
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &descriptor, nullptr))
        throw std::runtime_error("cannot describe who may use the pipe");
    return std::unique_ptr<void, win::LocalFreeDeleter>(descriptor);
}

std::string error_text(DWORD error) { return win::error(error, "").what(); }

class PipeListener final : public LocalListener {
public:
    PipeListener(asio::io_context& io, const ListenOptions& options)
        : io_(io), name_(options.path.empty() ? default_pipe : options.path), security_(pipe_security(options.users)) {
        if (name_.rfind(pipe_prefix, 0) != 0)
            throw std::runtime_error("'" + name_ + "' is not a pipe name; pipe names begin with " + pipe_prefix);
        pending_.emplace(io_, create_instance(true));
    }

    ~PipeListener() override { close(); }

    void async_accept(AcceptHandler handler) override {
        if (!pending_) {
            handler(asio::error::bad_descriptor, LocalStream(io_));
            return;
        }
        asio::windows::overlapped_ptr connected(
            io_, [this, handler = std::move(handler)](const boost::system::error_code& error, std::size_t) mutable {
                connected_now(error, std::move(handler));
            });
        const BOOL ok = ConnectNamedPipe(pending_->native_handle(), connected.get());
        const DWORD error = GetLastError();
        if (!ok && error == ERROR_PIPE_CONNECTED) {
            connected.complete({}, 0);  // a client came between the instance's creation and this call
        } else if (!ok && error != ERROR_IO_PENDING) {
            connected.complete(boost::system::error_code(static_cast<int>(error), asio::error::get_system_category()),
                               0);
        } else {
            connected.release();  // the completion port reports it
        }
    }

    std::vector<LocalStream> accept_waiting() override { return {}; }

    void close() override {
        closed_ = true;
        if (!pending_) return;
        boost::system::error_code ignored;
        pending_->close(ignored);  // a ConnectNamedPipe under way ends with operation_aborted
        pending_.reset();
    }

    const std::string& path() const override { return name_; }

private:
    HANDLE create_instance(bool first) {
        SECURITY_ATTRIBUTES attributes{sizeof attributes, security_.get(), FALSE};
        const std::wstring wide_name = win::wide(name_);
        const HANDLE pipe = CreateNamedPipeW(
            wide_name.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, PIPE_UNLIMITED_INSTANCES,
            pipe_buffer_bytes, pipe_buffer_bytes, 0, &attributes);
        if (pipe != INVALID_HANDLE_VALUE) return pipe;
        const DWORD error = GetLastError();
        if (first && (error == ERROR_ACCESS_DENIED || error == ERROR_PIPE_BUSY))
            throw std::runtime_error("another process already serves " + name_ + "; stop it first or choose another --pipe");
        throw std::runtime_error("cannot create the pipe " + name_ + error_text(error));
    }

    void connected_now(const boost::system::error_code& error, AcceptHandler handler) {
        if (closed_ || error == asio::error::operation_aborted) {
            handler(asio::error::operation_aborted, LocalStream(io_));
            return;
        }
        LocalStream client = std::move(*pending_);
        pending_.reset();
        try {
            pending_.emplace(io_, create_instance(false));
        } catch (const std::exception&) {
            // Out of resources: the next async_accept reports it and the server backs off.
        }
        if (error) {
            handler(error, LocalStream(io_));
            return;
        }
        handler({}, std::move(client));
    }

    asio::io_context& io_;
    std::string name_;
    std::unique_ptr<void, win::LocalFreeDeleter> security_;
    std::optional<LocalStream> pending_;
    bool closed_ = false;
};

}  // namespace

std::unique_ptr<LocalListener> LocalListener::open(asio::io_context& io, const ListenOptions& options) {
    return std::make_unique<PipeListener>(io, options);
}

std::unique_ptr<LocalListener> LocalListener::adopt(asio::io_context&, std::intptr_t) {
    throw std::runtime_error("Windows hands no listening pipe to a service; pdmd creates its own");
}

bool peer_has_hung_up(LocalStream& stream) {
    if (!stream.is_open()) return true;
    DWORD available = 0;
    if (PeekNamedPipe(stream.native_handle(), nullptr, 0, nullptr, &available, nullptr)) return false;
    const DWORD error = GetLastError();
    return error == ERROR_BROKEN_PIPE || error == ERROR_PIPE_NOT_CONNECTED || error == ERROR_NO_DATA;
}

const EndpointNaming& endpoint_naming() {
    static constexpr EndpointNaming naming{"--pipe", "PDMD_PIPE", "pipe", "NAME",
                                           R"(The named pipe to serve (default: \\.\pipe\pdmd))", false};
    return naming;
}

void interrupt_local(LocalStream& stream) { CancelIoEx(stream.native_handle(), nullptr); }

std::size_t bytes_waiting(LocalStream& pipe) {
    DWORD available = 0;
    if (!PeekNamedPipe(pipe.native_handle(), nullptr, 0, nullptr, &available, nullptr)) return 0;
    return available;
}

LocalStream connect_local(asio::io_context& io, const std::string& path) {
    const std::wstring name = win::wide(path);
    for (int attempt = 0;; ++attempt) {
        // SECURITY_IDENTIFICATION: the daemon may learn who we are, never act as us.
        const HANDLE pipe = CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                        FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
        if (pipe != INVALID_HANDLE_VALUE) return LocalStream(io, pipe);
        const DWORD error = GetLastError();
        // Every instance taken for the moment: the daemon creates the next at once.
        if (error == ERROR_PIPE_BUSY && attempt < 10 && WaitNamedPipeW(name.c_str(), 1000)) continue;
        throw boost::system::system_error(
            boost::system::error_code(static_cast<int>(error), asio::error::get_system_category()), "pipe " + path);
    }
}

std::vector<Endpoint> default_endpoints() { return {{default_pipe, "system"}}; }

std::string describe_connect_failure(const std::string&, const boost::system::error_code& error) {
    switch (error.value()) {
    case ERROR_FILE_NOT_FOUND:
        return "no pipe of that name (is the pdmd service running? sc.exe query pdmd)";
    case ERROR_ACCESS_DENIED:
        return "access denied: the pipe lets in interactive users, administrators and the service's own account";
    case ERROR_PIPE_BUSY:
        return "the daemon is busy; try again";
    default:
        return error.message();
    }
}

std::string default_endpoint_path() { return default_pipe; }

}  // namespace pdm::ipc

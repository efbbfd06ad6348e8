// SPDX-License-Identifier: Apache-2.0
// pdmd.exe under Windows' service control manager (--service), or from a
// console.
//
// As a service: main enters StartServiceCtrlDispatcherW, which calls
// service_main on a thread of its own; that reports START_PENDING, runs the
// daemon, which reports RUNNING only once the pipe serves (ready()), and
// reports STOPPED with the daemon's exit code when it returns. STOP and
// SHUTDOWN reach the daemon's stop, PARAMCHANGE its reload, posted to the
// event loop from the dispatcher's thread.
//
// With --install-service or --uninstall-service it registers or removes the
// service instead (service_install_win.cpp).
//
// From a console: Ctrl+C, Ctrl+Break and closing the console stop it, as
// SIGINT and SIGTERM do on Linux (the C runtime turns those console events
// into SIGINT and SIGBREAK, which Asio's signal_set reads on the event loop).
// A program without that console (a script, a test) asks the same by setting
// the named event Local\pdmd-stop-<pid>, or reloads it as SIGHUP does with
// Local\pdmd-reload-<pid>: nginx for Windows does the same. The events carry
// the default security of pdmd's own token (its account and SYSTEM may set
// them). An event of that name made before pdmd's is someone else's: pdmd
// does not use it.
#include <windows.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/windows/object_handle.hpp>
#include <spdlog/spdlog.h>

#include "core/win_text.hpp"
#include "daemon/event_log_win.hpp"
#include "daemon/service_install_win.hpp"
#include "daemon/service_manager.hpp"

namespace pdm::daemon {
namespace {

constexpr const wchar_t* service_name = L"pdmd";

// An auto-reset event named for this process: Local\pdmd-<what>-<pid>.
HANDLE control_event(const char* what) {
    const std::wstring name = L"Local\\pdmd-" + std::wstring(what, what + std::strlen(what)) + L"-" +
                              std::to_wstring(GetCurrentProcessId());
    const HANDLE event = CreateEventW(nullptr, FALSE, FALSE, name.c_str());
    if (event && GetLastError() == ERROR_ALREADY_EXISTS) {
        // Made by another process, with its security: it could stop us at will.
        CloseHandle(event);
        spdlog::warn("the event pdmd-{}-{} exists already and is not pdmd's; pdmd does not watch it", what,
                     GetCurrentProcessId());
        return nullptr;
    }
    if (!event) spdlog::warn("cannot create the event pdmd-{}-{}: {}", what, GetCurrentProcessId(), win::words_for(GetLastError()));
    return event;
}

class ConsoleControls final : public ServiceManager::ControlsWatch {
public:
    ConsoleControls(boost::asio::io_context& io, ServiceManager::Controls controls)
        : controls_(std::move(controls)),
          stop_signals_(io, SIGINT, SIGBREAK),
          stop_event_(io),
          reload_event_(io) {
        stop_signals_.async_wait([this](const boost::system::error_code& error, int signal_number) {
            if (error || watching_ended_) return;
            spdlog::info("received {}; shutting down", signal_number == SIGINT ? "Ctrl+C" : "Ctrl+Break");
            controls_.stop();
        });
        if (const HANDLE event = control_event("stop")) {
            stop_event_.assign(event);
            stop_event_.async_wait([this](const boost::system::error_code& error) {
                if (error || watching_ended_) return;
                spdlog::info("asked to stop (event pdmd-stop-{}); shutting down", GetCurrentProcessId());
                controls_.stop();
            });
        }
        if (const HANDLE event = control_event("reload")) {
            reload_event_.assign(event);
            wait_for_reload();
        }
    }

    // Whichever way the stop came, the other waits end too, or the event
    // loop would never run out of work. Cleared, a second Ctrl+C gets the C
    // runtime's default: the process ends.
    void stop_watching() override {
        watching_ended_ = true;  // a completion already queued does nothing
        boost::system::error_code ignored;
        stop_signals_.clear(ignored);
        stop_signals_.cancel(ignored);
        stop_event_.close(ignored);
        reload_event_.close(ignored);
    }

private:
    void wait_for_reload() {
        reload_event_.async_wait([this](const boost::system::error_code& error) {
            if (error || watching_ended_) return;
            controls_.reload();
            wait_for_reload();
        });
    }

    ServiceManager::Controls controls_;
    bool watching_ended_ = false;
    boost::asio::signal_set stop_signals_;
    boost::asio::windows::object_handle stop_event_;
    boost::asio::windows::object_handle reload_event_;
};

class ConsoleManager final : public UnannouncedRun {
public:
    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<ConsoleControls>(io, std::move(controls));
    }
};

// The service as the service control manager sees it.
class ScmManager final : public ServiceManager {
public:
    // `name`: the service's, as the service control manager started it.
    explicit ScmManager(std::string name) : name_(std::move(name)) {}

    // Once the handler is registered: the service is starting.
    void attach(SERVICE_STATUS_HANDLE handle) {
        handle_ = handle;
        report(SERVICE_START_PENDING, 10000);
    }

    std::optional<std::intptr_t> inherited_listener() override { return std::nullopt; }
    void ready(const std::string&) override { report(SERVICE_RUNNING, 0); }
    void status(const std::string&) override {}
    void reloading() override {}
    void stopping() override { report(SERVICE_STOP_PENDING, 30000); }
    std::optional<std::chrono::microseconds> watchdog_interval() override { return std::nullopt; }
    void watchdog() override {}
    bool logs_to_journal() override { return false; }
    spdlog::sink_ptr system_log() override { return event_log_sink(name_); }

    class Watch final : public ControlsWatch {
    public:
        Watch(ScmManager& manager, boost::asio::io_context& io, Controls controls) : manager_(manager) {
            const std::lock_guard guard(manager_.mutex_);
            manager_.io_ = &io;
            manager_.controls_ = std::move(controls);
            // A STOP that came before the event loop listened.
            if (manager_.stop_requested_) boost::asio::post(io, manager_.controls_.stop);
        }
        ~Watch() override { stop_watching(); }
        void stop_watching() override {
            const std::lock_guard guard(manager_.mutex_);
            manager_.io_ = nullptr;
        }

    private:
        ScmManager& manager_;
    };
    std::unique_ptr<ControlsWatch> watch_controls(boost::asio::io_context& io, Controls controls) override {
        return std::make_unique<Watch>(*this, io, std::move(controls));
    }

    // On the dispatcher's thread.
    DWORD control(DWORD code) {
        const std::lock_guard guard(mutex_);
        switch (code) {
        case SERVICE_CONTROL_STOP:
        case SERVICE_CONTROL_SHUTDOWN:
            if (stop_requested_) return NO_ERROR;
            stop_requested_ = true;
            report(SERVICE_STOP_PENDING, 30000);
            if (io_) boost::asio::post(*io_, controls_.stop);
            return NO_ERROR;
        case SERVICE_CONTROL_PARAMCHANGE:
            if (io_) boost::asio::post(*io_, controls_.reload);
            return NO_ERROR;
        case SERVICE_CONTROL_INTERROGATE:
            return NO_ERROR;
        default:
            return ERROR_CALL_NOT_IMPLEMENTED;
        }
    }

    void stopped(int exit_code) {
        status_.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
        status_.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
        report(SERVICE_STOPPED, 0);
    }

private:
    void report(DWORD state, DWORD wait_hint) {
        status_.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
        status_.dwCurrentState = state;
        status_.dwControlsAccepted =
            state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE : 0;
        status_.dwWaitHint = wait_hint;
        status_.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : ++check_point_;
        SetServiceStatus(handle_, &status_);
    }

    std::string name_;  // the event source its log lines come from
    SERVICE_STATUS_HANDLE handle_ = nullptr;
    SERVICE_STATUS status_{};
    DWORD check_point_ = 0;
    std::mutex mutex_;
    boost::asio::io_context* io_ = nullptr;
    Controls controls_;
    bool stop_requested_ = false;
};

DWORD WINAPI handle_control(DWORD code, DWORD, LPVOID, LPVOID context) {
    return static_cast<ScmManager*>(context)->control(code);
}

// The dispatcher's C interface hands service_main nothing of ours: what it
// runs is left here, once, before the dispatcher starts, and read only by it.
struct ServiceRun {
    const std::function<int(ServiceManager&)>* daemon = nullptr;
    int exit_code = 0;
};
ServiceRun service_run;

// argv[0]: the name the service was started under (--service-name at install).
void WINAPI service_main(DWORD argc, LPWSTR* argv) {
    const std::wstring name = argc > 0 && argv[0] ? argv[0] : service_name;
    ScmManager scm(win::utf8(name));
    const SERVICE_STATUS_HANDLE handle = RegisterServiceCtrlHandlerExW(name.c_str(), handle_control, &scm);
    if (!handle) return;
    scm.attach(handle);
    service_run.exit_code = (*service_run.daemon)(scm);
    scm.stopped(service_run.exit_code);
}

}  // namespace

int ServiceManager::host(const DaemonConfig& config, const std::function<int(ServiceManager&)>& daemon) {
    if (config.install_service) return install_service(config);
    if (config.uninstall_service) return uninstall_service(config);
    if (!config.service) {
        ConsoleManager console;
        return daemon(console);
    }
    service_run.daemon = &daemon;
    SERVICE_TABLE_ENTRYW table[] = {{const_cast<LPWSTR>(service_name), service_main}, {nullptr, nullptr}};
    if (!StartServiceCtrlDispatcherW(table)) {
        if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            std::fputs("pdmd: --service is for the service control manager (sc.exe start pdmd); from a console, "
                       "run pdmd without it\n",
                       stderr);
        } else {
            std::fprintf(stderr, "pdmd: cannot start the service dispatcher (Windows error %lu)\n", GetLastError());
        }
        return 1;
    }
    return service_run.exit_code;
}

bool ServiceManager::has_service_mode() { return true; }

}  // namespace pdm::daemon

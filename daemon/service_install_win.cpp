// SPDX-License-Identifier: Apache-2.0
#include "daemon/service_install_win.hpp"

#include <windows.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "core/win_text.hpp"
#include "daemon/event_log_win.hpp"

namespace pdm::daemon {
namespace {

struct ServiceHandleCloser {
    void operator()(SC_HANDLE handle) const { CloseServiceHandle(handle); }
};
using ServiceHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ServiceHandleCloser>;

std::string last_error_text() { return win::words_for(GetLastError()); }

std::wstring this_program() {
    std::wstring path(MAX_PATH, L'\0');
    for (;;) {
        const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (length < path.size()) {
            path.resize(length);
            return path;
        }
        path.resize(path.size() * 2);
    }
}

// The service starts in C:\Windows\System32: a relative path would lead there.
bool paths_are_absolute(const DaemonConfig& config) {
    for (const std::string* path : {&config.repo, &config.state_dir, &config.log_file}) {
        if (!path->empty() && !std::filesystem::path(win::wide(*path)).is_absolute()) {
            std::fprintf(stderr, "pdmd: %s is a relative path; give the service absolute ones\n", path->c_str());
            return false;
        }
    }
    return true;
}

std::string where_it_logs(const DaemonConfig& config) {
    if (!config.log_file.empty()) return config.log_file;
    return "the Application log in Event Viewer, source " + config.service_name;
}

DWORD state_of(SC_HANDLE service) {
    SERVICE_STATUS status{};
    return QueryServiceStatus(service, &status) ? status.dwCurrentState : 0;
}

bool wait_for(SC_HANDLE service, DWORD state, std::chrono::seconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (state_of(service) != state) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return true;
}

}  // namespace

int install_service(const DaemonConfig& config) {
    if (!paths_are_absolute(config)) return 2;
    std::wstring command = win::command_line_argument(this_program()) + L" --service";
    for (const std::string& argument : config.service_arguments) command += L" " + win::command_line_argument(win::wide(argument));
    const std::wstring name = win::wide(config.service_name);

    const ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
    if (!manager) {
        std::fprintf(stderr, "pdmd: cannot reach the service control manager: %s (run from an elevated prompt)\n",
                     last_error_text().c_str());
        return 1;
    }
    const ServiceHandle service(CreateServiceW(manager.get(), name.c_str(), L"pdmd: part file check-outs",
                                               SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                               SERVICE_ERROR_NORMAL, command.c_str(), nullptr, nullptr, nullptr,
                                               nullptr, nullptr));
    if (!service) {
        const DWORD error = GetLastError();
        std::fprintf(stderr, "pdmd: cannot create the service %s: %s%s\n", config.service_name.c_str(),
                     win::words_for(error).c_str(),
                     error == ERROR_SERVICE_EXISTS ? " (pdmd.exe --uninstall-service removes it)" : "");
        return 1;
    }
    std::printf("installed the service %s: %s\n", config.service_name.c_str(), win::utf8(command).c_str());
    if (const auto refused = register_event_source(name, this_program())) {
        std::fprintf(stderr, "pdmd: warning: cannot register the event source %s (%s): Event Viewer shows its "
                     "lines after a note that their description is missing\n",
                     config.service_name.c_str(), refused->c_str());
    }

    std::wstring about = L"Guards a folder of part files with exclusive check-outs and check-ins.";
    SERVICE_DESCRIPTIONW description{about.data()};
    ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION, &description);
    // Restarted after a failure: twice at once, then after a minute; the count resets daily.
    SC_ACTION actions[] = {{SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 60000}};
    SERVICE_FAILURE_ACTIONSW failure{86400, nullptr, nullptr, 3, actions};
    if (!ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, &failure))
        std::fprintf(stderr, "pdmd: warning: cannot set restart-after-failure: %s\n", last_error_text().c_str());

    if (!StartServiceW(service.get(), 0, nullptr)) {
        std::fprintf(stderr, "pdmd: the service is installed but did not start: %s (see %s)\n",
                     last_error_text().c_str(), where_it_logs(config).c_str());
        return 1;
    }
    if (!wait_for(service.get(), SERVICE_RUNNING, std::chrono::seconds(60))) {
        std::fprintf(stderr, "pdmd: the service is installed but not running (see %s)\n",
                     where_it_logs(config).c_str());
        return 1;
    }
    std::printf("started the service %s: it is running\n", config.service_name.c_str());
    return 0;
}

int uninstall_service(const DaemonConfig& config) {
    const std::wstring name = win::wide(config.service_name);
    const ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!manager) {
        std::fprintf(stderr, "pdmd: cannot reach the service control manager: %s (run from an elevated prompt)\n",
                     last_error_text().c_str());
        return 1;
    }
    const ServiceHandle service(
        OpenServiceW(manager.get(), name.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (!service) {
        std::fprintf(stderr, "pdmd: cannot open the service %s: %s\n", config.service_name.c_str(),
                     last_error_text().c_str());
        return 1;
    }
    if (state_of(service.get()) != SERVICE_STOPPED) {
        SERVICE_STATUS status{};
        ControlService(service.get(), SERVICE_CONTROL_STOP, &status);
        if (!wait_for(service.get(), SERVICE_STOPPED, std::chrono::seconds(60))) {
            std::fprintf(stderr, "pdmd: the service %s did not stop within a minute; not removed\n",
                         config.service_name.c_str());
            return 1;
        }
        std::printf("stopped the service %s\n", config.service_name.c_str());
    }
    if (!DeleteService(service.get())) {
        std::fprintf(stderr, "pdmd: cannot remove the service %s: %s\n", config.service_name.c_str(),
                     last_error_text().c_str());
        return 1;
    }
    unregister_event_source(name);
    std::printf("removed the service %s; its locks, audit trail and history stay in the state folder\n",
                config.service_name.c_str());
    return 0;
}

}  // namespace pdm::daemon

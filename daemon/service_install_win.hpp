// SPDX-License-Identifier: Apache-2.0
#pragma once
// pdmd.exe registering itself with Windows' service control manager:
//   pdmd.exe --install-service --repo D:\parts [any other flags]
//   pdmd.exe --uninstall-service
// what sc.exe create / failure / start and sc.exe stop / delete do, in one
// step each, with the flags checked first. (On Linux the package's systemd
// units do this.)

#include "daemon/config.hpp"

namespace pdm::daemon {

// Registers the service `config.service_name` to start at boot as
// `pdmd.exe --service` with `config.service_arguments`, restarting it after a
// failure, and starts it. Prints what it did; returns the exit code.
int install_service(const DaemonConfig& config);

// Stops the service (waiting for it) and removes it. Prints what it did;
// returns the exit code.
int uninstall_service(const DaemonConfig& config);

}  // namespace pdm::daemon

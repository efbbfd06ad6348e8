// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a client found (or looks for) its daemon.

#include <string>

namespace pdm::ipc {

struct Endpoint {
    std::string path;
    std::string which;  // "given" (--socket or $PDMD_SOCKET), "per-user" or "system"
};

}  // namespace pdm::ipc

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who is on the other end of a local connection, as the operating system
// vouches for it (SO_PEERCRED on Linux; the pipe client's token on Windows).
// One file per platform: peer_identity_posix.cpp, peer_identity_win.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/local_stream.hpp"

namespace pdm::ipc {

struct PeerIdentity {
    std::uint32_t uid = 0;
    std::int64_t pid = 0;
    std::string user;                 // account name; the decimal uid when it has none (then refused)
    bool has_account = false;         // the uid resolved to an account
    std::vector<std::string> groups;  // names of the account's groups
    bool superuser = false;
};

// Who counts as a superuser here (PeerIdentity::superuser), in words for logs:
// "root"; on Windows "elevated Administrators and SYSTEM".
const char* superusers_in_words();

// Nothing when the platform cannot say (the connection is then refused).
std::optional<PeerIdentity> identify_peer(LocalStream& stream);

}  // namespace pdm::ipc

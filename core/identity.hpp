// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who is asking. Built by the daemon from the operating system's account of the
// peer (never from anything the client sent), then handed to core.

#include <cstdint>
#include <string>
#include <vector>

namespace pdm {

struct Identity {
    std::string user;
    bool admin = false;
    std::uint64_t connection = 0;  // the client connection asking (for the waiting list)
};

// Who counts as an admin: the superuser, users named in the configuration, and
// members of the configured admin group.
struct AdminPolicy {
    std::vector<std::string> users;
    std::string group;  // empty: no admin group

    bool is_admin(bool superuser, const std::string& user, const std::vector<std::string>& groups) const;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/identity.hpp"

#include <algorithm>

namespace pdm {

bool AdminPolicy::is_admin(bool superuser, const std::string& user,
                           const std::vector<std::string>& groups) const {
    if (superuser) return true;
    if (std::find(users.begin(), users.end(), user) != users.end()) return true;
    return !group.empty() && std::find(groups.begin(), groups.end(), group) != groups.end();
}

}  // namespace pdm

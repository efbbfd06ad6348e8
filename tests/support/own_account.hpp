// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who the test itself runs as, found the way the daemon finds its peers: what
// pdmd must report for the test's own connections. own_account_posix.cpp
// (the passwd entry of the effective uid) and own_account_win.cpp (the
// token's DOMAIN\user and its enabled Administrators group).

#include <string>

namespace pdm::test {

std::string own_account_name();
// Root; on Windows an elevated member of Administrators.
bool own_account_is_superuser();

}  // namespace pdm::test

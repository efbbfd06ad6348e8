// SPDX-License-Identifier: Apache-2.0
#include "tests/support/own_account.hpp"

#include <windows.h>

#include "core/win_security.hpp"

namespace pdm::test {

std::string own_account_name() { return win::account_of(win::sid_pointer(win::process_user_sid())); }

bool own_account_is_superuser() {
    unsigned char sid[SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof sid;
    BOOL member = FALSE;
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, sid, &size)) return false;
    return CheckTokenMembership(nullptr, sid, &member) && member;
}

}  // namespace pdm::test

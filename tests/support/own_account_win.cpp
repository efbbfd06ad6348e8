// SPDX-License-Identifier: Apache-2.0
#include "tests/support/own_account.hpp"

#include <windows.h>

#include <stdexcept>
#include <vector>

namespace pdm::test {

std::string own_account_name() {
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) throw std::runtime_error("cannot open this process' token");
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<unsigned char> buffer(size);
    const BOOL got = GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    CloseHandle(token);
    if (!got) throw std::runtime_error("cannot read this process' user");
    char name[256];
    char domain[256];
    DWORD name_size = sizeof name;
    DWORD domain_size = sizeof domain;
    SID_NAME_USE use{};
    if (!LookupAccountSidA(nullptr, reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, name, &name_size, domain,
                           &domain_size, &use)) {
        throw std::runtime_error("this process' user has no account name");
    }
    return domain_size > 0 ? std::string(domain) + "\\" + name : std::string(name);
}

bool own_account_is_superuser() {
    unsigned char sid[SECURITY_MAX_SID_SIZE];
    DWORD size = sizeof sid;
    BOOL member = FALSE;
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, sid, &size)) return false;
    return CheckTokenMembership(nullptr, sid, &member) && member;
}

}  // namespace pdm::test

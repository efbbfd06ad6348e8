// SPDX-License-Identifier: Apache-2.0
// Who is on the other end of a pipe: the client process' id from the pipe
// itself (GetNamedPipeClientProcessId), that process' access token, and from
// it the account, its groups, and whether it runs elevated as an
// administrator (a filtered UAC token holds Administrators for deny only).
#include <windows.h>

#include <vector>

#include "core/win_security.hpp"
#include "ipc/peer_identity.hpp"

namespace pdm::ipc {
namespace {

struct Token {
    HANDLE handle = nullptr;
    ~Token() {
        if (handle) CloseHandle(handle);
    }
};

std::vector<unsigned char> token_information(HANDLE token, TOKEN_INFORMATION_CLASS what) {
    DWORD size = 0;
    GetTokenInformation(token, what, nullptr, 0, &size);
    std::vector<unsigned char> buffer(size);
    if (size == 0 || !GetTokenInformation(token, what, buffer.data(), size, &size)) return {};
    return buffer;
}

}  // namespace

const char* superusers_in_words() { return "elevated Administrators and SYSTEM"; }

std::optional<PeerIdentity> identify_peer(LocalStream& stream) {
    ULONG pid = 0;
    if (!GetNamedPipeClientProcessId(stream.native_handle(), &pid)) return std::nullopt;
    const HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    if (!process) return std::nullopt;
    Token token;
    const BOOL opened = OpenProcessToken(process, TOKEN_QUERY, &token.handle);
    CloseHandle(process);
    if (!opened) return std::nullopt;

    const std::vector<unsigned char> user = token_information(token.handle, TokenUser);
    if (user.empty()) return std::nullopt;
    const PSID sid = reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid;
    PeerIdentity identity;
    identity.pid = pid;
    // Windows has no uid: the account's relative id stands in (it keys the
    // per-user connection count only).
    identity.uid = *GetSidSubAuthority(sid, *GetSidSubAuthorityCount(sid) - 1);
    identity.user = win::account_of(sid);
    identity.has_account = identity.user.rfind("S-1-", 0) != 0;

    const std::vector<unsigned char> groups = token_information(token.handle, TokenGroups);
    if (!groups.empty()) {
        const auto* list = reinterpret_cast<const TOKEN_GROUPS*>(groups.data());
        for (DWORD i = 0; i < list->GroupCount; ++i) {
            const SID_AND_ATTRIBUTES& group = list->Groups[i];
            if (!(group.Attributes & SE_GROUP_ENABLED)) continue;  // deny-only (UAC) and disabled groups
            if (IsWellKnownSid(group.Sid, WinBuiltinAdministratorsSid)) identity.superuser = true;
            const std::string name = win::account_of(group.Sid);
            if (name.rfind("S-1-", 0) != 0) identity.groups.push_back(name);
        }
    }
    if (IsWellKnownSid(sid, WinLocalSystemSid)) identity.superuser = true;
    return identity;
}

}  // namespace pdm::ipc

// SPDX-License-Identifier: Apache-2.0
#include "core/win_security.hpp"

#include <sddl.h>

#include <utility>

#include "core/win_text.hpp"

namespace pdm::win {

Sid process_user_sid() {
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) throw_last_error("cannot read this process' user");
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<unsigned char> buffer(size);
    const BOOL got = GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    CloseHandle(token);
    if (!got) throw_last_error("cannot read this process' user");
    const PSID sid = reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid;
    const auto* bytes = static_cast<const unsigned char*>(sid);
    return {bytes, bytes + GetLengthSid(sid)};
}

std::string account_of(PSID sid) {
    wchar_t name[256];
    wchar_t domain[256];
    DWORD name_size = 256;
    DWORD domain_size = 256;
    SID_NAME_USE use{};
    if (LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use))
        return domain_size > 0 ? utf8(domain) + "\\" + utf8(name) : utf8(name);
    wchar_t* text = nullptr;
    if (!ConvertSidToStringSidW(sid, &text)) return "an unknown account";
    const std::string shown = utf8(text);
    LocalFree(text);
    return shown;
}

std::vector<AllowedEntry> allowed_entries(PACL dacl) {
    std::vector<AllowedEntry> entries;
    if (!dacl) return entries;
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* entry = nullptr;
        if (!GetAce(dacl, i, &entry)) continue;
        const auto* header = static_cast<const ACE_HEADER*>(entry);
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
        auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(entry);
        entries.push_back({&allowed->SidStart, allowed->Mask, header->AceFlags});
    }
    return entries;
}

namespace {

std::optional<std::pair<Sid, SID_NAME_USE>> look_up(const std::string& name) {
    const std::wstring wide_name = wide(name);
    DWORD sid_size = 0;
    DWORD domain_size = 0;
    SID_NAME_USE use{};
    LookupAccountNameW(nullptr, wide_name.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
    if (sid_size == 0) return std::nullopt;
    Sid sid(sid_size);
    std::wstring domain(domain_size, L'\0');
    if (!LookupAccountNameW(nullptr, wide_name.c_str(), sid.data(), &sid_size, domain.data(), &domain_size, &use))
        return std::nullopt;
    return std::pair(std::move(sid), use);
}

}  // namespace

std::optional<Sid> sid_of(const std::string& name) {
    auto found = look_up(name);
    if (!found) return std::nullopt;
    return std::move(found->first);
}

std::optional<Sid> sid_of_user_or_group(const std::string& name) {
    auto found = look_up(name);
    if (!found) return std::nullopt;
    switch (found->second) {
        case SidTypeUser:
        case SidTypeGroup:
        case SidTypeAlias:
        case SidTypeWellKnownGroup:
            return std::move(found->first);
        default:
            return std::nullopt;
    }
}

}  // namespace pdm::win

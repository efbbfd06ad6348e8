// SPDX-License-Identifier: Apache-2.0
#pragma once
// Accounts and security descriptors, for the Windows platform files.

#include <windows.h>

#include <optional>
#include <string>
#include <vector>

namespace pdm::win {

struct LocalFreeDeleter {
    void operator()(void* memory) const { LocalFree(memory); }
};

// A SID held in memory of our own (PSID points into it).
using Sid = std::vector<unsigned char>;
inline PSID sid_pointer(const Sid& sid) { return const_cast<unsigned char*>(sid.data()); }

// The user this process runs as. Throws std::system_error.
Sid process_user_sid();

// DOMAIN\name of an account, or its S-1-... form when it has no name.
std::string account_of(PSID sid);

// An "allow" entry of a DACL.
struct AllowedEntry {
    PSID sid;  // points into the DACL
    DWORD rights;
    BYTE flags;  // INHERITED_ACE, INHERIT_ONLY_ACE, ...
};
// The DACL's allow entries, in order; none for a missing DACL.
std::vector<AllowedEntry> allowed_entries(PACL dacl);

// The account named `name` (DOMAIN\name or name); nothing when there is none.
std::optional<Sid> sid_of(const std::string& name);
// The same, only for a user or a group (not a domain or a computer, whose SID
// no user's token carries).
std::optional<Sid> sid_of_user_or_group(const std::string& name);

}  // namespace pdm::win

// SPDX-License-Identifier: Apache-2.0
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "ipc/peer_identity.hpp"

namespace pdm::ipc {
namespace {

struct Account {
    std::string name;
    gid_t primary_group = 0;
    bool found = false;
};

Account lookup_account(uid_t uid) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* result = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) != 0 || !result) {
        return {std::to_string(uid), 0, false};
    }
    return {entry.pw_name, entry.pw_gid, true};
}

std::vector<std::string> group_names(const Account& account) {
    std::vector<gid_t> ids(64);
    int count = static_cast<int>(ids.size());
    if (::getgrouplist(account.name.c_str(), account.primary_group, ids.data(), &count) < 0) {
        ids.resize(static_cast<std::size_t>(count));
        if (::getgrouplist(account.name.c_str(), account.primary_group, ids.data(), &count) < 0) return {};
    }
    ids.resize(static_cast<std::size_t>(count));
    std::vector<std::string> names;
    std::vector<char> buffer(16384);
    for (const gid_t id : ids) {
        group entry{};
        group* result = nullptr;
        if (::getgrgid_r(id, &entry, buffer.data(), buffer.size(), &result) == 0 && result)
            names.emplace_back(entry.gr_name);
    }
    return names;
}

}  // namespace

const char* superusers_in_words() { return "root"; }

std::optional<PeerIdentity> identify_peer(LocalStream& stream) {
    ucred credentials{};
    socklen_t length = sizeof credentials;
    if (::getsockopt(stream.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 ||
        length != sizeof credentials) {
        return std::nullopt;
    }
    const Account account = lookup_account(credentials.uid);
    PeerIdentity identity;
    identity.uid = credentials.uid;
    identity.pid = credentials.pid;
    identity.user = account.name;
    identity.superuser = credentials.uid == 0;
    identity.has_account = account.found;
    if (account.found) identity.groups = group_names(account);
    return identity;
}

}  // namespace pdm::ipc

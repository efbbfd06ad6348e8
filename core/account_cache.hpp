// SPDX-License-Identifier: Apache-2.0
#pragma once
// Account names and numbers as the system's user database last gave them,
// kept for a few seconds. Asking it means reading /etc/passwd (or asking
// LDAP) each time, and read-only enforcement asks at every lock change and
// `info`: without this, those lookups were a fifth of the event loop's time
// under load. An account renumbered by an administrator is seen within `keep`.
// A failed lookup is never kept: a user created a moment ago is found at once.
//
// Thread-safe: the event loop and the history thread share one.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace pdm {

class AccountCache {
public:
    using Clock = std::chrono::steady_clock;

    explicit AccountCache(Clock::duration keep = std::chrono::seconds(10), std::size_t most = 4096)
        : keep_(keep), most_(most) {}

    std::optional<std::uint32_t> id_of(const std::string& name, Clock::time_point now) const;
    std::optional<std::string> name_of(std::uint32_t id, Clock::time_point now) const;
    // What the database answered, as of `now`. Both directions are kept.
    void remember(const std::string& name, std::uint32_t id, Clock::time_point now);

private:
    struct Id {
        std::uint32_t id;
        Clock::time_point until;
    };
    struct Name {
        std::string name;
        Clock::time_point until;
    };
    Clock::duration keep_;
    std::size_t most_;  // past this many accounts, everything is forgotten and asked again
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Id> ids_;
    std::unordered_map<std::uint32_t, Name> names_;
};

}  // namespace pdm

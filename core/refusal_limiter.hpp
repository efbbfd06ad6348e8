// SPDX-License-Identifier: Apache-2.0
#pragma once
// How many refused requests of one user are audited: at most `per_minute` in
// each minute; the rest are counted, and the count goes into that user's next
// audited refusal. A client looping on a refused request cannot fill the disk
// with audit lines, and the audit trail still says it happened.
//
// Not thread-safe: used on the event loop's thread.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace pdm {

class RefusalLimiter {
public:
    explicit RefusalLimiter(std::size_t per_minute = 60) : per_minute_(per_minute) {}
    void set_per_minute(std::size_t per_minute) { per_minute_ = per_minute; }

    // True when this refusal is to be audited; then `suppressed` is how many
    // of the user's refusals were not audited since their last audited one.
    bool admit(const std::string& user, TimePoint now, std::uint64_t& suppressed);

private:
    struct Window {
        TimePoint start;
        std::size_t audited = 0;
        std::uint64_t suppressed = 0;
    };
    std::size_t per_minute_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace pdm

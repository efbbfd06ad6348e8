// SPDX-License-Identifier: Apache-2.0
#include "core/refusal_limiter.hpp"

namespace pdm {

bool RefusalLimiter::admit(const std::string& user, TimePoint now, std::uint64_t& suppressed) {
    Window& window = windows_[user];
    if (now - window.start >= std::chrono::minutes(1) || now < window.start) {
        window.start = now;
        window.audited = 0;
    }
    if (window.audited >= per_minute_) {
        ++window.suppressed;
        return false;
    }
    ++window.audited;
    suppressed = window.suppressed;
    window.suppressed = 0;
    return true;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/time_format.hpp"

#include <cstdio>

namespace pdm {

std::string format_utc(TimePoint time) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
    const auto days = std::chrono::floor<std::chrono::days>(seconds);
    const std::chrono::year_month_day date{days};
    const std::chrono::hh_mm_ss clock_time{seconds - days};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()),
                  static_cast<long>(clock_time.hours().count()),
                  static_cast<long>(clock_time.minutes().count()),
                  static_cast<long long>(clock_time.seconds().count()));
    return buffer;
}

}  // namespace pdm

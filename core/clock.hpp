// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where core gets the current time from: the daemon uses the system clock,
// tests a clock they set.

#include <chrono>

namespace pdm {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace pdm

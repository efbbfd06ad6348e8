// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "core/clock.hpp"

namespace pdm {

// "2026-11-23T10:00:00Z": UTC, whole seconds, the form locks.json has always used.
std::string format_utc(TimePoint time);

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/name_rules.hpp"

namespace pdm {

// POSIX file systems take any bytes but '/' and NUL (repo_path.cpp refuses
// those, and control characters, for every platform); case tells files apart.
std::optional<std::string> name_refusal(std::string_view) { return std::nullopt; }

std::string spelled_on_disk(const std::filesystem::path&, const std::string& normalized) { return normalized; }

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
// Repository paths as clients send them. What normalisation accepts must be
// addressable and stay as it is when normalised again; it never climbs out
// ("..") nor starts at the root.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "core/repo_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string raw(reinterpret_cast<const char*>(data), size);
    std::string normalized;
    try {
        normalized = pdm::normalize_repo_path(raw);
    } catch (const pdm::PdmError&) {
        return 0;
    }
    if (!pdm::is_addressable(normalized)) std::abort();
    if (pdm::normalize_repo_path(normalized) != normalized) std::abort();
    if (normalized.starts_with('/') || normalized == ".." || normalized.starts_with("../") ||
        normalized.find("/../") != std::string::npos || normalized.ends_with("/.."))
        std::abort();
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Paths to and from the UTF-8 text pdmd speaks (its protocol, its flags,
// its config), the same on every platform. A std::string given to
// std::filesystem::path is read in the platform's narrow encoding: UTF-8 on
// Linux, but on Windows the ANSI code page (MSVC) or Latin-1 (mingw-w64's
// libstdc++), where "Träger" would name another folder. char8_t text is UTF-8
// everywhere.

#include <filesystem>
#include <string>
#include <string_view>

namespace pdm {

inline std::filesystem::path path_from_utf8(std::string_view text) {
    return std::filesystem::path(std::u8string_view(reinterpret_cast<const char8_t*>(text.data()), text.size()));
}

// As the platform writes it (Windows: '\' between its parts).
inline std::string utf8_of(const std::filesystem::path& path) {
    const std::u8string text = path.u8string();
    return std::string(text.begin(), text.end());
}

// With '/' between its parts, as the protocol writes repository paths.
inline std::string generic_utf8(const std::filesystem::path& path) {
    const std::u8string text = path.generic_u8string();
    return std::string(text.begin(), text.end());
}

}  // namespace pdm

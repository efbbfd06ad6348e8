// SPDX-License-Identifier: Apache-2.0
#include "core/repo_path.hpp"

#include <cstdint>

#include "core/error.hpp"
#include "core/name_rules.hpp"

namespace pdm {
namespace {

[[noreturn]] void reject(std::string_view raw, const std::string& why) {
    throw PdmError(ErrorCode::invalid_path, "invalid path: " + why,
                   {{"path", std::string(raw)}});
}

}  // namespace

std::string normalize_repo_path(std::string_view raw) {
    if (raw.empty()) reject(raw, "the path is empty");
    if (raw.front() == '/') reject(raw, "absolute paths are not allowed; give it relative to the repository");
    for (const unsigned char c : raw) {
        if (c == '\\') reject(raw, "backslashes are not allowed; separate folders with '/'");
        if (c < 0x20 || c == 0x7f) reject(raw, "control characters are not allowed");
    }
    if (raw.size() >= 2 && raw[1] == ':') reject(raw, "drive letters are not allowed");
    // Found by fuzzing: a name that is not UTF-8 could be normalised, yet no
    // client could ever name it again.
    if (!is_valid_utf8(raw)) reject(raw, "the path is not valid UTF-8");

    std::string normalized;
    normalized.reserve(raw.size());
    std::size_t start = 0;
    while (start <= raw.size()) {
        std::size_t end = raw.find('/', start);
        if (end == std::string_view::npos) end = raw.size();
        const std::string_view segment = raw.substr(start, end - start);
        if (segment == "..") reject(raw, "'..' segments are not allowed");
        if (!segment.empty() && segment != ".") {
            if (const std::optional<std::string> refusal = name_refusal(segment)) reject(raw, *refusal);
            if (!normalized.empty()) normalized += '/';
            normalized += segment;
        }
        start = end + 1;
    }
    if (normalized.empty()) reject(raw, "the path names the repository root, not a file");
    // Again once "./" is gone: "./c:x" is "c:x" (found by fuzzing).
    if (normalized.size() >= 2 && normalized[1] == ':') reject(raw, "drive letters are not allowed");
    return normalized;
}

std::optional<std::string> rename_within(const std::string& path, const std::string& from, const std::string& to) {
    if (path == from) return to;
    if (path.size() > from.size() && path.starts_with(from) && path[from.size()] == '/') return to + path.substr(from.size());
    return std::nullopt;
}

bool has_hidden_segment(std::string_view normalized) {
    std::size_t start = 0;
    while (start < normalized.size()) {
        if (normalized[start] == '.') return true;
        const std::size_t slash = normalized.find('/', start);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return false;
}

}  // namespace pdm

namespace pdm {

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if ((byte & 0xE0) == 0xC0) {
            length = 2, code_point = byte & 0x1F;
        } else if ((byte & 0xF0) == 0xE0) {
            length = 3, code_point = byte & 0x0F;
        } else if ((byte & 0xF8) == 0xF0) {
            length = 4, code_point = byte & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto continuation = static_cast<unsigned char>(text[i + k]);
            if ((continuation & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (continuation & 0x3F);
        }
        static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code_point < smallest[length] || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

bool is_addressable(std::string_view name) {
    if (!is_valid_utf8(name)) return false;
    try {
        return normalize_repo_path(name) == name;
    } catch (const PdmError&) {
        return false;
    }
}

}  // namespace pdm

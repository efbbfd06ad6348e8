// SPDX-License-Identifier: Apache-2.0
#include <windows.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/name_rules.hpp"
#include "core/win_text.hpp"

namespace pdm {
namespace {

// Device names Windows reserves in every folder, with any extension.
constexpr std::array<std::string_view, 22> devices = {"CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4",
                                                      "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3",
                                                      "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};

std::string upper(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return result;
}

}  // namespace

std::optional<std::string> name_refusal(std::string_view segment) {
    if (segment.find(':') != std::string_view::npos)
        return "':' is not allowed in a name on Windows (it names a stream of another file)";
    if (segment.find_first_of("<>\"|?*") != std::string_view::npos)
        return "Windows does not allow < > \" | ? * in a name";
    if (segment.back() == '.' || segment.back() == ' ')
        return "a name may not end in a dot or a space on Windows (it would name another file)";
    const std::string stem = upper(segment.substr(0, segment.find('.')));
    if (std::find(devices.begin(), devices.end(), stem) != devices.end())
        return "'" + std::string(segment.substr(0, segment.find('.'))) + "' is a device name Windows reserves";
    return std::nullopt;
}

std::string spelled_on_disk(const std::filesystem::path& root, const std::string& normalized) {
    // FindFirstFileW of an exact name answers with the entry as it is spelled
    // on disk: one call per folder on the way.
    std::wstring folder = root.native();
    std::string spelled;
    std::size_t start = 0;
    while (start <= normalized.size()) {
        std::size_t end = normalized.find('/', start);
        if (end == std::string::npos) end = normalized.size();
        const std::string given = normalized.substr(start, end - start);
        std::string segment = given;
        const std::wstring candidate = folder + L"\\" + win::wide(given);
        WIN32_FIND_DATAW found{};
        const HANDLE search = FindFirstFileW(candidate.c_str(), &found);
        if (search != INVALID_HANDLE_VALUE) {
            FindClose(search);
            const std::string on_disk = win::utf8(found.cFileName);
            // Another letter case, or the short 8.3 name (PARTSF~1) of a long one:
            // either way the long name as on disk is the file's one name and lock.
            const std::wstring given_wide = win::wide(given);
            if (CompareStringOrdinal(found.cFileName, -1, given_wide.c_str(), -1, TRUE) == CSTR_EQUAL ||
                (found.cAlternateFileName[0] != L'\0' &&
                 CompareStringOrdinal(found.cAlternateFileName, -1, given_wide.c_str(), -1, TRUE) == CSTR_EQUAL))
                segment = on_disk;
        }
        folder += L"\\" + win::wide(segment);
        if (!spelled.empty()) spelled += '/';
        spelled += segment;
        if (end == normalized.size()) break;
        start = end + 1;
    }
    return spelled;
}

}  // namespace pdm

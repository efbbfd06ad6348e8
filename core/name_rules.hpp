// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the platform's file system makes of a name, beyond the syntax every
// platform shares (repo_path.hpp). One file per platform: on POSIX a name is
// the bytes it is (name_rules_posix.cpp); on Windows (name_rules_win.cpp)
// some names reach something other than the file they spell ("a.mcam:x" is
// a stream of a.mcam, "a.mcam." is a.mcam, "NUL.mcam" is a device), and
// letter case does not tell files apart, so "PN1001.MCAM" and "pn1001.mcam"
// must be one file and one lock.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pdm {

// Why one segment of a path cannot name a file of its own here, in words for
// an invalid_path refusal; nothing when it can.
std::optional<std::string> name_refusal(std::string_view segment);

// `normalized` spelled as the files on disk below `root` spell it, folder by
// folder (Windows: the on-disk case, and the long name for a short 8.3 one);
// the parts that do not exist stay as given.
std::string spelled_on_disk(const std::filesystem::path& root, const std::string& normalized);

}  // namespace pdm

#pragma once
// The syntax of a path as clients write it: relative to the repository root,
// '/'-separated, normalised. Checking where it leads on disk is Repository's job.

#include <string>
#include <string_view>

namespace pdm {

// Returns the normalised form of `raw` ("a//b/./c/" -> "a/b/c") or throws
// PdmError(invalid_path) saying what is wrong: empty, absolute, a ".." segment,
// a backslash, NUL or another control character.
std::string normalize_repo_path(std::string_view raw);

// True when some segment of a normalised path starts with '.': such files
// (".git/...", ".pdm/...", "parts/.~lock.x") are never tracked.
bool has_hidden_segment(std::string_view normalized);

}  // namespace pdm

namespace pdm {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates). File
// names that are not cannot be named in the JSON protocol and are not tracked.
bool is_valid_utf8(std::string_view text);

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The syntax of a path as clients write it: relative to the repository root,
// '/'-separated, normalised. Checking where it leads on disk is Repository's job.

#include <optional>
#include <string>
#include <string_view>

namespace pdm {

// Returns the normalised form of `raw` ("a//b/./c/" -> "a/b/c") or throws
// PdmError(invalid_path) saying what is wrong: empty, absolute, a ".." segment,
// a backslash, NUL or another control character, bytes that are not UTF-8.
std::string normalize_repo_path(std::string_view raw);

// True when some segment of a normalised path starts with '.': such files
// (".git/...", ".pdm/...", "parts/.~lock.x") are never tracked.
bool has_hidden_segment(std::string_view normalized);

// `path` after the file or folder `from` was renamed to `to` (all normalised):
// `to` when path is `from`, `to/rest` when it lies below `from`, else nothing.
std::optional<std::string> rename_within(const std::string& path, const std::string& from, const std::string& to);

}  // namespace pdm

namespace pdm {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates). File
// names that are not cannot be named in the JSON protocol and are not tracked.
bool is_valid_utf8(std::string_view text);

// True when a name found on disk can be addressed in the protocol: valid
// UTF-8 and already in the normalised form normalize_repo_path accepts (no
// control character, no backslash). Locks and the index hold no other names.
bool is_addressable(std::string_view name);

}  // namespace pdm

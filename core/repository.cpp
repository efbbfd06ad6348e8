// SPDX-License-Identifier: Apache-2.0
#include "core/repository.hpp"

#include <algorithm>
#include <system_error>

#include "core/error.hpp"
#include "core/file_handle.hpp"
#include "core/repo_path.hpp"
#include "core/utf8_path.hpp"

namespace fs = std::filesystem;

namespace pdm {
namespace {

TimePoint to_time_point(fs::file_time_type time) {
    return std::chrono::time_point_cast<TimePoint::duration>(std::chrono::file_clock::to_sys(time));
}

bool is_within(const fs::path& candidate, const fs::path& folder) {
    auto [folder_end, candidate_it] =
        std::mismatch(folder.begin(), folder.end(), candidate.begin(), candidate.end());
    return folder_end == folder.end();
}

}  // namespace

bool Repository::refuse_link(const std::string& normalized, const fs::path& lexical) const {
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(lexical, ec);
    if (ec) return false;  // a link loop, or a link to a file as a folder: no such file
    if (!is_within(resolved, root_)) {
        throw PdmError(ErrorCode::invalid_path,
                       "invalid path: '" + normalized + "' resolves outside the repository",
                       {{"path", normalized}});
    }
    if (resolved != lexical) {
        throw PdmError(ErrorCode::invalid_path,
                       "invalid path: '" + normalized +
                           "' goes through a symbolic link; use the real path",
                       {{"path", normalized},
                        {"real_path", resolved.lexically_relative(root_).generic_string()}});
    }
    return true;
}

Repository::Repository(const fs::path& root, const fs::path& excluded_dir, std::vector<Glob> include,
                       std::vector<Glob> ignore)
    : root_(fs::canonical(root)), include_(std::move(include)), ignore_(std::move(ignore)) {
    std::error_code ec;
    excluded_dir_ = fs::weakly_canonical(excluded_dir, ec);
    if (ec) excluded_dir_ = excluded_dir.lexically_normal();
}

std::vector<std::string> Repository::default_ignore_patterns() {
    // Word and Excel's own copy and lock file (~$), Office's ~WRL0001.tmp and
    // every other *.tmp, editors' NAME~ and NAME.bak; LibreOffice's .~lock.
    // files are hidden anyway.
    return {"*.tmp", "*.bak", "*~", "~$*", ".~lock.*"};
}

bool Repository::is_tracked_name(const std::string& normalized) const {
    if (has_hidden_segment(normalized)) return false;
    if (!excluded_dir_.empty() && is_within(root_ / path_from_utf8(normalized), excluded_dir_)) return false;
    if (std::any_of(ignore_.begin(), ignore_.end(), [&](const Glob& glob) { return glob.matches(normalized); }))
        return false;
    if (include_.empty()) return true;
    return std::any_of(include_.begin(), include_.end(),
                       [&](const Glob& glob) { return glob.matches(normalized); });
}

std::optional<FileStat> Repository::stat(const std::string& normalized) const {
    const fs::path relative = path_from_utf8(normalized);
    const fs::path lexical = root_ / relative;
    // Each folder on the way, then the file, looked at without following a
    // link: one lstat each, the last of which tells all a FileStat holds.
    // Only a path with a link in it is resolved, to say where it leads
    // (resolving every path cost a readlink per part of the absolute path,
    // at every check-out).
    fs::path walked = root_;
    NameStatus status;
    for (auto part = relative.begin(); part != relative.end(); ++part) {
        walked /= *part;
        status = status_of_name(walked);
        if (status.kind == NameStatus::Kind::link) {
            // A link that leads nowhere: no such file, or, at the end, not a regular file.
            if (!refuse_link(normalized, lexical) || std::next(part) != relative.end()) return std::nullopt;
            break;
        }
        if (status.kind == NameStatus::Kind::missing) return std::nullopt;
        if (std::next(part) != relative.end() && status.kind != NameStatus::Kind::folder)
            return std::nullopt;  // a parent is not a folder: no such file
    }
    if (status.kind != NameStatus::Kind::regular) {
        throw PdmError(ErrorCode::not_found, "'" + normalized + "' is not a regular file",
                       {{"path", normalized}});
    }
    if (!is_tracked_name(normalized)) {
        throw PdmError(ErrorCode::not_found, "'" + normalized + "' is not a tracked file",
                       {{"path", normalized}});
    }
    return FileStat{normalized, status.size, status.mtime, status.links};
}

std::vector<FileStat> Repository::scan() const { return scan_from(root_); }

std::vector<FileStat> Repository::scan_below(const std::string& folder) const {
    if (skips_folder(folder)) return {};
    std::error_code ec;
    const fs::path start = root_ / path_from_utf8(folder);
    if (fs::symlink_status(start, ec).type() != fs::file_type::directory) return {};
    return scan_from(start);
}

bool Repository::skips_folder(const std::string& relative) const {
    if (relative.empty()) return false;
    return has_hidden_segment(relative) || (!excluded_dir_.empty() && is_within(root_ / path_from_utf8(relative), excluded_dir_));
}

std::vector<std::string> Repository::folders() const {
    std::vector<std::string> result{""};
    std::error_code ec;
    fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec);
    for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
        if (it->symlink_status(ec).type() != fs::file_type::directory) continue;
        const std::string relative = it->path().lexically_relative(root_).generic_string();
        if (!is_addressable(relative) || skips_folder(relative)) {
            it.disable_recursion_pending();
            continue;
        }
        result.push_back(relative);
    }
    return result;
}

std::vector<FileStat> Repository::scan_from(const fs::path& start) const {
    std::vector<FileStat> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(start, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        throw PdmError(ErrorCode::internal, "cannot read the repository folder: " + ec.message());
    }
    for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
        if (ec) break;
        const fs::directory_entry& entry = *it;
        const std::string name = entry.path().filename().string();
        const fs::file_status status = entry.symlink_status(ec);
        if (ec) continue;
        if (status.type() == fs::file_type::directory) {
            if (name.starts_with('.') || (!excluded_dir_.empty() && entry.path() == excluded_dir_))
                it.disable_recursion_pending();
            continue;
        }
        if (status.type() != fs::file_type::regular) continue;
        std::string relative = entry.path().lexically_relative(root_).generic_string();
        if (!is_addressable(relative)) continue;  // a backslash, a control character: no protocol name
        if (!is_tracked_name(relative)) continue;
        const std::uint64_t size = entry.file_size(ec);
        if (ec) continue;
        const auto mtime = entry.last_write_time(ec);
        if (ec) continue;
        files.push_back({std::move(relative), size, to_time_point(mtime)});
    }
    if (ec) throw PdmError(ErrorCode::internal, "cannot read the repository folder: " + ec.message());
    std::sort(files.begin(), files.end(),
              [](const FileStat& a, const FileStat& b) { return a.path < b.path; });
    return files;
}

}  // namespace pdm

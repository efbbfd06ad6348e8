// SPDX-License-Identifier: Apache-2.0
#include "core/audit_log.hpp"

#include <algorithm>
#include <system_error>

namespace pdm {

std::string_view audit_op_name(AuditOp op) {
    switch (op) {
        case AuditOp::checkout: return "checkout";
        case AuditOp::checkin: return "checkin";
        case AuditOp::unlock: return "unlock";
        case AuditOp::restore: return "restore";
        case AuditOp::move: return "move";
        case AuditOp::unlocked_write: return "unlocked_write";
        case AuditOp::permissions_reverted: return "permissions_reverted";
    }
    return "?";
}

bool audit_entry_matches(const nlohmann::json& entry, const AuditQuery& query) {
    if (!entry.is_object()) return false;
    if (query.user && entry.value("user", "") != *query.user) return false;
    if (query.path) {
        const auto paths = entry.find("paths");
        if (paths == entry.end() || !paths->is_array()) return false;
        if (std::find(paths->begin(), paths->end(), *query.path) == paths->end()) return false;
    }
    return true;
}

namespace {

// Calls `visit` with each line of the file, last line first, until it returns false.
template <typename Visit>
void for_each_line_backwards(const DurableAppendFile& file, std::uint64_t end_limit, Visit visit) {
    std::uint64_t position = std::min(file.size(), end_limit);
    constexpr std::uint64_t chunk_size = 64 * 1024;
    std::string carry;  // the start of a line whose beginning is in an earlier chunk
    std::string chunk;
    while (position > 0) {
        const std::uint64_t length = std::min(chunk_size, position);
        position -= length;
        chunk = file.read_at(position, static_cast<std::size_t>(length));
        if (chunk.size() != length) throw std::system_error(EIO, std::generic_category(), "short read of " + file.path().string());
        chunk += carry;
        std::size_t end = chunk.size();
        for (std::size_t newline = chunk.rfind('\n', end == 0 ? 0 : end - 1);
             newline != std::string::npos;
             newline = newline == 0 ? std::string::npos : chunk.rfind('\n', newline - 1)) {
            if (end > newline + 1 && !visit(std::string_view(chunk).substr(newline + 1, end - newline - 1)))
                return;
            end = newline;
        }
        carry.assign(chunk, 0, end);
    }
    if (!carry.empty()) visit(std::string_view(carry));
}

}  // namespace

AuditLog::AuditLog(const StateDir& dir, const std::string& name, AuditRotation rotation)
    : dir_(dir),
      name_(name),
      rotation_(rotation),
      file_(std::make_shared<DurableAppendFile>(dir, name)),
      rotated_(open_rotated(1)) {}

std::vector<std::shared_ptr<const DurableAppendFile>> AuditLog::open_rotated(std::size_t first) const {
    std::vector<std::shared_ptr<const DurableAppendFile>> files;
    for (std::size_t generation = first; generation <= rotation_.keep; ++generation) {
        if (std::filesystem::exists(dir_.path() / rotated_name(generation)))
            files.push_back(std::make_shared<const DurableAppendFile>(dir_, rotated_name(generation)));
    }
    return files;
}

void AuditLog::append(const nlohmann::json& entry) { file_->append(entry.dump() + "\n"); }

void AuditLog::write_lines(std::string_view lines) {
    unwritten_ += lines;
    file_->write(unwritten_);
    unwritten_.clear();
}

void AuditLog::flush() {
    if (!unwritten_.empty()) write_lines("");
    try {
        file_->flush();
    } catch (const std::system_error&) {
        flush_failed_ = true;
        throw;
    }
    flush_failed_ = false;
}

std::uint64_t AuditLog::size() const { return file_->size(); }

void AuditLog::rewrite_from(std::uint64_t at, std::string_view lines) {
    unwritten_.clear();
    file_->truncate(std::min(at, file_->size()));
    write_lines(lines);
}

bool AuditLog::rotate_if_needed() {
    if (!wants_rotation() || !unwritten_.empty() || flush_failed_) return false;
    if (rotation_.keep == 0) {
        dir_.remove(name_);
    } else {
        // Our own handles on the rotated files go first (Windows cannot
        // replace a file that is open); queries under way keep theirs, and
        // open descriptors follow their files through renames. Should a
        // query still hold a file Windows must replace, the rotation stops
        // here and the next commit tries again.
        rotated_.clear();
        try {
            // Oldest first: .keep goes, .k becomes .k+1, the live file becomes .1.
            dir_.remove(rotated_name(rotation_.keep));
            for (std::size_t generation = rotation_.keep - 1; generation >= 1; --generation) {
                if (std::filesystem::exists(dir_.path() / rotated_name(generation)))
                    dir_.rename(rotated_name(generation), rotated_name(generation + 1));
            }
            dir_.rename(name_, rotated_name(1));
        } catch (const std::system_error&) {
            rotated_ = open_rotated(1);
            throw;
        }
        // The live file is .1 now: nothing below may leave the log half rotated.
        try {
            rotated_ = open_rotated(2);
        } catch (const std::system_error&) {
            rotated_.clear();  // older entries are out of queries until the next start; none is lost
        }
        rotated_.insert(rotated_.begin(), file_);
    }
    file_ = std::make_shared<DurableAppendFile>(dir_, name_);
    return true;
}

AuditSnapshot AuditLog::snapshot(std::uint64_t end) const {
    AuditSnapshot snapshot;
    snapshot.current_ = file_;
    snapshot.current_end_ = end;
    snapshot.rotated_ = rotated_;
    return snapshot;
}

std::vector<nlohmann::json> AuditSnapshot::query(const AuditQuery& query) const {
    std::vector<nlohmann::json> entries;
    if (query.limit == 0) return entries;
    const auto visit = [&](std::string_view line) {
        auto entry = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (audit_entry_matches(entry, query)) entries.push_back(std::move(entry));
        return entries.size() < query.limit;
    };
    for_each_line_backwards(*current_, current_end_, visit);
    for (const auto& older : rotated_) {
        if (entries.size() >= query.limit) break;
        for_each_line_backwards(*older, UINT64_MAX, visit);
    }
    return entries;
}

}  // namespace pdm

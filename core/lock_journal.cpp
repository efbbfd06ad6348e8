// SPDX-License-Identifier: Apache-2.0
#include "core/lock_journal.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/checksum.hpp"
#include "core/lock_store.hpp"
#include "core/repo_path.hpp"

namespace pdm {
namespace {

using nlohmann::json;

constexpr std::size_t checksum_digits = 8;

std::string hex32(std::uint32_t value) {
    char text[checksum_digits + 1];
    std::snprintf(text, sizeof text, "%08x", value);
    return text;
}

const std::string* string_at(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// Decodes the whole records at the start of `text` into `records`; returns
// how many bytes they take (the rest is torn or damaged).
std::size_t decode_whole_records(const std::string& text, std::vector<JournalRecord>& records) {
    std::size_t whole = 0;
    for (std::size_t newline; (newline = text.find('\n', whole)) != std::string::npos; whole = newline + 1) {
        auto record = decode_journal_record(std::string_view(text).substr(whole, newline - whole));
        if (!record) break;
        records.push_back(std::move(*record));
    }
    return whole;
}

}  // namespace

void JournalRecord::apply_to(LockTable& table) const {
    for (const auto& [path, lock] : locks) {
        if (lock) {
            table.insert(path, *lock);
        } else {
            table.erase(path);
        }
    }
}

std::string encode_journal_record(const JournalRecord& record) {
    // Locks taken together share one entry: a check-out of 1,000 files
    // writes its message once.
    json taken = json::array();
    json released = json::array();
    const Lock* group = nullptr;
    for (const auto& [path, lock] : record.locks) {
        if (!lock) {
            released.push_back(path);
            continue;
        }
        if (!group || !(*group == *lock)) {
            taken.push_back({{"user", lock->user}, {"timestamp", lock->timestamp},
                             {"message", lock->message.str()}, {"paths", json::array()}});
            group = &*lock;
        }
        taken.back()["paths"].push_back(path);
    }
    const json body{{"taken", std::move(taken)}, {"released", std::move(released)},
                    {"audit_at", record.audit_at}, {"audit", record.audit_lines}};
    const std::string text = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return hex32(crc32c(text)) + " " + text + "\n";
}

std::optional<JournalRecord> decode_journal_record(std::string_view line) {
    if (line.size() < checksum_digits + 2 || line[checksum_digits] != ' ') return std::nullopt;
    const std::string_view text = line.substr(checksum_digits + 1);
    if (hex32(crc32c(text)) != line.substr(0, checksum_digits)) return std::nullopt;
    const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) return std::nullopt;
    JournalRecord record;
    const auto taken = body.find("taken");
    const auto released = body.find("released");
    const auto audit_at = body.find("audit_at");
    const std::string* audit = string_at(body, "audit");
    if (taken == body.end() || !taken->is_array() || released == body.end() || !released->is_array() ||
        audit_at == body.end() || !audit_at->is_number_unsigned() || !audit)
        return std::nullopt;
    for (const json& group : *taken) {
        if (!group.is_object()) return std::nullopt;
        const std::string* user = string_at(group, "user");
        const std::string* timestamp = string_at(group, "timestamp");
        const std::string* message = string_at(group, "message");
        const auto paths = group.find("paths");
        if (!user || !timestamp || !message || paths == group.end() || !paths->is_array()) return std::nullopt;
        const Lock lock{*user, *timestamp, SharedText(*message)};
        for (const json& path : *paths) {
            if (!path.is_string() || !is_addressable(path.get<std::string>())) return std::nullopt;
            record.locks.emplace_back(path.get<std::string>(), lock);
        }
    }
    for (const json& path : *released) {
        if (!path.is_string() || !is_addressable(path.get<std::string>())) return std::nullopt;
        record.locks.emplace_back(path.get<std::string>(), std::nullopt);
    }
    record.audit_at = audit_at->get<std::uint64_t>();
    record.audit_lines = *audit;
    return record;
}

LockJournal::LockJournal(const StateDir& dir, std::string name, const std::optional<std::string>& aside,
                         std::uint64_t max_bytes)
    : file_(std::make_unique<DurableAppendFile>(dir, name, DurableAppendFile::TornLine::keep)),
      max_bytes_(max_bytes) {
    const std::string text = file_->read_at(0, static_cast<std::size_t>(file_->size()));
    const std::size_t whole = decode_whole_records(text, recovered_);
    const std::size_t line = recovered_.size();
    if (whole == text.size()) return;
    // A record is written in one piece ending in its newline, and the JSON
    // in it has none: a crash leaves a piece with no newline. A newline in
    // what follows means a whole line that does not check: damage.
    if (text.find('\n', whole) == std::string::npos) {
        torn_bytes_ = text.size() - whole;
        file_->truncate(whole);
        return;
    }
    if (!aside) {
        throw LockFileError(file_->path(),
                            "record " + std::to_string(line + 1) +
                                " is damaged (its checksum or shape is wrong): the disk damaged it, no crash "
                                "leaves this",
                            line + 1, 1);
    }
    file_.reset();
    dir.rename(name, *aside);
    moved_aside_ = dir.path() / *aside;
    file_ = std::make_unique<DurableAppendFile>(dir, name, DurableAppendFile::TornLine::keep);
}

void LockJournal::append(const JournalRecord& record) {
    const std::string line = encode_journal_record(record);
    if (file_->size() + line.size() > max_bytes_) {
        throw std::system_error(ENOSPC, std::generic_category(),
                                file_->path().string() + " has grown to its limit because locks.json could not be "
                                                         "written (see the log); no change is taken until it can be");
    }
    file_->append(line);
}

std::vector<JournalRecord> LockJournal::read_records() const {
    const std::string text = file_->read_at(0, static_cast<std::size_t>(file_->size()));
    std::vector<JournalRecord> records;
    if (decode_whole_records(text, records) != text.size())
        throw std::system_error(EIO, std::generic_category(), file_->path().string() + " reads back damaged");
    return records;
}

void LockJournal::clear() {
    file_->truncate(0);
    recovered_.clear();  // replayed by now: locks.json holds them
}

}  // namespace pdm

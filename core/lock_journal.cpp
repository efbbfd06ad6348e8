// SPDX-License-Identifier: Apache-2.0
#include "core/lock_journal.hpp"

#include <cstdio>

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

LockJournal::LockJournal(const StateDir& dir, std::string name) : file_(dir, name) {
    const std::uint64_t size = file_.size();
    const std::string text = file_.read_at(0, static_cast<std::size_t>(size));
    std::size_t whole = 0;  // bytes of whole records from the start
    std::size_t line = 0;
    while (whole < text.size()) {
        const std::size_t newline = text.find('\n', whole);
        if (newline == std::string::npos) break;
        auto record = decode_journal_record(std::string_view(text).substr(whole, newline - whole));
        if (!record) break;
        recovered_.push_back(std::move(*record));
        whole = newline + 1;
        ++line;
    }
    if (whole == text.size()) return;
    // What follows the whole records: torn by a crash, unless a whole record
    // comes after it, which no crash can leave.
    for (std::size_t next = text.find('\n', whole); next != std::string::npos && next + 1 < text.size();
         next = text.find('\n', next + 1)) {
        const std::size_t end = text.find('\n', next + 1);
        if (end == std::string::npos) break;
        if (decode_journal_record(std::string_view(text).substr(next + 1, end - next - 1))) {
            throw LockFileError(file_.path(),
                                "record " + std::to_string(line + 1) + " is damaged but whole records follow it: "
                                "the disk damaged it, it was not torn by a crash",
                                line + 1, 1);
        }
    }
    torn_bytes_ = text.size() - whole;
    file_.truncate(whole);
}

void LockJournal::append(const JournalRecord& record) { file_.append(encode_journal_record(record)); }

void LockJournal::clear() {
    file_.truncate(0);
    recovered_.clear();  // replayed by now: locks.json holds them
}

}  // namespace pdm

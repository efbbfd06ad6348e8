#pragma once
// audit.jsonl: one JSON object per line for every mutating request, granted or
// refused. Appends are durable before they return; queries read the file from
// its end, so the newest entries cost the least.

#include <filesystem>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/state_dir.hpp"

namespace pdm {

struct AuditQuery {
    std::optional<std::string> path;  // entries naming this path
    std::optional<std::string> user;  // entries by this user
    std::size_t limit = 100;
};

// True when an entry passes the query's path and user filters.
bool audit_entry_matches(const nlohmann::json& entry, const AuditQuery& query);

class AuditLog {
public:
    AuditLog(const StateDir& dir, const std::string& name = "audit.jsonl");

    // Appends one entry (an object with at least "time", "user", "op",
    // "outcome"). Throws std::system_error.
    void append(const nlohmann::json& entry);
    // Appends complete lines ('\n'-terminated JSON objects) with one flush.
    // May run on another thread than query(): queries skip a line still being written.
    void append_lines(std::string_view lines);

    // Matching entries, newest first, at most query.limit of them, among the
    // first `end` bytes of the file (all of it by default). Lines that do not
    // parse (a torn write after a crash) are skipped.
    std::vector<nlohmann::json> query(const AuditQuery& query,
                                      std::uint64_t end = UINT64_MAX) const;

    // The file's size when it was opened.
    std::uint64_t initial_size() const { return initial_size_; }

private:
    DurableAppendFile file_;
    std::uint64_t initial_size_;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lock table in memory, and its exact on-disk shape (the seeds' locks.json):
//   {"parts/PN1001.mcam": {"user": "alice", "timestamp": "2026-11-23T10:00:00Z", "message": "..."}}

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/shared_text.hpp"

#include <nlohmann/json.hpp>

namespace pdm {

struct Lock {
    std::string user;
    std::string timestamp;  // UTC, ISO 8601, when the lock was taken
    SharedText message;     // held once for all the locks of one request

    bool operator==(const Lock&) const = default;
};

struct LockRecord {
    std::string path;
    Lock lock;
};

// Thrown when locks.json text is not a valid lock table. Positions are 1-based;
// line 0 means the fault is in the shape of the document, not in its syntax.
class LockFileFormatError : public std::runtime_error {
public:
    LockFileFormatError(const std::string& reason, std::size_t line, std::size_t column)
        : std::runtime_error(reason), line_(line), column_(column) {}
    std::size_t line() const { return line_; }
    std::size_t column() const { return column_; }

private:
    std::size_t line_;
    std::size_t column_;
};

class LockTable {
public:
    const Lock* find(const std::string& path) const;
    void insert(const std::string& path, Lock lock);
    void erase(const std::string& path);
    std::size_t size() const { return locks_.size(); }

    // Locks sorted by path, optionally only those of one user.
    std::vector<LockRecord> records(const std::optional<std::string>& user = std::nullopt) const;
    // Locks of the files below a folder (a normalised path), sorted by path.
    std::vector<LockRecord> records_below(const std::string& folder) const;

    // One lock per line, sorted by path: valid JSON in the seeds' shape, and
    // readable with grep.
    std::string to_json_text() const;
    // Throws LockFileFormatError naming the line and column of a syntax error,
    // or the entry whose shape is wrong. An entry of the right shape whose
    // path no client could name (a control character, "..", not normalised)
    // is an error too, unless `unusable` is given: then it goes there, as
    // {"<path>": {...}}, and the rest loads.
    static LockTable from_json_text(const std::string& text, nlohmann::json* unusable = nullptr);

private:
    struct Entry {
        Lock lock;
        // This entry's line of locks.json, rendered once when inserted (up to
        // the message, which locks of one request share): saving a table of
        // 10,000 locks then costs a concatenation, not 10,000 serialisations,
        // on every commit.
        std::string head;
        SharedText message_json;
    };
    std::map<std::string, Entry, std::less<>> locks_;
    // The message rendered last, and what it was rendered from: the locks of
    // one request are inserted one after the other.
    SharedText last_message_;
    SharedText last_message_json_;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Protocol v1 codec: one JSON object per line in, one per line out. Knows
// nothing of files or locks; see docs/protocol.md for the wire format.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace pdm::ipc {

inline constexpr int protocol_version = 1;

struct Request {
    nlohmann::json id;      // echoed in the reply; null when absent
    std::string op;
    nlohmann::json params;  // the whole request object
};

// A request that could not be parsed, with whatever id could be recovered.
class RequestError : public PdmError {
public:
    RequestError(nlohmann::json id, const PdmError& error)
        : PdmError(error), id_(std::move(id)) {}
    const nlohmann::json& id() const { return id_; }

private:
    nlohmann::json id_;
};

// Throws RequestError(bad_request) for text that is not a JSON object with a
// string "op" (invalid UTF-8 included).
Request parse_request(std::string_view line);

// Reply lines, '\n'-terminated.
std::string encode_result(const nlohmann::json& id, const nlohmann::json& result);
// The same for a result already written as JSON text; the line is made in
// its buffer, so a large result is never copied.
std::string encode_result_text(const nlohmann::json& id, std::string result);
std::string encode_error(const nlohmann::json& id, const PdmError& error);

// Typed access to request fields. Each throws PdmError(bad_request) naming the
// field and the type it must have; absent and null count as "not given".
std::string required_string(const nlohmann::json& params, const char* name);
std::optional<std::string> optional_string(const nlohmann::json& params, const char* name);
bool optional_bool(const nlohmann::json& params, const char* name, bool fallback);
std::optional<std::uint64_t> optional_count(const nlohmann::json& params, const char* name);
// How much one request may ask for: what one client can make the daemon
// hold, write to locks.json and copy into events. Each is a pdmd flag.
struct RequestLimits {
    std::size_t message_bytes = 4096;  // a check-out, check-in or unlock message
    std::size_t paths = 1000;          // paths named by one request
    std::size_t glob_bytes = 256;      // one match pattern
    std::size_t globs = 64;            // match patterns of one subscription
};

// Exactly one of "path" (a string) or "paths" (a non-empty array of at most
// `max_paths` strings; more: bad_request with details {"field", "limit"}).
std::vector<std::string> path_or_paths(const nlohmann::json& params, std::size_t max_paths);

// A string field of at most `max_bytes` bytes (longer: bad_request with
// details {"field", "limit"}).
std::optional<std::string> optional_text(const nlohmann::json& params, const char* name, std::size_t max_bytes);
std::string required_text(const nlohmann::json& params, const char* name, std::size_t max_bytes);

// Match patterns: a string, or an array of at most `max_count` strings, each
// at most `max_bytes` long. Empty when absent.
std::vector<std::string> optional_patterns(const nlohmann::json& params, const char* name, std::size_t max_count,
                                           std::size_t max_bytes);

}  // namespace pdm::ipc

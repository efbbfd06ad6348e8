// SPDX-License-Identifier: Apache-2.0
#include "ipc/protocol.hpp"

namespace pdm::ipc {
namespace {

using nlohmann::json;

const json* field(const json& params, const char* name) {
    const auto it = params.find(name);
    if (it == params.end() || it->is_null()) return nullptr;
    return &*it;
}

[[noreturn]] void wrong_type(const char* name, const char* expected) {
    throw PdmError(ErrorCode::bad_request, std::string("\"") + name + "\" must be " + expected,
                   {{"field", name}});
}

// JSON nested deeper than this is refused before it is parsed: copying or
// printing a value recurses, and a hostile "[[[[...]]]]" must not exhaust the stack.
constexpr int max_nesting = 64;

bool nests_too_deeply(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_nesting) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

}  // namespace

Request parse_request(std::string_view line) {
    if (nests_too_deeply(line)) {
        throw RequestError(nullptr, PdmError(ErrorCode::bad_request,
                                             "the request nests arrays or objects more than " +
                                                 std::to_string(max_nesting) + " deep"));
    }
    json document;
    try {
        document = json::parse(line);
    } catch (const json::parse_error& error) {
        std::string reason = error.what();
        if (const auto colon = reason.find(": "); colon != std::string::npos) reason.erase(0, colon + 2);
        throw RequestError(nullptr, PdmError(ErrorCode::bad_request, "the request is not valid JSON: " + reason,
                                             {{"byte", error.byte}}));
    } catch (const json::exception& error) {
        // A number too large for a double (1e999): found by fuzzing.
        std::string reason = error.what();
        if (const auto bracket = reason.find("] "); bracket != std::string::npos) reason.erase(0, bracket + 2);
        throw RequestError(nullptr, PdmError(ErrorCode::bad_request, "the request is not valid JSON: " + reason));
    }
    if (!document.is_object()) {
        throw RequestError(nullptr, PdmError(ErrorCode::bad_request, "the request must be a JSON object"));
    }
    json id = document.contains("id") ? document["id"] : json(nullptr);
    const auto op = document.find("op");
    if (op == document.end() || !op->is_string()) {
        throw RequestError(std::move(id), PdmError(ErrorCode::bad_request, "\"op\" must be a string",
                                                   {{"field", "op"}}));
    }
    return {std::move(id), op->get<std::string>(), std::move(document)};
}

namespace {

// Written by hand so "id" and "ok" lead the line, where a person reading a
// socat session looks first. Invalid UTF-8 in echoed client text is replaced
// rather than failing the reply.
std::string envelope_head(const json& id, bool ok, const char* body_name) {
    return "{\"id\":" + id.dump(-1, ' ', false, json::error_handler_t::replace) + ",\"ok\":" +
           (ok ? "true" : "false") + ",\"" + body_name + "\":";
}

// The line around `body`, already JSON text, made in body's own buffer.
std::string envelope_text(const json& id, bool ok, const char* body_name, std::string body) {
    body.insert(0, envelope_head(id, ok, body_name));
    body += "}\n";
    return body;
}

std::string envelope(const json& id, bool ok, const char* body_name, const json& body) {
    return envelope_text(id, ok, body_name, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

std::string encode_result(const json& id, const json& result) { return envelope(id, true, "result", result); }

std::string encode_result_text(const json& id, std::string result) {
    return envelope_text(id, true, "result", std::move(result));
}

std::string encode_error(const json& id, const PdmError& error) {
    json body = {{"code", error_code_name(error.code())}, {"message", error.what()}};
    if (!error.details().is_null()) body["details"] = error.details();
    return envelope(id, false, "error", body);
}

std::string required_string(const json& params, const char* name) {
    const json* value = field(params, name);
    if (!value) {
        throw PdmError(ErrorCode::bad_request, std::string("\"") + name + "\" is required",
                       {{"field", name}});
    }
    if (!value->is_string()) wrong_type(name, "a string");
    return value->get<std::string>();
}

std::optional<std::string> optional_string(const json& params, const char* name) {
    const json* value = field(params, name);
    if (!value) return std::nullopt;
    if (!value->is_string()) wrong_type(name, "a string");
    return value->get<std::string>();
}

bool optional_bool(const json& params, const char* name, bool fallback) {
    const json* value = field(params, name);
    if (!value) return fallback;
    if (!value->is_boolean()) wrong_type(name, "true or false");
    return value->get<bool>();
}

std::optional<std::uint64_t> optional_count(const json& params, const char* name) {
    const json* value = field(params, name);
    if (!value) return std::nullopt;
    if (!value->is_number_unsigned()) wrong_type(name, "a whole number of 0 or more");
    return value->get<std::uint64_t>();
}

namespace {

[[noreturn]] void over_limit(const char* name, const std::string& what, std::size_t limit) {
    throw PdmError(ErrorCode::bad_request, std::string("\"") + name + "\" " + what + " " + std::to_string(limit),
                   {{"field", name}, {"limit", limit}});
}

}  // namespace

std::optional<std::string> optional_text(const json& params, const char* name, std::size_t max_bytes) {
    std::optional<std::string> text = optional_string(params, name);
    if (text && text->size() > max_bytes) over_limit(name, "is longer than the limit in bytes,", max_bytes);
    return text;
}

std::string required_text(const json& params, const char* name, std::size_t max_bytes) {
    std::string text = required_string(params, name);
    if (text.size() > max_bytes) over_limit(name, "is longer than the limit in bytes,", max_bytes);
    return text;
}

std::vector<std::string> optional_patterns(const json& params, const char* name, std::size_t max_count,
                                           std::size_t max_bytes) {
    const json* value = field(params, name);
    if (!value) return {};
    std::vector<std::string> patterns;
    if (value->is_string()) {
        patterns.push_back(value->get<std::string>());
    } else if (value->is_array()) {
        if (value->size() > max_count) over_limit(name, "holds more patterns than the limit,", max_count);
        for (const json& item : *value) {
            if (!item.is_string()) wrong_type(name, "a pattern or an array of patterns");
            patterns.push_back(item.get<std::string>());
        }
    } else {
        wrong_type(name, "a pattern or an array of patterns");
    }
    for (const std::string& pattern : patterns) {
        if (pattern.size() > max_bytes) over_limit(name, "has a pattern longer than the limit in bytes,", max_bytes);
    }
    return patterns;
}

std::vector<std::string> path_or_paths(const json& params, std::size_t max_paths) {
    const json* path = field(params, "path");
    const json* paths = field(params, "paths");
    if (path && paths) {
        throw PdmError(ErrorCode::bad_request, "give \"path\" or \"paths\", not both", {{"field", "paths"}});
    }
    if (path) {
        if (!path->is_string()) wrong_type("path", "a string");
        return {path->get<std::string>()};
    }
    if (!paths) throw PdmError(ErrorCode::bad_request, "\"path\" or \"paths\" is required", {{"field", "path"}});
    if (!paths->is_array() || paths->empty()) wrong_type("paths", "a non-empty array of strings");
    if (paths->size() > max_paths) over_limit("paths", "names more paths than the limit,", max_paths);
    std::vector<std::string> result;
    for (const json& item : *paths) {
        if (!item.is_string()) wrong_type("paths", "a non-empty array of strings");
        result.push_back(item.get<std::string>());
    }
    return result;
}

}  // namespace pdm::ipc

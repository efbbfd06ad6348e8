// SPDX-License-Identifier: Apache-2.0
#pragma once
// Typed errors raised by core. The protocol layer maps each ErrorCode to its
// wire name in exactly one place (ipc/error_codes.cpp); nothing else decides
// what a client sees.

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace pdm {

enum class ErrorCode {
    bad_request,   // not JSON, not an object, a missing or mistyped field
    unknown_op,    // the op is not one this daemon knows
    invalid_path,  // unsafe or malformed path, or one that escapes the repository
    not_found,     // no such tracked file
    conflict,      // the lock state does not allow it (already locked, not locked)
    forbidden,     // the caller lacks the right (someone else's lock, not an admin)
    too_large,     // a request line over the size limit
    internal,      // the daemon failed (I/O error); the request had no effect
};

class PdmError : public std::runtime_error {
public:
    PdmError(ErrorCode code, const std::string& message, nlohmann::json details = nullptr)
        : std::runtime_error(message), code_(code), details_(std::move(details)) {}

    ErrorCode code() const { return code_; }
    // An object with machine-readable facts about the refusal, or null.
    const nlohmann::json& details() const { return details_; }

private:
    ErrorCode code_;
    nlohmann::json details_;
};

}  // namespace pdm

namespace pdm {

// The protocol's name for a code ("invalid_path"). The one place codes get names:
// replies and the audit log both use it.
const char* error_code_name(ErrorCode code);

}  // namespace pdm

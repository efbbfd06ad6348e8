// SPDX-License-Identifier: Apache-2.0
#include "core/error.hpp"

namespace pdm {

const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::bad_request: return "bad_request";
        case ErrorCode::unknown_op: return "unknown_op";
        case ErrorCode::invalid_path: return "invalid_path";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::forbidden: return "forbidden";
        case ErrorCode::too_large: return "too_large";
        case ErrorCode::internal: return "internal";
    }
    return "internal";
}

}  // namespace pdm

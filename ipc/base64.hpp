// SPDX-License-Identifier: Apache-2.0
#pragma once
// Base64 (RFC 4648, with padding): how file content travels in JSON lines.

#include <optional>
#include <string>
#include <string_view>

namespace pdm::ipc {

std::string base64_encode(std::string_view bytes);
// Nothing when `text` is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace pdm::ipc

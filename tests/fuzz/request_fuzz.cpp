// SPDX-License-Identifier: Apache-2.0
// A client's request line: parsed, then every field read the way the ops
// read them. Anything but a PdmError (the precise refusal a client gets) is
// a finding, as is a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "ipc/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    pdm::ipc::Request request;
    try {
        request = pdm::ipc::parse_request(line);
    } catch (const pdm::PdmError&) {
        return 0;
    }
    const pdm::ipc::RequestLimits limits;
    const auto each_field = [&](auto read) {
        try {
            read();
        } catch (const pdm::PdmError&) {
        }
    };
    each_field([&] { pdm::ipc::path_or_paths(request.params, limits.paths); });
    each_field([&] { pdm::ipc::optional_text(request.params, "message", limits.message_bytes); });
    each_field([&] { pdm::ipc::required_string(request.params, "path"); });
    each_field([&] { pdm::ipc::optional_bool(request.params, "force", false); });
    each_field([&] { pdm::ipc::optional_count(request.params, "limit"); });
    each_field([&] { pdm::ipc::optional_patterns(request.params, "match", limits.globs, limits.glob_bytes); });
    // A reply must encode whatever id the client sent.
    (void)pdm::ipc::encode_result(request.id, nlohmann::json::object());
    return 0;
}

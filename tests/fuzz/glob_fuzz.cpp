// SPDX-License-Identifier: Apache-2.0
// A client's match pattern and a path, split at the first newline of the
// input: compiling and matching must answer or refuse, in bounded time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/glob.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string pattern(input.substr(0, newline));
    const std::string_view path = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    try {
        const pdm::Glob glob(pattern);
        (void)glob.matches(path);
    } catch (const pdm::PdmError&) {
    }
    return 0;
}

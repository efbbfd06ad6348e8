// SPDX-License-Identifier: Apache-2.0
// One line of locks.journal as found on disk after a crash or damage: a
// record or nothing. The input is tried as a whole line, and as the JSON of
// a line with a matching checksum (which random bytes would never have). A
// record that decodes must encode to a line that decodes to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/checksum.hpp"
#include "core/lock_journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)pdm::decode_journal_record(input);
    char checksum[9];
    std::snprintf(checksum, sizeof checksum, "%08x", pdm::crc32c(input));
    const std::string line = std::string(checksum) + " " + std::string(input);
    const auto record = pdm::decode_journal_record(line);
    if (!record) return 0;
    const std::string encoded = pdm::encode_journal_record(*record);
    const auto again = pdm::decode_journal_record(std::string_view(encoded).substr(0, encoded.size() - 1));
    if (!again || !(*again == *record)) std::abort();
    return 0;
}

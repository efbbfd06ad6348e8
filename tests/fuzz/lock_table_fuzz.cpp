// SPDX-License-Identifier: Apache-2.0
// locks.json as found on disk at start: a table, or a LockFileFormatError
// naming where it is wrong. A table that loads must save to text that loads
// to the same table.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/lock_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    pdm::LockTable table;
    nlohmann::json unusable = nlohmann::json::object();
    try {
        table = pdm::LockTable::from_json_text(text, &unusable);
    } catch (const pdm::LockFileFormatError&) {
        return 0;
    }
    const pdm::LockTable again = pdm::LockTable::from_json_text(table.to_json_text());
    if (again.records() .size() != table.records().size()) std::abort();
    for (const pdm::LockRecord& record : table.records()) {
        const pdm::Lock* lock = again.find(record.path);
        if (!lock || !(*lock == record.lock)) std::abort();
    }
    return 0;
}

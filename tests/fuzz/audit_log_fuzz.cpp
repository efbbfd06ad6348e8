// SPDX-License-Identifier: Apache-2.0
// audit.jsonl as found on disk at start, whatever a crash, a full disk or a
// hand edit left in it: opening it and querying it never fails, and the log
// stays usable: an entry appended next is the first a query finds, whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/audit_log.hpp"
#include "core/state_dir.hpp"

namespace {

// One folder for the whole run: each input replaces the file in it.
const std::filesystem::path& scratch() {
    static const std::filesystem::path path = [] {
        auto folder = std::filesystem::temp_directory_path() / ("pdm-fuzz-audit-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder);
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all);
        return folder;
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::ofstream(scratch() / "audit.jsonl", std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    const pdm::StateDir dir(scratch());
    pdm::AuditLog log(dir);
    pdm::AuditQuery everything;
    everything.limit = 1000;
    for (const nlohmann::json& entry : log.query(everything)) {
        if (!pdm::audit_entry_matches(entry, everything)) std::abort();
    }
    const nlohmann::json entry = {{"time", "2026-12-02T12:00:00Z"}, {"user", "fuzz"}, {"op", "checkout"},
                                  {"outcome", "ok"}, {"paths", {"a.mcam"}}};
    log.append(entry);
    pdm::AuditQuery newest;
    newest.limit = 1;
    const auto found = log.query(newest);
    if (found.size() != 1 || found.front() != entry) std::abort();
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
#include "core/writer_check.hpp"

namespace pdm {

PdmError open_for_writing(const std::string& path, const std::vector<FileWriter>& writers,
                          const std::string& then_what) {
    nlohmann::json details = {{"reason", "open_for_writing"}, {"path", path}};
    nlohmann::json listed = nlohmann::json::array();
    for (const FileWriter& writer : writers) listed.push_back({{"pid", writer.pid}, {"program", writer.program}});
    details["writers"] = std::move(listed);
    std::string who;
    if (!writers.empty()) {
        const FileWriter& first = writers.front();
        details["pid"] = first.pid;
        details["program"] = first.program;
        who = " (" + (first.program.empty() ? "" : first.program + ", ") + "pid " + std::to_string(first.pid) + ")";
    }
    return PdmError(ErrorCode::conflict,
                    "'" + path + "' is still open for writing" + who + "; save and close it, then " + then_what,
                    std::move(details));
}

PdmError open_elsewhere(const std::string& path, const std::string& then_what) {
    return PdmError(ErrorCode::conflict,
                    "'" + path + "' is open in another program, and Windows cannot replace a file while it is; "
                    "close it there, then " + then_what,
                    {{"reason", "open_elsewhere"}, {"path", path}});
}

bool open_for_writing_now(const RepositoryRoot& root, const std::string& path, bool seen_open) {
    try {
        const OpenedFile file = open_beneath(root, path, FileAccess::read);
        ReadLease lease(file);
        lease.end_with_the_file();  // destroyed before `file`, which closes at once
        return lease.outcome() == ReadLease::Outcome::writer_present ||
               (lease.outcome() == ReadLease::Outcome::unsupported && seen_open);
    } catch (const std::system_error& error) {
        // Windows: a program holds it open letting nobody else read it.
        if (error.code() == std::errc::device_or_resource_busy) return true;
        return false;  // not there, or not a file: nothing is writing it
    }
}

}  // namespace pdm

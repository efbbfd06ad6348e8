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

}  // namespace pdm

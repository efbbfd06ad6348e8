// SPDX-License-Identifier: Apache-2.0
// pdmd's config file (--config: TOML or INI, keys are the long flag names),
// whatever an administrator or an installer wrote: a config, or a usage
// error (exit code 2) with its words printed, never a crash or an escaping
// exception.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path folder = [] {
        auto path = std::filesystem::temp_directory_path() / ("pdm-fuzz-config-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path / "repo");
        return path;
    }();
    const std::string file = (folder / "pdmd.conf").string();
    std::ofstream(file, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    std::vector<std::string> words = {"pdmd", "--repo", (folder / "repo").string(), "--config", file};
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    const pdm::daemon::ParsedCommandLine parsed = pdm::daemon::parse_command_line(static_cast<int>(argv.size()), argv.data());
    if (!parsed.config && parsed.exit_code != 2) std::abort();
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every pdm-bench scenario starts with: pdmd on `dir`/repo, answering
// on `dir`/pdmd.sock, and the file names of a generated repository.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace pdm::bench {

// Starts `pdmd` and returns once it answers hello; throws with its stderr otherwise.
std::unique_ptr<test::ChildProcess> start_pdmd(const std::string& pdmd, const std::filesystem::path& dir,
                                               const std::vector<std::string>& extra = {});

// parts/dNNN/PNnnnnn.mcam: 100 files per folder.
std::string file_name(int index);

// VmRSS of a process, in KiB (0 when unknown).
std::uint64_t resident_kib(pid_t pid);
// VmHWM: the most it held since it started, or since "5" was written to its clear_refs.
std::uint64_t peak_resident_kib(pid_t pid);

}  // namespace pdm::bench

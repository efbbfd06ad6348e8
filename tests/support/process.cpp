// SPDX-License-Identifier: Apache-2.0
#include "tests/support/process.hpp"

#include <atomic>
#include <stdexcept>

#include "tests/support/temp_dir.hpp"

namespace pdm::test {

namespace {

// A program's text output with its line ends as tests write them: a Windows
// program's C runtime ends each line with "\r\n".
std::string as_lines(std::string text) {
#if defined(_WIN32)
    std::string lines;
    lines.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) lines += text[i];
    }
    return lines;
#else
    return text;
#endif
}

}  // namespace

bool ChildProcess::running() { return !wait(std::chrono::milliseconds(0)); }

RunResult run_program(const std::vector<std::string>& argv, const std::filesystem::path& scratch_dir) {
    static std::atomic<int> counter{0};
    const std::string stem = "run-" + std::to_string(counter++);
    const auto out = scratch_dir / (stem + ".out");
    const auto err = scratch_dir / (stem + ".err");
    ChildProcess child(argv, out, err);
    const std::optional<int> status = child.wait(std::chrono::seconds(60));
    if (!status) throw std::runtime_error(argv[0] + " did not finish within 60 s");
    return {*status, as_lines(read_text(out)), as_lines(read_text(err))};
}

}  // namespace pdm::test

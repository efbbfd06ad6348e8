// SPDX-License-Identifier: Apache-2.0
// The shipped systemd units: systemd-analyze must accept every one of them
// without a word on stderr (it exits 0 even for a misspelled key), and the
// system service must stay at an exposure of 2.0 or less.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/daemon_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::test::read_text;
using pdm::test::run_program;
using pdm::test::TempDir;

namespace {


// Copies units from systemd/`folder` into `into`, with ExecStart pointing at the built pdmd.
std::vector<std::string> copy_units(const std::string& folder, const fs::path& into) {
    std::vector<std::string> units;
    for (const char* name : {"pdmd.socket", "pdmd.service"}) {
        std::string text = read_text(fs::path(PDM_SOURCE_DIR) / "systemd" / folder / name);
        text = std::regex_replace(text, std::regex("/usr/sbin/pdmd"), PDMD_PATH);
        std::ofstream(into / name) << text;
        units.push_back((into / name).string());
    }
    return units;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_units, *boost::unit_test::precondition(pdm::test::program_installed("/usr/bin/systemd-analyze", "systemd")))

BOOST_AUTO_TEST_CASE(system_units_verify_cleanly) {
    TempDir dir;
    std::vector<std::string> argv = {"systemd-analyze", "verify", "--man=no"};
    for (const std::string& unit : copy_units("", dir.path())) argv.push_back(unit);
    const auto result = run_program(argv, dir.path());
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.err.empty(), result.err);
}

BOOST_AUTO_TEST_CASE(user_units_verify_cleanly) {
    TempDir dir;
    fs::create_directory(dir / "runtime");
    fs::permissions(dir / "runtime", fs::perms::owner_all);
    std::vector<std::string> argv = {"env", "XDG_RUNTIME_DIR=" + (dir / "runtime").string(), "systemd-analyze",
                                     "--user", "verify", "--man=no"};
    for (const std::string& unit : copy_units("user", dir.path())) argv.push_back(unit);
    const auto result = run_program(argv, dir.path());
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.err.empty(), result.err);
}

BOOST_AUTO_TEST_CASE(a_misspelled_key_is_caught) {
    // Proves the check above can fail: verify only warns, on stderr.
    TempDir dir;
    dir.write("broken.service", "[Service]\nExecStart=/bin/true\nProtectSytem=strict\n");
    const auto result = run_program({"systemd-analyze", "verify", "--man=no", (dir / "broken.service").string()},
                                    dir.path());
    BOOST_TEST(!result.err.empty());
}

BOOST_AUTO_TEST_CASE(system_service_exposure_is_at_most_2) {
    TempDir dir;
    const auto units = copy_units("", dir.path());
    // --threshold is in tenths: 20 is an exposure of 2.0.
    const auto result = run_program(
        {"systemd-analyze", "security", "--offline=true", "--threshold=20", "--no-pager", units[1]}, dir.path());
    BOOST_TEST(result.exit_code == 0, result.out.substr(result.out.size() > 300 ? result.out.size() - 300 : 0));
    std::smatch level;
    BOOST_REQUIRE(std::regex_search(result.out, level, std::regex("Overall exposure level for pdmd.service: ([0-9.]+)")));
    BOOST_TEST_MESSAGE("pdmd.service exposure: " << level[1]);
    BOOST_TEST(std::stod(level[1]) <= 2.0);
}

// Read-only enforcement and the history must still work inside the sandbox:
// the syscalls they make pass the unit's SystemCallFilter, and the unit keeps
// exactly CAP_CHOWN (restore gives the new file its owner), CAP_FOWNER
// (changing modes and ACLs of files others own), CAP_DAC_OVERRIDE (reading
// files at check-in, writing them back on restore) and CAP_LEASE (reading a
// file under a lease at check-in).
BOOST_AUTO_TEST_CASE(the_sandbox_lets_read_only_enforcement_and_the_history_work) {
    TempDir dir;
    const std::string unit = read_text(fs::path(PDM_SOURCE_DIR) / "systemd/pdmd.service");
    const std::string capabilities = "CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE CAP_LEASE";
    BOOST_TEST(unit.find("\nCapabilityBoundingSet=" + capabilities + "\n") != std::string::npos);
    BOOST_TEST(unit.find("\nAmbientCapabilities=" + capabilities + "\n") != std::string::npos);

    // The syscalls of a set as systemd-analyze lists them, and of every set it names.
    std::function<std::set<std::string>(const std::string&)> expand = [&](const std::string& set) {
        const auto result = run_program({"systemd-analyze", "syscall-filter", "--no-pager", set}, dir.path());
        BOOST_REQUIRE(result.exit_code == 0);
        std::set<std::string> names;
        std::istringstream lines(result.out);
        for (std::string line; std::getline(lines, line);) {
            const auto start = line.find_first_not_of(' ');
            if (start == std::string::npos || start == 0 || line[start] == '#') continue;
            const std::string name = line.substr(start);
            if (name.starts_with("@")) {
                names.merge(expand(name));
            } else {
                names.insert(name);
            }
        }
        return names;
    };
    // As systemd applies them, in order: the first line is an allow list,
    // a "~" line takes from it, a later plain line adds to it again.
    std::set<std::string> allowed;
    const std::regex filter_line("\nSystemCallFilter=(~?)([^\n]*)");
    for (auto it = std::sregex_iterator(unit.begin(), unit.end(), filter_line); it != std::sregex_iterator(); ++it) {
        std::istringstream sets((*it)[2].str());
        for (std::string set; sets >> set;) {
            for (const std::string& name : expand(set)) {
                if ((*it)[1].length()) {
                    allowed.erase(name);
                } else {
                    allowed.insert(name);
                }
            }
        }
    }
    for (const char* needed : {"openat", "fstat", "newfstatat", "chmod", "fchmodat", "fchown", "fchownat", "getxattr",
                               "setxattr", "fsetxattr", "pread64", "pwrite64", "fsync", "fdatasync", "syncfs", "rename",
                               "renameat", "unlinkat", "mkdir", "fcntl"}) {
        BOOST_TEST(allowed.contains(needed), needed);
    }
    for (const char* kept_out : {"mount", "reboot", "setuid", "ptrace", "setrlimit"})
        BOOST_TEST(!allowed.contains(kept_out), kept_out);
}

BOOST_AUTO_TEST_SUITE_END()

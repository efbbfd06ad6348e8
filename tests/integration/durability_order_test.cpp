// SPDX-License-Identifier: Apache-2.0
// kill -9 cannot show a missing fsync (the page cache survives it), so this
// watches the real daemon's system calls instead: before the reply to a
// check-out leaves, the new locks.json must be flushed, renamed into place,
// its folder flushed, and the audit line flushed, in that order.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

#include "tests/integration/daemon_process.hpp"

using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

namespace {

boost::test_tools::assertion_result strace_works(boost::unit_test::test_unit_id) {
    const int status = std::system("strace -f -qq -e trace=none true >/dev/null 2>&1");
    boost::test_tools::assertion_result result(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    result.message() << "needs strace, allowed to trace (scripts/install-deps.sh installs it)";
    return result;
}

// The index of the first line at or after `from` that contains all `needles`.
std::size_t find_line(const std::vector<std::string>& lines, std::size_t from,
                      std::initializer_list<std::string_view> needles) {
    for (std::size_t i = from; i < lines.size(); ++i) {
        bool all = true;
        for (const std::string_view needle : needles) all = all && lines[i].find(needle) != std::string::npos;
        if (all) return i;
    }
    return lines.size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(durability_order, *boost::unit_test::precondition(strace_works))

BOOST_AUTO_TEST_CASE(a_checkout_is_flushed_renamed_and_audited_before_its_reply) {
    DaemonProcess daemon;
    const std::string trace = (daemon.dir() / "strace.log").string();
    // -y names each descriptor's file; unfinished calls are joined (no -qq on
    // "resumed"), so a call's line holds its result.
    daemon.start_wrapped({"strace", "-f", "-y", "-s", "200", "-o", trace, "-e",
                          "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendmsg,sendto"});
    // Let the history's first import finish first: its thread's system calls
    // would split the lines of the commit writer's.
    BOOST_REQUIRE(outcome(daemon.client()->call("history", {{"path", "a.mcam"}})) == "ok");
    BOOST_REQUIRE(outcome(daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", "traced"}})) == "ok");
    // Stop pdmd itself (its pid is in pdmd.lock); strace ends with it and flushes its log.
    const pid_t pdmd = std::stoi(pdm::test::read_text(daemon.state_dir() / "pdmd.lock"));
    ::kill(pdmd, SIGTERM);
    BOOST_REQUIRE(daemon.process().wait(std::chrono::seconds(20)).has_value());

    std::vector<std::string> lines;
    std::istringstream text(pdm::test::read_text(trace));
    for (std::string line; std::getline(text, line);) lines.push_back(line);

    const std::size_t temp_flushed = find_line(lines, 0, {"fsync(", "locks.json.tmp>", "= 0"});
    const std::size_t renamed = find_line(lines, temp_flushed, {"rename", "\"locks.json.tmp\"", "\"locks.json\"", "= 0"});
    const std::size_t folder_flushed = find_line(lines, renamed, {"fsync(", ".pdm>", "= 0"});
    const std::size_t audit_flushed = find_line(lines, folder_flushed, {"fdatasync(", "audit.jsonl>", "= 0"});
    const std::size_t reply = find_line(lines, 0, {"socket:", "traced"});
    BOOST_TEST_MESSAGE("strace lines: flush " << temp_flushed << ", rename " << renamed << ", folder " << folder_flushed
                                              << ", audit " << audit_flushed << ", reply " << reply);
    BOOST_REQUIRE(reply < lines.size());
    BOOST_TEST(temp_flushed < renamed);
    BOOST_TEST(renamed < folder_flushed);
    BOOST_TEST(folder_flushed < audit_flushed);
    BOOST_TEST(audit_flushed < reply);
}

BOOST_AUTO_TEST_SUITE_END()

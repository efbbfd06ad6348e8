// SPDX-License-Identifier: Apache-2.0
// kill -9 cannot show a missing fsync (the page cache survives it), so this
// watches the real daemon's system calls instead: before the reply to a
// check-out leaves, its journal record must be appended and flushed, and
// only then its audit line written; locks.json is rewritten only after the
// reply, off the reply's path, and only then is the journal emptied. strace
// also kills the daemon at a chosen write into the journal: exactly the
// changes acknowledged before it survive.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
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

// strace -f splits a call that another thread interrupts into
// "PID call(args <unfinished ...>" and, later, "PID <... call resumed>rest".
// Join the two at the resumed line's place (where the call returned), and
// squeeze strace's column padding, so every call is one line holding its
// arguments and its result.
std::vector<std::string> calls_of(const std::string& trace) {
    static constexpr std::string_view unfinished = " <unfinished ...>";
    std::vector<std::string> lines;
    std::map<std::string, std::string> pending;  // pid -> the call's first half
    std::istringstream text(trace);
    for (std::string line; std::getline(text, line);) {
        const std::string pid = line.substr(0, line.find(' '));
        if (line.ends_with(unfinished)) {
            pending[pid] = line.substr(0, line.size() - unfinished.size());
            continue;
        }
        if (const std::size_t resumed = line.find(" resumed>"); line.find("<... ") != std::string::npos &&
                                                               resumed != std::string::npos) {
            const auto first_half = pending.find(pid);
            if (first_half != pending.end()) {
                line = first_half->second + line.substr(resumed + std::string_view(" resumed>").size());
                pending.erase(first_half);
            }
        }
        std::string squeezed;
        for (const char c : line) {
            if (c != ' ' || squeezed.empty() || squeezed.back() != ' ') squeezed.push_back(c);
        }
        lines.push_back(std::move(squeezed));
    }
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(durability_order, *boost::unit_test::precondition(strace_works))

BOOST_AUTO_TEST_CASE(a_checkout_is_journaled_and_flushed_before_its_reply_and_checkpointed_after_it) {
    DaemonProcess daemon;
    const std::string trace = (daemon.dir() / "strace.log").string();
    // -y names each descriptor's file; calls_of joins the calls that other
    // threads split, so a call's line holds its result.
    daemon.start_wrapped({"strace", "-f", "-y", "-s", "4000", "-o", trace, "-e",
                          "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendmsg,sendto,ftruncate"});
    // Let the history's first import finish first: its thread's system calls
    // would split the lines of the commit writer's.
    BOOST_REQUIRE(outcome(daemon.client()->call("history", {{"path", "a.mcam"}})) == "ok");
    BOOST_REQUIRE(outcome(daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", "traced"}})) == "ok");
    // The timed checkpoint, not the one at the stop, brings locks.json up to date.
    bool checkpointed = false;
    for (int i = 0; i < 100 && !checkpointed; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        checkpointed = pdm::test::read_text(daemon.state_dir() / "locks.json").find("traced") != std::string::npos;
    }
    BOOST_TEST(checkpointed);
    // Stop pdmd itself (its pid is in pdmd.lock); strace ends with it and flushes its log.
    const pid_t pdmd = std::stoi(pdm::test::read_text(daemon.state_dir() / "pdmd.lock"));
    ::kill(pdmd, SIGTERM);
    BOOST_REQUIRE(daemon.process().wait(std::chrono::seconds(20)).has_value());

    const std::vector<std::string> lines = calls_of(pdm::test::read_text(trace));

    const std::size_t reply = find_line(lines, 0, {"socket:", "traced"});
    const std::size_t journal_written = find_line(lines, 0, {"write(", "locks.journal>", "traced"});
    const std::size_t journal_flushed = find_line(lines, journal_written, {"fdatasync(", "locks.journal>", "= 0"});
    const std::size_t audit_written = find_line(lines, journal_flushed, {"write(", "audit.jsonl>", "traced"});
    const std::size_t audit_flushed = find_line(lines, audit_written, {"fdatasync(", "audit.jsonl>", "= 0"});
    const std::size_t table_renamed =
        find_line(lines, audit_flushed, {"rename", "\"locks.json.tmp\"", "\"locks.json\"", "= 0"});
    const std::size_t journal_emptied = find_line(lines, table_renamed, {"ftruncate(", "locks.journal>", "0) = 0"});
    BOOST_TEST_MESSAGE("strace lines: audit " << audit_written << ", journal " << journal_written << ", flush "
                                              << journal_flushed << ", reply " << reply << ", checkpoint: audit "
                                              << audit_flushed << ", locks.json " << table_renamed
                                              << ", journal emptied " << journal_emptied);
    BOOST_REQUIRE(reply < lines.size());
    // One flush per commit: nothing else is flushed between the record's write and the reply.
    BOOST_TEST(find_line(lines, journal_written, {"sync("}) == journal_flushed);
    BOOST_TEST(journal_written < journal_flushed);
    BOOST_TEST(journal_flushed < audit_written);  // no audit line of a change not yet durable
    BOOST_TEST(audit_written < reply);
    // The checkpoint: after the reply, in its order.
    BOOST_TEST(reply < audit_flushed);
    BOOST_TEST(audit_flushed < table_renamed);
    BOOST_TEST(table_renamed < journal_emptied);
    BOOST_TEST(journal_emptied < lines.size());
    if (journal_emptied == lines.size()) {
        // Show what the daemon did after the checkpoint instead of emptying the journal.
        std::ostringstream after;
        for (std::size_t i = std::min(table_renamed, lines.size()); i < lines.size(); ++i) after << lines[i] << '\n';
        BOOST_TEST_MESSAGE("the trace after locks.json was replaced:\n" << after.str());
    }
}

BOOST_AUTO_TEST_CASE(killed_as_it_appends_to_the_journal_it_keeps_exactly_what_it_acknowledged) {
    std::vector<std::string> files;
    for (int i = 0; i < 8; ++i) files.push_back("f" + std::to_string(i) + ".mcam");
    DaemonProcess daemon(files);
    const std::string journal = (std::filesystem::weakly_canonical(daemon.state_dir()) / "locks.journal").string();
    // SIGKILL as the fourth write into the journal starts: the fourth commit never reaches the file.
    // strace counts per thread: a lone client's commits are all written on the event loop.
    daemon.start_wrapped({"strace", "-f", "-qq", "-o", (daemon.dir() / "strace.log").string(), "-P", journal, "-e",
                          "trace=write", "-e", "inject=write:signal=KILL:when=4"});
    std::set<std::string> acknowledged;
    auto client = daemon.client();
    try {
        for (const std::string& file : files) {
            if (outcome(client->call("checkout", {{"path", file}, {"message", "before the kill"}})) == "ok")
                acknowledged.insert(file);
        }
    } catch (const std::exception&) {
        // The daemon died under the request.
    }
    BOOST_REQUIRE(daemon.process().wait(std::chrono::seconds(20)).has_value());
    BOOST_TEST(acknowledged.size() == 3u);
    daemon.start();
    auto after = daemon.client();
    std::set<std::string> locked;
    const json locks = after->call("locks")["result"]["locks"];
    for (const json& lock : locks) locked.insert(lock["path"].get<std::string>());
    BOOST_TEST(locked == acknowledged, boost::test_tools::per_element());
    // The audit log tells of exactly those check-outs: none of the change that was not made.
    const json entries = after->call("audit", {{"limit", 100}})["result"]["entries"];
    BOOST_TEST(entries.size() == acknowledged.size());
}

BOOST_AUTO_TEST_CASE(a_journal_flush_that_fails_changes_nothing_then_or_after_a_restart) {
    DaemonProcess daemon;
    const std::string journal = (std::filesystem::weakly_canonical(daemon.state_dir()) / "locks.journal").string();
    // The disk reports an error for the second flush of the journal.
    daemon.start_wrapped({"strace", "-f", "-qq", "-o", (daemon.dir() / "strace.log").string(), "-P", journal, "-e",
                          "trace=fdatasync", "-e", "inject=fdatasync:error=EIO:when=2"});
    auto client = daemon.client();
    BOOST_REQUIRE(outcome(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}})) == "ok");
    const json failed = client->call("checkout", {{"path", "b.mcam"}, {"message", ""}});
    BOOST_TEST(outcome(failed) == "internal");
    BOOST_TEST(failed["error"]["message"].get<std::string>().find("nothing was changed") != std::string::npos);
    BOOST_REQUIRE(outcome(client->call("checkout", {{"path", "parts/c.mcam"}, {"message", ""}})) == "ok");
    const pid_t pdmd = std::stoi(pdm::test::read_text(daemon.state_dir() / "pdmd.lock"));
    ::kill(pdmd, SIGKILL);
    BOOST_REQUIRE(daemon.process().wait(std::chrono::seconds(20)).has_value());
    daemon.start();
    auto after = daemon.client();
    std::set<std::string> locked;
    const json locks = after->call("locks")["result"]["locks"];
    for (const json& lock : locks) locked.insert(lock["path"].get<std::string>());
    BOOST_TEST(locked == (std::set<std::string>{"a.mcam", "parts/c.mcam"}), boost::test_tools::per_element());
    BOOST_TEST(after->call("audit", {{"path", "b.mcam"}})["result"]["entries"].empty());
}

BOOST_AUTO_TEST_SUITE_END()

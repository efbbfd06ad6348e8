// SPDX-License-Identifier: Apache-2.0
// Version history against the real daemon: what check-in records, history,
// diff, blame, cat (with a 1 GiB file in bounded memory), restore, discard,
// the snapshot a forced unlock takes, git's own view, and kill -9 mid check-in.

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <thread>

#include "core/content_digest.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/support/own_account.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::RunningDaemon;
#if !defined(_WIN32)
using pdm::test::SharedDaemon;
#endif

namespace {

json ok_result(const json& reply) {
    BOOST_REQUIRE_MESSAGE(outcome(reply) == "ok", reply.dump());
    return reply["result"];
}

void write_file(const fs::path& file, const std::string& contents) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << contents;
    BOOST_REQUIRE(out.good());
}

// A file's SHA-256: as sha256sum computes it; on Windows (no sha256sum under
// Wine) with ContentDigest, the code pdmd itself hashes with, so there it
// shows that the bytes read back are the bytes written, not the hash itself.
std::string sha256_of(const DaemonProcess& daemon, const fs::path& file) {
#if defined(_WIN32)
    (void)daemon;
    std::ifstream in(file, std::ios::binary);
    pdm::ContentDigest digest(fs::file_size(file));
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        digest.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    return digest.finish().second;
#else
    const auto result = pdm::test::run_program({"sha256sum", file.string()}, daemon.dir().path());
    BOOST_REQUIRE(result.exit_code == 0);
    return result.out.substr(0, 64);
#endif
}

// Checks a file out, gives it `contents`, checks it in; returns the check-in's result.
json check_in_new_content(DaemonProcess& daemon, pdm::ipc::Client& client, const std::string& path,
                          const std::string& contents, const std::string& message) {
    ok_result(client.call("checkout", {{"path", path}, {"message", "editing"}}));
    write_file(daemon.repo() / path, contents);
    return ok_result(client.call("checkin", {{"path", path}, {"message", message}}));
}

json history_of(pdm::ipc::Client& client, const std::string& path) {
    return ok_result(client.call("history", {{"path", path}}))["revisions"];
}

// zz-probe.mcam, checked out during the first import, is edited at once and
// checked in: its revision 1 must still be the file as found (`found`: its
// sha256 then). Returns its history, newest first.
json edit_check_in_and_expect_revision_1(const DaemonProcess& daemon, pdm::ipc::Client& client,
                                         const std::string& found) {
    write_file(daemon.repo() / "zz-probe.mcam", "edited at once");
    const json result = ok_result(client.call("checkin", {{"path", "zz-probe.mcam"}, {"message", "edited"}}));
    BOOST_TEST(result["revisions"][0]["recorded"] == true);
    const json revisions = history_of(client, "zz-probe.mcam");
    BOOST_REQUIRE_MESSAGE(revisions.size() == 2u, revisions.dump(1));
    BOOST_TEST(revisions[1]["message"] == "initial import");
    BOOST_TEST(revisions[1]["sha256"] == found);
    return revisions;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(history)

BOOST_AUTO_TEST_CASE(the_first_start_imports_every_file_as_revision_1) {
    RunningDaemon daemon;
    auto client = daemon.client();
    for (const char* path : {"a.mcam", "b.mcam", "parts/c.mcam"}) {
        const json revisions = history_of(*client, path);
        BOOST_REQUIRE_EQUAL(revisions.size(), 1u);
        BOOST_TEST(revisions[0]["rev"] == 1);
        BOOST_TEST(revisions[0]["user"] == "pdmd");
        BOOST_TEST(revisions[0]["message"] == "initial import");
        BOOST_TEST(revisions[0]["sha256"] == sha256_of(daemon, daemon.repo() / path));
    }
}

BOOST_AUTO_TEST_CASE(a_checkin_records_exactly_one_revision_with_its_author_and_message) {
    RunningDaemon daemon;
    auto client = daemon.client();
    const json result = check_in_new_content(daemon, *client, "a.mcam", "G0 X10\nG1 Y5\n", "deeper pocket");
    BOOST_REQUIRE_EQUAL(result["revisions"].size(), 1u);
    BOOST_TEST(result["revisions"][0]["recorded"] == true);
    BOOST_TEST(result["revisions"][0]["rev"] == 2);
    const json revisions = history_of(*client, "a.mcam");
    BOOST_REQUIRE_EQUAL(revisions.size(), 2u);
    BOOST_TEST(revisions[0]["rev"] == 2);
    BOOST_TEST(revisions[0]["user"] == pdm::test::own_account_name());
    BOOST_TEST(revisions[0]["message"] == "deeper pocket");
    BOOST_TEST(revisions[0]["size"] == 13);
    BOOST_TEST(revisions[0]["sha256"] == sha256_of(daemon, daemon.repo() / "a.mcam"));
    BOOST_TEST(revisions[0]["commit"] == result["revisions"][0]["commit"]);
    // The audit entry and the event name the revision too.
    const json entries = ok_result(client->call("audit", {{"path", "a.mcam"}, {"limit", 1}}))["entries"];
    BOOST_TEST(entries[0]["revisions"]["a.mcam"]["rev"] == 2);
}

BOOST_AUTO_TEST_CASE(a_file_over_the_size_limit_is_refused_before_a_byte_is_read) {
    RunningDaemon daemon;
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}}));
#if defined(_WIN32)
    const std::uint64_t size = std::uint64_t{5} << 30;  // Wine makes no sparse file of 1 TiB
#else
    const std::uint64_t size = std::uint64_t{1} << 40;  // 1 TiB, sparse: it could never be read in time
#endif
    fs::resize_file(daemon.repo() / "a.mcam", size);
    const auto started = std::chrono::steady_clock::now();
    const json refused = client->call("checkin", {{"path", "a.mcam"}});
    BOOST_TEST(outcome(refused) == "too_large", refused.dump());
    BOOST_TEST(refused["error"]["details"]["size"] == size);
    BOOST_TEST(refused["error"]["details"]["limit"] == std::uint64_t{4} << 30);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(5)));
    BOOST_TEST(client->call("locks")["result"]["locks"].size() == 1u);
    // The history thread is free for everyone else.
    BOOST_TEST(client->call("history", {{"path", "b.mcam"}})["result"]["revisions"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(unchanged_content_records_no_revision_and_the_reply_says_so) {
    RunningDaemon daemon;
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}}));
    const json result = ok_result(client->call("checkin", {{"path", "a.mcam"}, {"message", "looked only"}}));
    BOOST_TEST(result["revisions"][0]["recorded"] == false);
    BOOST_TEST(result["revisions"][0]["rev"] == 1);
    BOOST_TEST(history_of(*client, "a.mcam").size() == 1u);
    const auto printed = daemon.pdmctl({"checkout", "a.mcam", "-m", "x"});
    BOOST_TEST(printed.exit_code == 0);
    BOOST_TEST(daemon.pdmctl({"checkin", "a.mcam"}).out == "checked in a.mcam (unchanged since revision 1)\n");
}

BOOST_AUTO_TEST_CASE(a_checkout_during_the_first_import_waits_so_revision_1_is_the_file_as_found) {
    DaemonProcess daemon;
    // Enough files that the import is still reading when the check-out
    // arrives; the probe sorts last, so it is read last. Wine flushes each
    // imported file at about 80 a second, so there fewer files take longer.
#if defined(_WIN32)
    constexpr int bulk_files = 1000;
#else
    constexpr int bulk_files = 4000;
#endif
    fs::create_directories(daemon.repo() / "bulk");
    for (int i = 0; i < bulk_files; ++i) write_file(daemon.repo() / "bulk" / (std::to_string(i) + ".nc"), "G0 X" + std::to_string(i));
    write_file(daemon.repo() / "zz-probe.mcam", "as found");
    const std::string found = sha256_of(daemon, daemon.repo() / "zz-probe.mcam");
    daemon.start();
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "zz-probe.mcam"}, {"message", "edit"}}));
    edit_check_in_and_expect_revision_1(daemon, *client, found);
}

BOOST_AUTO_TEST_CASE(a_checkout_during_the_first_import_waits_only_for_its_own_file_to_be_read) {
    DaemonProcess daemon;
    // Files the import takes seconds to read, hash and store (sparse: they
    // take no disk space, and their zeros deflate to almost nothing); the
    // probe sorts last, so without its check-out it would be read last.
    fs::create_directories(daemon.repo() / "bulk");
    for (int i = 0; i < 16; ++i) {
        const fs::path big = daemon.repo() / "bulk" / (std::to_string(10 + i) + ".bin");
        std::ofstream(big, std::ios::binary).put(static_cast<char>('a' + i));  // each its own content
        fs::resize_file(big, std::uintmax_t{48} << 20);
    }
    write_file(daemon.repo() / "zz-probe.mcam", "as found");
    const std::string found = sha256_of(daemon, daemon.repo() / "zz-probe.mcam");
    daemon.start();
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "zz-probe.mcam"}, {"message", "edit"}}));
    // Answered while the import still reads the bulk files: it waited for one of them at most.
    BOOST_TEST(daemon.log().find("history: imported") == std::string::npos, daemon.log());
    const json revisions = edit_check_in_and_expect_revision_1(daemon, *client, found);
    // The probe's revision 1 was made durable in an early commit of its own.
    const json bulk = history_of(*client, "bulk/25.bin");
    BOOST_REQUIRE(bulk.size() == 1u);
    BOOST_TEST(bulk[0]["message"] == "initial import");
    BOOST_TEST(bulk[0]["commit"] != revisions[1]["commit"]);
}

BOOST_AUTO_TEST_CASE(twenty_checkins_give_twenty_one_revisions_newest_first_and_one_commit_per_checkin) {
    RunningDaemon daemon;
    auto client = daemon.client();
    // The import ends first: a check-out during it would make its files
    // durable in an import commit of their own.
    history_of(*client, "a.mcam");
    for (int i = 1; i <= 20; ++i) check_in_new_content(daemon, *client, "b.mcam", "version " + std::to_string(i), "v" + std::to_string(i));
    // Two files in one check-in are one commit.
    ok_result(client->call("checkout", {{"paths", {"a.mcam", "parts/c.mcam"}}, {"message", ""}}));
    write_file(daemon.repo() / "a.mcam", "new a");
    write_file(daemon.repo() / "parts/c.mcam", "new c");
    const json both = ok_result(client->call("checkin", {{"paths", {"a.mcam", "parts/c.mcam"}}, {"message", "both"}}));
    BOOST_TEST(both["revisions"][0]["commit"] == both["revisions"][1]["commit"]);

    const json revisions = history_of(*client, "b.mcam");
    BOOST_REQUIRE_MESSAGE(revisions.size() == 21u, revisions.dump(1));
    for (std::size_t i = 0; i < 21; ++i) BOOST_TEST(revisions[i]["rev"] == 21 - i);
    BOOST_TEST(revisions[0]["message"] == "v20");
    BOOST_TEST(ok_result(client->call("history", {{"path", "b.mcam"}, {"limit", 3}}))["revisions"].size() == 3u);

#if !defined(_WIN32)  // no git under Wine
    // git itself reads the same history: 1 import + 20 + 1.
    const auto git = pdm::test::run_program(
        {"git", "--git-dir=" + (daemon.state_dir() / "history.git").string(), "log", "--format=%an|%s"},
        daemon.dir().path());
    BOOST_REQUIRE_MESSAGE(git.exit_code == 0, git.err);
    BOOST_TEST(std::count(git.out.begin(), git.out.end(), '\n') == 22);
    BOOST_TEST(git.out.rfind("root|both\nroot|v20\n", 0) == 0u, git.out);
    BOOST_TEST(git.out.ends_with("pdmd|initial import\n"), git.out);
    const auto show = pdm::test::run_program(
        {"git", "--git-dir=" + (daemon.state_dir() / "history.git").string(), "show", "HEAD~1:b.mcam"}, daemon.dir().path());
    BOOST_TEST(show.out == "version 20");
#endif
}

BOOST_AUTO_TEST_CASE(diff_of_a_text_file_is_a_unified_diff_and_of_a_binary_file_a_summary) {
    DaemonProcess daemon({"notes.txt", "part.bin"});
    write_file(daemon.repo() / "notes.txt", "spindle 8000\nfeed 300\ncoolant on\n");
    write_file(daemon.repo() / "part.bin", std::string("\x00\x01\x02 binary", 10));
    daemon.start();
    auto client = daemon.client();
    check_in_new_content(daemon, *client, "notes.txt", "spindle 8000\nfeed 350\ncoolant on\n", "faster feed");
    const json text = ok_result(client->call("diff", {{"path", "notes.txt"}, {"from", 1}, {"to", 2}}));
    BOOST_TEST(text["binary"] == false);
    const std::string patch = text["patch"];
    BOOST_TEST(patch.find("--- a/notes.txt\n+++ b/notes.txt\n") != std::string::npos, patch);
    BOOST_TEST(patch.find("@@ -1,3 +1,3 @@\n spindle 8000\n-feed 300\n+feed 350\n coolant on\n") != std::string::npos, patch);
    // Default: the newest revision against the working file.
    ok_result(client->call("checkout", {{"path", "notes.txt"}, {"message", ""}}));
    write_file(daemon.repo() / "notes.txt", "spindle 8000\nfeed 350\ncoolant on\nprobe\n");
    const auto printed = daemon.pdmctl({"diff", "notes.txt"});
    BOOST_TEST(printed.out.find("+probe\n") != std::string::npos, printed.out);

    check_in_new_content(daemon, *client, "part.bin", std::string("\x00\x01\x03 binary!", 10) + "tail", "tweak");
    const json binary = ok_result(client->call("diff", {{"path", "part.bin"}, {"from", "1"}, {"to", "2"}}));
    BOOST_TEST(binary["binary"] == true);
    BOOST_TEST(binary["patch"] == "");
    BOOST_TEST(binary["from_size"] == 10);
    BOOST_TEST(binary["to_size"] == 14);
    BOOST_TEST(binary["from_sha256"] != binary["to_sha256"]);
    BOOST_TEST(daemon.pdmctl({"diff", "part.bin", "--from", "1", "--to", "2"}).out.rfind("binary files differ", 0) == 0u);
}

#if !defined(_WIN32)  // switches to the user nobody
BOOST_AUTO_TEST_CASE(blame_names_the_user_who_last_changed_each_line,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    SharedDaemon daemon;
    auto client = daemon.client();
    check_in_new_content(daemon, *client, "a.mcam", "G0 X0\nG1 X5\n", "root writes");
    // nobody checks out, rewrites through the write access their lock gives, checks in.
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "a.mcam", "-m", "mine"}, pdm::test::as_nobody()).exit_code == 0);
    std::vector<std::string> edit = pdm::test::as_nobody();
    edit.insert(edit.end(), {"sh", "-c", "printf 'G0 X0\\nG1 X6\\nM30\\n' > \"$0\"", (daemon.repo() / "a.mcam").string()});
    BOOST_REQUIRE(pdm::test::run_program(edit, daemon.dir().path()).exit_code == 0);
    const auto checkin = daemon.pdmctl({"checkin", "a.mcam", "-m", "nobody edits"}, pdm::test::as_nobody());
    BOOST_REQUIRE_MESSAGE(checkin.exit_code == 0, checkin.err);
    BOOST_TEST(checkin.out == "checked in a.mcam as revision 3\n");

    const json lines = ok_result(client->call("blame", {{"path", "a.mcam"}}))["lines"];
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[0]["user"] == pdm::test::own_account_name());
    BOOST_TEST(lines[0]["rev"] == 2);
    BOOST_TEST(lines[0]["text"] == "G0 X0");
    BOOST_TEST(lines[1]["user"] == "nobody");
    BOOST_TEST(lines[1]["text"] == "G1 X6");
    BOOST_TEST(lines[2]["user"] == "nobody");
    BOOST_TEST(lines[2]["rev"] == 3);
    const auto printed = daemon.pdmctl({"blame", "a.mcam"});
    BOOST_TEST(printed.out.find("r3\tnobody ") != std::string::npos, printed.out);
    // A binary file has no lines to blame.
    check_in_new_content(daemon, *client, "b.mcam", std::string("\0\1\2", 3), "binary");
    BOOST_TEST(outcome(client->call("blame", {{"path", "b.mcam"}})) == "conflict");
}
#endif

BOOST_AUTO_TEST_CASE(cat_returns_the_exact_bytes_of_every_revision) {
    RunningDaemon daemon;
    auto client = daemon.client();
    std::vector<std::string> checksums = {history_of(*client, "a.mcam")[0]["sha256"]};
    for (int i = 0; i < 4; ++i) {
        std::string contents(100000 * i + 7, '\0');
        for (std::size_t j = 0; j < contents.size(); ++j) contents[j] = static_cast<char>((j * 7 + i) % 251);
        const json result = check_in_new_content(daemon, *client, "a.mcam", contents, "v");
        checksums.push_back(result["revisions"][0]["sha256"]);
        BOOST_TEST(checksums.back() == sha256_of(daemon, daemon.repo() / "a.mcam"));
    }
    for (std::size_t rev = 1; rev <= checksums.size(); ++rev) {
        const fs::path out = daemon.dir() / ("rev" + std::to_string(rev));
        pdm::test::ChildProcess cat({PDMCTL_PATH, pdm::test::endpoint_flag(), daemon.socket_path(), "cat", "a.mcam", "--rev", std::to_string(rev)},
                                    out, daemon.dir() / "cat.err");
        BOOST_REQUIRE(cat.wait(std::chrono::seconds(60)) == 0);
        BOOST_TEST(sha256_of(daemon, out) == checksums[rev - 1], "revision " << rev);
    }
    const auto missing = daemon.pdmctl({"cat", "a.mcam", "--rev", "99"});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("not_found") != std::string::npos, missing.err);
}

BOOST_AUTO_TEST_CASE(cat_streams_a_large_revision_in_bounded_memory) {
#if defined(PDM_SANITIZED)
    // The sanitizers' shadow memory and quarantine would swamp the figure;
    // the normal build measures it, this one checks the bytes on less.
    const std::uint64_t size = 64ull << 20;
    const long bound_kib = 0;
#else
    // Two and a half times the bound: a daemon or pdmctl that held the
    // revision, or its base64 text, would exceed it. (A gigabyte proved no
    // more and cost a minute of CI under Wine.)
    const std::uint64_t size = 256ull << 20;
    const long bound_kib = 100 * 1024;
#endif
    DaemonProcess daemon({"big.bin"});
    daemon.start();
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "big.bin"}, {"message", ""}}));
    {
        // Sparse, with a few bytes of data here and there.
        std::ofstream out(daemon.repo() / "big.bin", std::ios::binary | std::ios::trunc);
        for (std::uint64_t offset = 0; offset < size; offset += 64ull << 20) {
            out.seekp(static_cast<std::streamoff>(offset));
            out << "block at " << offset;
        }
        out.seekp(static_cast<std::streamoff>(size - 1));
        out.put('\n');
    }
    const std::string expected = sha256_of(daemon, daemon.repo() / "big.bin");
    const json result = ok_result(client->call("checkin", {{"path", "big.bin"}, {"message", "a large part"}}));
    BOOST_TEST(result["revisions"][0]["sha256"] == expected);

    const fs::path out = daemon.dir() / "big.out";
    pdm::test::ChildProcess cat({PDMCTL_PATH, pdm::test::endpoint_flag(), daemon.socket_path(), "cat", "big.bin", "--rev", "2"}, out,
                                daemon.dir() / "cat.err");
    BOOST_REQUIRE(cat.wait(std::chrono::seconds(600)) == 0);
    BOOST_TEST(fs::file_size(out) == size);
    BOOST_TEST(sha256_of(daemon, out) == expected);
    const long daemon_peak_kib = static_cast<long>(pdm::test::peak_resident_kib(daemon.process().pid()));
    BOOST_REQUIRE_MESSAGE(daemon_peak_kib > 0, "cannot read pdmd's peak memory");
    BOOST_TEST_MESSAGE("peak resident memory for " << (size >> 20) << " MiB: pdmctl " << cat.peak_rss_kib()
                                                   << " KiB, pdmd " << daemon_peak_kib << " KiB");
    if (bound_kib > 0) {
        BOOST_TEST(cat.peak_rss_kib() < bound_kib);
        BOOST_TEST(daemon_peak_kib < bound_kib);
    }
}

#if !defined(_WIN32)  // switches to the user nobody
BOOST_AUTO_TEST_CASE(restore_puts_an_earlier_revision_in_the_working_file_for_the_owner_only,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    SharedDaemon daemon;
    auto client = daemon.client();
    check_in_new_content(daemon, *client, "a.mcam", "second", "2");
    // Not checked out: refused.
    BOOST_TEST(outcome(client->call("restore", {{"path", "a.mcam"}, {"rev", 1}})) == "conflict");
    ok_result(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}}));
    // Someone else: refused, file untouched.
    const auto other = daemon.pdmctl({"restore", "a.mcam", "--rev", "1"}, pdm::test::as_nobody());
    BOOST_TEST(other.exit_code == 1);
    BOOST_TEST(other.err.find("forbidden") != std::string::npos, other.err);
    BOOST_TEST(pdm::test::read_text(daemon.repo() / "a.mcam") == "second");
    const auto inode = fs::status(daemon.repo() / "a.mcam").permissions();
    const json restored = ok_result(client->call("restore", {{"path", "a.mcam"}, {"rev", 1}}));
    BOOST_TEST(restored["rev"] == 1);
    BOOST_TEST(pdm::test::read_text(daemon.repo() / "a.mcam") == "contents of a.mcam");
    BOOST_TEST((fs::status(daemon.repo() / "a.mcam").permissions() == inode));
    // History is never rewritten: checking in records the old content as revision 3.
    const json result = ok_result(client->call("checkin", {{"path", "a.mcam"}, {"message", "back"}}));
    BOOST_TEST(result["revisions"][0]["rev"] == 3);
    BOOST_TEST(history_of(*client, "a.mcam")[0]["sha256"] == history_of(*client, "a.mcam")[2]["sha256"]);
}
#endif

#if !defined(_WIN32)  // switches to the user nobody
BOOST_AUTO_TEST_CASE(discard_undoes_a_checkout_and_only_for_its_owner,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    SharedDaemon daemon;
    auto client = daemon.client();
    ok_result(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}}));
    write_file(daemon.repo() / "a.mcam", "a mistake");
    // An admin cannot discard someone's work either: nobody holds b.mcam.
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "b.mcam", "-m", "x"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(outcome(client->call("unlock", {{"path", "b.mcam"}, {"force", true}, {"discard", true}})) == "forbidden");
    const auto printed = daemon.pdmctl({"unlock", "--discard", "a.mcam"});
    BOOST_TEST(printed.exit_code == 0, printed.err);
    BOOST_TEST(printed.out == "unlocked a.mcam; back to revision 1\n");
    BOOST_TEST(pdm::test::read_text(daemon.repo() / "a.mcam") == "contents of a.mcam");
    BOOST_TEST(ok_result(client->call("locks"))["locks"].size() == 1u);  // b.mcam only
    BOOST_TEST(history_of(*client, "a.mcam").size() == 1u);
}
#endif

#if !defined(_WIN32)  // switches to the user nobody
BOOST_AUTO_TEST_CASE(a_forced_unlock_first_saves_the_owners_work_as_a_snapshot,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    SharedDaemon daemon;
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "a.mcam", "-m", "long job"}, pdm::test::as_nobody()).exit_code == 0);
    std::vector<std::string> overwrite = pdm::test::as_nobody();
    overwrite.insert(overwrite.end(), {"sh", "-c", "printf 'unsaved work' > \"$0\"", (daemon.repo() / "a.mcam").string()});
    BOOST_REQUIRE(pdm::test::run_program(overwrite, daemon.dir().path()).exit_code == 0);

    const auto printed = daemon.pdmctl({"unlock", "--force", "a.mcam", "-m", "machine down"});
    BOOST_TEST(printed.exit_code == 0, printed.err);
    BOOST_TEST(printed.out == "unlocked a.mcam (broke nobody's lock; their work is saved as revision 2)\n", printed.out);
    auto client = daemon.client();
    const json newest = history_of(*client, "a.mcam")[0];
    BOOST_TEST(newest["user"] == "nobody");
    BOOST_TEST(newest["broken_by"] == pdm::test::own_account_name());
    BOOST_TEST(newest["message"].get<std::string>().find("machine down") != std::string::npos);
    BOOST_TEST(newest["sha256"] == sha256_of(daemon, daemon.repo() / "a.mcam"));
    const auto cat = daemon.pdmctl({"cat", "a.mcam", "--rev", "2"});
    BOOST_TEST(cat.out == "unsaved work");
}
#endif

BOOST_AUTO_TEST_CASE(kill_9_during_a_checkin_leaves_the_locks_and_the_history_agreeing) {
    DaemonProcess daemon({"a.mcam"});
    daemon.start();
    std::string contents(24 << 20, '\0');
    for (std::size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>((i * 2654435761u) >> 13);
    for (const int delay_ms : {0, 2, 10, 40, 150}) {
        auto client = daemon.client();
        ok_result(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}}));
        contents[0] = static_cast<char>(delay_ms);
        write_file(daemon.repo() / "a.mcam", contents);
        const std::string sha = sha256_of(daemon, daemon.repo() / "a.mcam");
        const std::size_t before = history_of(*client, "a.mcam").size();
        client->send_raw(json{{"op", "checkin"}, {"path", "a.mcam"}, {"message", "crash?"}}.dump() + "\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        daemon.kill_hard();
        daemon.start();
        client = daemon.client();
        const json revisions = history_of(*client, "a.mcam");
        const bool released = ok_result(client->call("locks"))["locks"].empty();
        BOOST_TEST_MESSAGE("kill after " << delay_ms << " ms: lock " << (released ? "released" : "held") << ", "
                                         << revisions.size() - before << " new revision(s)");
        BOOST_TEST(revisions.size() <= before + 1);
        // Released means checked in: the history has the content.
        if (released) BOOST_TEST(revisions[0]["sha256"] == sha);
        if (!released) {
            // Still checked out: checking in again ends with exactly one revision of it.
            ok_result(client->call("checkin", {{"path", "a.mcam"}, {"message", "again"}}));
            const json after = history_of(*client, "a.mcam");
            BOOST_TEST(after.size() == before + 1);
            BOOST_TEST(after[0]["sha256"] == sha);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

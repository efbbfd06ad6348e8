// SPDX-License-Identifier: Apache-2.0
// Read-only means read-only: with ownership enforcement (pdmd run as root,
// as under systemd with CAP_CHOWN), nobody but the lock holder can change a
// tracked file, the user who created it included. The second user is nobody.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

namespace {

struct stat stat_of(const fs::path& path) {
    struct stat status {};
    BOOST_REQUIRE(::lstat(path.c_str(), &status) == 0);
    return status;
}

// A repository folder everyone may write (a shared folder), and a daemon
// whose socket everyone may use.
struct SharedFolder : DaemonProcess {
    explicit SharedFolder(std::vector<std::string> extra = {}) {
        fs::permissions(dir().path(), fs::perms(0755));
        fs::permissions(repo(), fs::perms(0777));
        extra.insert(extra.end(), {"--socket-mode", "0666", "--settle-ms", "100"});
        start(extra);
    }

    // Runs a shell command as nobody in the repository; true when it succeeded.
    bool nobody_runs(const std::string& command) const {
        std::vector<std::string> argv = pdm::test::as_nobody();
        argv.insert(argv.end(), {"sh", "-c", "cd \"$0\" && " + command, repo().string()});
        return pdm::test::run_program(argv, dir().path()).exit_code == 0;
    }

    // Waits until `path`'s owner is `uid` (the daemon acts once the file settles).
    void wait_for_owner(const std::string& path, uid_t uid) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (stat_of(repo() / path).st_uid != uid && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        BOOST_REQUIRE_EQUAL(stat_of(repo() / path).st_uid, uid);
    }

    // What nobody cannot do to a file they do not hold.
    void expect_closed_to_nobody(const std::string& path) const {
        const std::string before = pdm::test::read_text(repo() / path);
        BOOST_TEST(!nobody_runs("chmod u+w " + path), "chmod");
        BOOST_TEST(!nobody_runs("echo more >> " + path), "append");
        BOOST_TEST(!nobody_runs("rm -f " + path), "rm");
        BOOST_TEST(!nobody_runs("mv " + path + " stolen.mcam"), "mv");
        BOOST_TEST(fs::exists(repo() / path));
        BOOST_TEST(pdm::test::read_text(repo() / path) == before);
        BOOST_TEST((stat_of(repo() / path).st_mode & 0222) == 0u);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(ownership, *boost::unit_test::precondition(pdm::test::running_as_root))

BOOST_AUTO_TEST_CASE(a_file_its_creator_has_not_checked_out_is_closed_to_them_too) {
    SharedFolder daemon;
    BOOST_TEST((stat_of(daemon.repo()).st_mode & S_ISVTX) != 0u);  // the shared folder became sticky
    const json hello = daemon.client()->call("hello")["result"];
    BOOST_TEST(hello["enforcement"]["mode"] == "ownership");
    BOOST_TEST(hello["enforcement"]["why"] == "pdmd runs as root");

    BOOST_REQUIRE(daemon.nobody_runs("echo part > N.mcam"));
    daemon.wait_for_owner("N.mcam", 0);  // the daemon's user
    daemon.expect_closed_to_nobody("N.mcam");
    const json disk = daemon.client()->call("info", {{"path", "N.mcam"}})["result"]["file"]["disk"];
    BOOST_TEST(disk["enforcement"] == "ownership");
    BOOST_TEST(disk["owner"] == "root");
    BOOST_TEST(disk["matches_lock"] == true);
}

BOOST_AUTO_TEST_CASE(the_lock_holder_owns_the_file_saves_it_by_renaming_and_gives_it_back_at_check_in) {
    SharedFolder daemon;
    BOOST_REQUIRE(daemon.nobody_runs("echo part > N.mcam"));
    daemon.wait_for_owner("N.mcam", 0);
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "N.mcam", "-m", "mine"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(stat_of(daemon.repo() / "N.mcam").st_uid == 65534u);
    BOOST_TEST(daemon.nobody_runs("echo more >> N.mcam"));
    // Saved the way CAD programs save: a new file, the old one renamed to a backup.
    BOOST_TEST(daemon.nobody_runs("printf 'version 2' > N.mcam.tmp && mv N.mcam N.mcam.bak && mv N.mcam.tmp N.mcam"));
    // Nobody else writes the saved file, though nobody's umask let the group write it.
    const auto result = daemon.pdmctl({"checkin", "--wait", "N.mcam", "-m", "saved"}, pdm::test::as_nobody());
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.out + result.err);
    BOOST_TEST(result.out.find("as revision 2") != std::string::npos, result.out);
    BOOST_TEST(stat_of(daemon.repo() / "N.mcam").st_uid == 0u);
    daemon.expect_closed_to_nobody("N.mcam");
    const json revisions = daemon.client()->call("history", {{"path", "N.mcam"}})["result"]["revisions"];
    BOOST_REQUIRE_EQUAL(revisions.size(), 2u);
    BOOST_TEST(revisions[0]["size"] == 9);
    BOOST_TEST(revisions[0]["user"] == "nobody");
    // Its creator is kept in its history, now that the daemon owns it.
    BOOST_TEST(revisions[1]["user"] == "nobody");
    BOOST_TEST(revisions[1]["message"] == "added");
}

BOOST_AUTO_TEST_CASE(a_mode_or_owner_changed_behind_pdmds_back_is_set_back_at_once_and_audited) {
    SharedFolder daemon;
    auto subscriber = daemon.client();
    subscriber->call("subscribe", {{"events", {"permissions_reverted"}}});
    fs::permissions(daemon.repo() / "a.mcam", fs::perms(0666));
    const auto line = pdm::test::read_line_before(*subscriber, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    BOOST_REQUIRE(line);
    const json event = json::parse(*line);
    BOOST_TEST(event["path"] == "a.mcam");
    BOOST_TEST(event["changes"] == json::array({"mode 0666 -> 0444"}));
    BOOST_TEST((stat_of(daemon.repo() / "a.mcam").st_mode & 07777) == 0444u);
    const json entry = daemon.client()->call("audit", {{"path", "a.mcam"}, {"limit", 1}})["result"]["entries"][0];
    BOOST_TEST(entry["op"] == "permissions_reverted");

    // The holder of a lock may write, but not open the file to others.
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "b.mcam", "-m", "mine"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(daemon.nobody_runs("chmod a+w b.mcam"));
    const auto next = pdm::test::read_line_before(*subscriber, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    BOOST_REQUIRE(next);
    BOOST_TEST(json::parse(*next)["path"] == "b.mcam");
    BOOST_TEST((stat_of(daemon.repo() / "b.mcam").st_mode & 07777) == 0644u);
    BOOST_TEST(stat_of(daemon.repo() / "b.mcam").st_uid == 65534u);
}

BOOST_AUTO_TEST_CASE(a_write_while_the_daemon_was_stopped_is_reported_at_the_next_start) {
    DaemonProcess daemon;
    daemon.start();
    // Answered once the first import is done (a stop would cancel it).
    BOOST_REQUIRE(daemon.client()->call("history", {{"path", "a.mcam"}})["result"]["revisions"].size() == 1u);
    daemon.stop();
    fs::permissions(daemon.repo() / "a.mcam", fs::perms(0644));
    std::ofstream(daemon.repo() / "a.mcam", std::ios::app) << " changed offline";
    // Only its time changed, not its content: nothing to report.
    fs::last_write_time(daemon.repo() / "b.mcam", fs::file_time_type::clock::now() + std::chrono::seconds(5));
    daemon.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    json entries;
    while (std::chrono::steady_clock::now() < deadline) {
        entries = daemon.client()->call("audit", {{"user", ""}})["result"]["entries"];
        if (!entries.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE_EQUAL(entries.size(), 1u);
    BOOST_TEST(entries[0]["op"] == "unlocked_write");
    BOOST_TEST(entries[0]["paths"] == json::array({"a.mcam"}));
    BOOST_TEST(entries[0]["while_stopped"] == true);
}

BOOST_AUTO_TEST_CASE(a_daemon_that_cannot_give_files_away_falls_back_to_mode_and_says_so) {
    DaemonProcess daemon;
    BOOST_REQUIRE(::chown(daemon.dir().path().c_str(), 65534, 65534) == 0);
    const fs::path state = daemon.dir() / "state";
    fs::create_directory(state);
    BOOST_REQUIRE(::chown(state.c_str(), 65534, 65534) == 0);
    for (const char* file : {"a.mcam", "b.mcam", "parts/c.mcam", "parts", ""})
        BOOST_REQUIRE(::chown((daemon.repo() / file).c_str(), 65534, 65534) == 0);
    daemon.start_wrapped(pdm::test::as_nobody(), {"--state-dir", state.string()});
    const json enforcement = daemon.client()->call("hello")["result"]["enforcement"];
    BOOST_TEST(enforcement["mode"] == "mode");
    BOOST_TEST(enforcement["why"].get<std::string>().find("without CAP_CHOWN") != std::string::npos, enforcement);
    BOOST_TEST((stat_of(daemon.repo() / "a.mcam").st_mode & 0222) == 0u);  // still read-only by mode
    daemon.stop();
    // Asked for ownership it cannot give, it refuses to start rather than guard less.
    std::vector<std::string> argv = pdm::test::as_nobody();
    argv.insert(argv.end(), {PDMD_PATH, "--repo", daemon.repo().string(), "--state-dir", state.string(), "--socket",
                             daemon.socket_path(), "--enforce", "ownership"});
    const auto refused = pdm::test::run_program(argv, daemon.dir().path());
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("--enforce ownership") != std::string::npos, refused.err);
}

BOOST_AUTO_TEST_SUITE_END()

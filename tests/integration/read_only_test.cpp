// SPDX-License-Identifier: Apache-2.0
// Read-only enforcement against the real daemon: the write permissions on disk
// follow the locks through check-out, check-in, a lock owned by someone who
// does not own the file, new files and a restart.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::RunningDaemon;
using pdm::test::SharedDaemon;

namespace {

mode_t mode_of(const fs::path& path) {
    struct stat status {};
    BOOST_REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 07777;
}

json disk_of(DaemonProcess& daemon, const std::string& path) {
    const json reply = daemon.client()->call("info", {{"path", path}});
    BOOST_REQUIRE_MESSAGE(outcome(reply) == "ok", reply.dump());
    return reply["result"]["file"]["disk"];
}

// Appends a line to a repository file as the user nobody; true when it could.
bool nobody_can_append(const DaemonProcess& daemon, const std::string& path) {
    std::vector<std::string> argv = pdm::test::as_nobody();
    argv.insert(argv.end(), {"sh", "-c", "echo more >> \"$0\"", (daemon.repo() / path).string()});
    return pdm::test::run_program(argv, daemon.dir().path()).exit_code == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_only)

BOOST_AUTO_TEST_CASE(files_nobody_checked_out_are_read_only_from_the_start) {
    RunningDaemon daemon;
    for (const char* path : {"a.mcam", "b.mcam", "parts/c.mcam"}) {
        BOOST_TEST((mode_of(daemon.repo() / path) & 0222) == 0u, path);
    }
    const json disk = disk_of(daemon, "a.mcam");
    BOOST_TEST(disk["enforced"] == true);
    BOOST_TEST(disk["writable"] == false);
    BOOST_TEST(disk["matches_lock"] == true);
}

BOOST_AUTO_TEST_CASE(checkout_opens_the_file_to_its_owner_and_checkin_closes_it) {
    RunningDaemon daemon;
    auto client = daemon.client();
    BOOST_REQUIRE(outcome(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}})) == "ok");
    // Writable as soon as the reply is in: the owner (root) owns the file, so its owner bit.
    BOOST_TEST((mode_of(daemon.repo() / "a.mcam") & 0222) == mode_t{S_IWUSR});
    BOOST_TEST(disk_of(daemon, "a.mcam")["writable_by_owner"] == true);
    BOOST_TEST(disk_of(daemon, "a.mcam")["matches_lock"] == true);
    BOOST_REQUIRE(outcome(client->call("checkin", {{"path", "a.mcam"}})) == "ok");
    BOOST_TEST((mode_of(daemon.repo() / "a.mcam") & 0222) == 0u);
    BOOST_REQUIRE(outcome(client->call("checkout", {{"path", "a.mcam"}, {"message", ""}})) == "ok");
    BOOST_REQUIRE(outcome(client->call("unlock", {{"path", "a.mcam"}})) == "ok");
    BOOST_TEST((mode_of(daemon.repo() / "a.mcam") & 0222) == 0u);
}

BOOST_AUTO_TEST_CASE(a_lock_owner_who_does_not_own_the_file_may_write_it_through_an_acl,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    SharedDaemon daemon;
    fs::permissions(daemon.repo(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                       fs::perms::others_read | fs::perms::others_exec);
    BOOST_TEST(!nobody_can_append(daemon, "b.mcam"));
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "b.mcam", "-m", "nobody's"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(nobody_can_append(daemon, "b.mcam"));
    const json disk = disk_of(daemon, "b.mcam");
    BOOST_TEST(disk["writable_by_owner"] == true, disk.dump());
    BOOST_TEST(disk["matches_lock"] == true, disk.dump());
    // Nobody else: another file stays closed to them.
    BOOST_TEST(!nobody_can_append(daemon, "a.mcam"));

    BOOST_REQUIRE(daemon.pdmctl({"checkin", "b.mcam"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(!nobody_can_append(daemon, "b.mcam"));
    BOOST_TEST(disk_of(daemon, "b.mcam")["matches_lock"] == true);

    // A broken lock closes the file too.
    BOOST_REQUIRE(daemon.pdmctl({"checkout", "b.mcam", "-m", "again"}, pdm::test::as_nobody()).exit_code == 0);
    BOOST_TEST(nobody_can_append(daemon, "b.mcam"));
    BOOST_REQUIRE(outcome(daemon.client()->call("unlock", {{"path", "b.mcam"}, {"force", true}})) == "ok");
    BOOST_TEST(!nobody_can_append(daemon, "b.mcam"));
}

BOOST_AUTO_TEST_CASE(a_restart_sets_every_file_from_its_lock) {
    DaemonProcess daemon;
    daemon.start();
    BOOST_REQUIRE(outcome(daemon.client()->call("checkout", {{"path", "b.mcam"}, {"message", ""}})) == "ok");
    daemon.stop();
    // Changed by hand while the daemon was down.
    fs::permissions(daemon.repo() / "a.mcam", fs::perms::owner_write | fs::perms::group_write, fs::perm_options::add);
    fs::permissions(daemon.repo() / "b.mcam", fs::perms::owner_write, fs::perm_options::remove);
    daemon.start();
    BOOST_TEST((mode_of(daemon.repo() / "a.mcam") & 0222) == 0u);
    BOOST_TEST((mode_of(daemon.repo() / "b.mcam") & 0222) == mode_t{S_IWUSR});
}

BOOST_AUTO_TEST_CASE(without_enforcement_modes_are_left_alone_and_info_says_so) {
    DaemonProcess daemon;
    fs::permissions(daemon.repo() / "a.mcam", fs::perms::owner_write | fs::perms::group_write, fs::perm_options::add);
    daemon.start({"--no-enforce-readonly"});
    BOOST_REQUIRE(outcome(daemon.client()->call("checkout", {{"path", "b.mcam"}, {"message", ""}})) == "ok");
    BOOST_REQUIRE(outcome(daemon.client()->call("checkin", {{"path", "b.mcam"}})) == "ok");
    BOOST_TEST((mode_of(daemon.repo() / "a.mcam") & 0222) == mode_t{S_IWUSR | S_IWGRP});
    const json disk = disk_of(daemon, "a.mcam");
    BOOST_TEST(disk["enforced"] == false);
    BOOST_TEST(disk["writable"] == true);
    BOOST_TEST(disk["matches_lock"] == false);
}

// A file is left writable while its writer still has it open (the settle time
// here is far longer than the test), and made read-only once its writer closes it.
BOOST_AUTO_TEST_CASE(a_new_file_becomes_read_only_once_its_writer_closes_it) {
    DaemonProcess daemon;
    daemon.start({"--settle-ms", "30000"});
    auto subscriber = daemon.client();
    subscriber->call("subscribe", {{"events", {"file_added"}}});
    {
        std::ofstream writer(daemon.repo() / "parts/new.mcam");
        writer << "part" << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        BOOST_TEST((mode_of(daemon.repo() / "parts/new.mcam") & 0222) != 0u);
    }
    const auto line = pdm::test::read_line_before(*subscriber, std::chrono::steady_clock::now() + std::chrono::seconds(10));
    BOOST_REQUIRE_MESSAGE(line.has_value(), "no file_added within a third of the settle time");
    BOOST_TEST(json::parse(*line)["path"] == "parts/new.mcam");
    BOOST_TEST((mode_of(daemon.repo() / "parts/new.mcam") & 0222) == 0u);
}

// The repository is opened once at start: a folder swapped in under its name
// later never receives the daemon's privileged changes.
BOOST_AUTO_TEST_CASE(permissions_are_changed_through_the_repository_opened_at_start) {
    RunningDaemon daemon;
    fs::rename(daemon.repo(), daemon.dir() / "repo.moved");
    daemon.dir().write("repo/a.mcam", "planted");
    fs::permissions(daemon.repo() / "a.mcam", fs::perms(0666));
    daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
    daemon.client()->call("unlock", {{"path", "a.mcam"}});
    BOOST_TEST(mode_of(daemon.repo() / "a.mcam") == 0666u);
    BOOST_TEST((mode_of(daemon.dir() / "repo.moved/a.mcam") & 0222) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// A check-out survives the way programs save. Each test checks a.mcam out as
// root, saves it the way one kind of program does, and proves: the lock stayed
// on the name, nobody else could take the file meanwhile, the new file's
// permissions were set from the lock at once, subscribers saw one
// file_modified (no removal, no move, no new file), and the owner's check-in
// recorded the new content. Renames that are not saves still move the lock.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::outcome;

namespace {

constexpr int settle_ms = 1000;

mode_t mode_of(const fs::path& path) {
    struct stat status {};
    BOOST_REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 07777;
}

// Writes a new file the way a program does, with its umask ignored: 0666
// lets everyone write it, until the daemon sets it from the lock.
void write_new_file(const fs::path& path, const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    fs::permissions(path, fs::perms(0666));
}

struct SaveFixture : pdm::test::SharedDaemon {
    std::unique_ptr<pdm::ipc::Client> subscriber;
    std::unique_ptr<pdm::ipc::Client> owner;
    int markers = 0;

    SaveFixture() : SharedDaemon({"--settle-ms", std::to_string(settle_ms)}) {
        subscriber = client();
        subscriber->call("subscribe");
        owner = client();
        BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "a.mcam"}, {"message", "editing"}})) == "ok");
    }

    // Events until one of `kind` for `path` arrives (or 20 s pass).
    std::vector<json> events_until(const std::string& kind, const std::string& path) {
        std::vector<json> seen;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (const auto line = pdm::test::read_line_before(*subscriber, deadline)) {
            seen.push_back(json::parse(*line));
            if (seen.back()["event"] == kind && seen.back()["path"] == path) return seen;
        }
        BOOST_FAIL("no " + kind + " for " + path + " within 20 s; seen: " + json(seen).dump());
        return seen;
    }

    // Every event up to a fresh marker file's file_added: the marker's change
    // settles after everything that happened before it.
    std::vector<json> events_after(std::vector<json> seen) {
        const std::string marker = "marker-" + std::to_string(++markers) + ".mcam";
        dir().write("repo/" + marker, "marker");
        const auto rest = events_until("file_added", marker);
        seen.insert(seen.end(), rest.begin(), rest.end());
        return seen;
    }

    static int count(const std::vector<json>& events, const std::string& kind, const std::string& path = "") {
        int n = 0;
        for (const json& event : events) n += event["event"] == kind && (path.empty() || event["path"] == path);
        return n;
    }

    // pdmctl checkout as the user nobody: refused while root holds the file.
    pdm::test::RunResult nobody_checks_out(const std::string& path) {
        return pdmctl({"checkout", path, "-m", "mine now"}, pdm::test::as_nobody());
    }

    // The file at `path` lets nobody but its owner write, within the settle
    // time: the daemon set it when the new file appeared, not when it settled.
    void expect_guarded_at_once(const std::string& path) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settle_ms * 8 / 10);
        while ((mode_of(repo() / path) & 0022) != 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        BOOST_TEST((mode_of(repo() / path) & 0222) == mode_t{S_IWUSR}, path << " mode " << std::oct << mode_of(repo() / path));
    }

    // What every save must leave behind: the lock where it was, one
    // file_modified, nothing listed under the program's temp or backup
    // names, and a check-in that records `content`.
    void expect_saved(const std::string& content, const std::vector<std::string>& leftovers) {
        const auto refused = nobody_checks_out("a.mcam");
        BOOST_TEST(refused.exit_code == 1, refused.out << refused.err);
        BOOST_TEST(refused.err.find("checked out by root") != std::string::npos, refused.err);
        expect_guarded_at_once("a.mcam");

        const auto events = events_after(events_until("file_modified", "a.mcam"));
        BOOST_TEST(count(events, "file_modified", "a.mcam") == 1);
        BOOST_TEST(count(events, "file_removed", "a.mcam") == 0);
        BOOST_TEST(count(events, "file_added", "a.mcam") == 0);
        BOOST_TEST(count(events, "lock_moved") == 0);
        BOOST_TEST(count(events, "unlocked_write") == 0);
        for (const std::string& leftover : leftovers) BOOST_TEST(count(events, "file_added", leftover) == 0, leftover);

        const json locks = owner->call("locks")["result"]["locks"];
        BOOST_REQUIRE_EQUAL(locks.size(), 1u);
        BOOST_TEST(locks[0]["path"] == "a.mcam");
        BOOST_TEST(locks[0]["user"] == "root");
        BOOST_TEST(locks[0]["message"] == "editing");
        BOOST_TEST(locks[0]["missing"] == false);
        const json listed = owner->call("list")["result"]["files"];
        for (const json& file : listed) {
            if (file["path"] == "a.mcam") BOOST_TEST(file["status"] == "checked_out");
            for (const std::string& leftover : leftovers) BOOST_TEST(file["path"] != leftover);
        }
        BOOST_TEST(nobody_checks_out("a.mcam").exit_code == 1);

        const json checkin = owner->call("checkin", {{"path", "a.mcam"}, {"message", "saved"}});
        BOOST_REQUIRE_MESSAGE(outcome(checkin) == "ok", checkin.dump());
        BOOST_TEST(checkin["result"]["revisions"][0]["recorded"] == true);
        const json newest = owner->call("history", {{"path", "a.mcam"}, {"limit", 1}})["result"]["revisions"][0];
        BOOST_TEST(newest["rev"] == 2);
        BOOST_TEST(newest["size"] == content.size());
        BOOST_TEST(newest["message"] == "saved");
        BOOST_TEST((mode_of(repo() / "a.mcam") & 0222) == 0u);
    }

    std::string read(const std::string& path) const { return pdm::test::read_text(repo() / path); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(save_patterns, *boost::unit_test::precondition(pdm::test::running_as_root))

BOOST_FIXTURE_TEST_CASE(write_temp_rename_to_backup_rename_temp_over, SaveFixture) {
    // Many CAD programs, and Windows' ReplaceFileW.
    write_new_file(repo() / "a.mcam.tmp", "version 2");
    fs::rename(repo() / "a.mcam", repo() / "a.mcam.bak");
    fs::rename(repo() / "a.mcam.tmp", repo() / "a.mcam");
    expect_saved("version 2", {"a.mcam.bak", "a.mcam.tmp"});
    BOOST_TEST(read("a.mcam.bak") == "contents of a.mcam");
}

BOOST_FIXTURE_TEST_CASE(a_backup_under_a_tracked_name_gets_no_lock, SaveFixture) {
    // A program whose backup name no ignore pattern lists: the backup is a
    // new, available file; the lock stays on the name that came back.
    write_new_file(repo() / "a.mcam.tmp", "version 2");
    fs::rename(repo() / "a.mcam", repo() / "a-backup.mcam");
    fs::rename(repo() / "a.mcam.tmp", repo() / "a.mcam");
    expect_saved("version 2", {});
    const json backup = owner->call("info", {{"path", "a-backup.mcam"}});
    BOOST_REQUIRE_MESSAGE(outcome(backup) == "ok", backup.dump());
    BOOST_TEST(backup["result"]["file"]["status"] == "available");
}

BOOST_FIXTURE_TEST_CASE(office_temp_files_around_the_original, SaveFixture) {
    write_new_file(repo() / "~WRL0001.tmp", "version 2 from office");
    fs::rename(repo() / "a.mcam", repo() / "~WRL0002.tmp");
    fs::rename(repo() / "~WRL0001.tmp", repo() / "a.mcam");
    fs::remove(repo() / "~WRL0002.tmp");
    expect_saved("version 2 from office", {"~WRL0001.tmp", "~WRL0002.tmp"});
}

BOOST_FIXTURE_TEST_CASE(rename_to_backup_write_new_delete_backup, SaveFixture) {
    // vim's way with backupcopy=no.
    fs::rename(repo() / "a.mcam", repo() / "a.mcam~");
    write_new_file(repo() / "a.mcam", "version 2 from an editor");
    fs::remove(repo() / "a.mcam~");
    expect_saved("version 2 from an editor", {"a.mcam~"});
}

BOOST_FIXTURE_TEST_CASE(temp_file_renamed_over_the_original, SaveFixture) {
    write_new_file(repo() / "a.mcam.tmp", "replaced");
    fs::rename(repo() / "a.mcam.tmp", repo() / "a.mcam");
    expect_saved("replaced", {"a.mcam.tmp"});
}

BOOST_FIXTURE_TEST_CASE(vim_with_backup_and_writebackup,
                        SaveFixture, *boost::unit_test::precondition(pdm::test::program_installed("/usr/bin/vim", "vim"))) {
    const auto vim = pdm::test::run_program(
        {"/usr/bin/vim", "-es", "-u", "NONE", "-i", "NONE", "-c", "set backup writebackup backupcopy=no backupskip=", "-c",
         "call append(line('$'), 'a line added in vim')", "-c", "wq", (repo() / "a.mcam").string()},
        dir().path());
    BOOST_REQUIRE_MESSAGE(vim.exit_code == 0, vim.out + vim.err);
    BOOST_REQUIRE(fs::exists(repo() / "a.mcam~"));  // vim renamed the original to its backup (backupskip= : the test folder is in /tmp, which vim skips)
    expect_saved(read("a.mcam"), {"a.mcam~"});
}

BOOST_FIXTURE_TEST_CASE(sed_in_place, SaveFixture) {
    const auto sed = pdm::test::run_program({"sed", "-i", "s/contents/CONTENTS/", (repo() / "a.mcam").string()},
                                            dir().path());
    BOOST_REQUIRE_MESSAGE(sed.exit_code == 0, sed.err);
    expect_saved("CONTENTS of a.mcam", {});
}

BOOST_FIXTURE_TEST_CASE(python_os_replace,
                        SaveFixture, *boost::unit_test::precondition(pdm::test::program_installed("/usr/bin/python3", "python3"))) {
    const auto python = pdm::test::run_program(
        {"/usr/bin/python3", "-c",
         "import os, sys\n"
         "with open(sys.argv[1] + '.tmp', 'w') as f: f.write('saved by python')\n"
         "os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n",
         (repo() / "a.mcam").string()},
        dir().path());
    BOOST_REQUIRE_MESSAGE(python.exit_code == 0, python.err);
    expect_saved("saved by python", {});
}

BOOST_FIXTURE_TEST_CASE(a_plain_rename_moves_the_lock_once_the_old_name_stays_empty, SaveFixture) {
    fs::rename(repo() / "a.mcam", repo() / "renamed.mcam");
    // Until the rename settles, the new name is not free to take.
    const auto refused = nobody_checks_out("renamed.mcam");
    BOOST_TEST(refused.exit_code == 1);
    BOOST_TEST(refused.err.find("renamed from 'a.mcam'") != std::string::npos, refused.err);
    auto events = events_until("lock_moved", "renamed.mcam");
    BOOST_TEST(events.back()["from"] == "a.mcam");
    BOOST_TEST(events.back()["owner"] == "root");
    events = events_after(events);
    BOOST_TEST(count(events, "file_removed", "a.mcam") == 1);
    BOOST_TEST(count(events, "file_added", "renamed.mcam") == 1);
    const json locks = owner->call("locks")["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 1u);
    BOOST_TEST(locks[0]["path"] == "renamed.mcam");
    BOOST_TEST(locks[0]["missing"] == false);
    BOOST_TEST(outcome(owner->call("info", {{"path", "a.mcam"}})) == "not_found");
    BOOST_TEST(nobody_checks_out("renamed.mcam").err.find("checked out by root") != std::string::npos);
    BOOST_TEST((mode_of(repo() / "renamed.mcam") & 0222) == mode_t{S_IWUSR});
    BOOST_TEST(outcome(owner->call("checkin", {{"path", "renamed.mcam"}})) == "ok");
}

BOOST_FIXTURE_TEST_CASE(a_rename_to_an_ignored_name_leaves_the_lock_on_the_missing_file, SaveFixture) {
    fs::rename(repo() / "a.mcam", repo() / "a.mcam.bak");
    const auto events = events_after(events_until("file_removed", "a.mcam"));
    BOOST_TEST(count(events, "lock_moved") == 0);
    BOOST_TEST(count(events, "file_added", "a.mcam.bak") == 0);
    const json locks = owner->call("locks")["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 1u);
    BOOST_TEST(locks[0]["path"] == "a.mcam");
    BOOST_TEST(locks[0]["missing"] == true);
}

BOOST_FIXTURE_TEST_CASE(a_folder_rename_moves_the_locks_below_it_at_once, SaveFixture) {
    BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "parts/c.mcam"}, {"message", ""}})) == "ok");
    fs::rename(repo() / "parts", repo() / "assemblies");
    const auto events = events_until("file_added", "assemblies/c.mcam");
    // Announced before the folder's files settled: the lock did not wait.
    BOOST_TEST(count(events, "lock_moved", "assemblies/c.mcam") == 1);
    const json locks = owner->call("locks", {{"user", "root"}})["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 2u);
    BOOST_TEST(locks[0]["path"] == "a.mcam");
    BOOST_TEST(locks[1]["path"] == "assemblies/c.mcam");
}

BOOST_AUTO_TEST_SUITE_END()

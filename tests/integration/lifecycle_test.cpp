// SPDX-License-Identifier: Apache-2.0
// Starting, refusing to start, and stopping.

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "ipc/peer_identity.hpp"
#include "tests/integration/daemon_process.hpp"
#if !defined(_WIN32)
#include "tests/support/file_size_limit.hpp"
#endif

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::read_text;

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(corrupt_locks_json_refuses_to_start_names_the_position_and_is_left_untouched) {
    DaemonProcess daemon;
    const std::string corrupt = "{\n  \"a.mcam\": {\"user\": \"alice\", \"timestamp\": \"t\"\n  \"message\": \"m\"}\n}\n";
    daemon.dir().write("repo/.pdm/locks.json", corrupt);
    BOOST_TEST(daemon.start_expecting_exit() == 1);
    const std::string log = daemon.log();
    BOOST_TEST(log.find("locks.json:3:") != std::string::npos, log);
    BOOST_TEST(log.find("--recover") != std::string::npos);
    BOOST_TEST(read_text(daemon.state_dir() / "locks.json") == corrupt);
#if !defined(_WIN32)
    BOOST_TEST(!fs::exists(daemon.socket_path()));
#endif
}

#if !defined(_WIN32)  // a name Windows forbids
// The reproduction of a folder renamed to a name with a control character:
// the locks stay at names a client can give, the daemon serves and restarts.
BOOST_AUTO_TEST_CASE(a_folder_renamed_to_a_name_no_client_can_give_keeps_its_locks_where_they_were) {
    DaemonProcess daemon;
    daemon.start({"--settle-ms", "50"});
    auto client = daemon.client();
    BOOST_REQUIRE(outcome(client->call("checkout", {{"path", "parts/c.mcam"}, {"message", "held"}})) == "ok");
    fs::rename(daemon.repo() / "parts", daemon.repo() / "parts\x01");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const json locks = client->call("locks")["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 1u);
    BOOST_TEST(locks[0]["path"] == "parts/c.mcam");
    BOOST_TEST(locks[0]["missing"] == true);
    daemon.stop();
    daemon.start();
    BOOST_TEST(outcome(daemon.client()->call("unlock", {{"path", "parts/c.mcam"}, {"force", true}})) == "ok");
}
#endif

BOOST_AUTO_TEST_CASE(a_lock_no_client_can_name_is_set_aside_and_the_rest_load) {
    DaemonProcess daemon;
    const json table = {{"a.mcam", {{"user", "alice"}, {"timestamp", "t"}, {"message", "fine"}}},
                        {"parts\x01/c.mcam", {{"user", "bob"}, {"timestamp", "t"}, {"message", "stuck"}}}};
    daemon.dir().write("repo/.pdm/locks.json", table.dump());
    daemon.start();
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 1u);
    BOOST_TEST(locks[0]["path"] == "a.mcam");
    BOOST_TEST(daemon.log().find("moved to") != std::string::npos, daemon.log());
    BOOST_TEST(daemon.log().find('\x01') == std::string::npos);  // never printed raw
    int aside = 0;
    for (const auto& entry : fs::directory_iterator(daemon.state_dir())) {
        if (!entry.path().filename().string().starts_with("locks.json.unusable-")) continue;
        ++aside;
        BOOST_TEST(json::parse(read_text(entry.path()))["parts\x01/c.mcam"]["user"] == "bob");
    }
    BOOST_TEST(aside == 1);
}

BOOST_AUTO_TEST_CASE(recover_moves_the_bad_file_aside_and_starts_empty_loudly) {
    DaemonProcess daemon;
    daemon.dir().write("repo/.pdm/locks.json", "{broken");
    daemon.start({"--recover"});
    BOOST_TEST(daemon.client()->call("locks")["result"]["locks"].empty());
    BOOST_TEST(daemon.log().find("RECOVERY") != std::string::npos);
    int broken_files = 0;
    for (const auto& entry : fs::directory_iterator(daemon.state_dir())) {
        if (entry.path().filename().string().starts_with("locks.json.broken-")) {
            ++broken_files;
            BOOST_TEST(read_text(entry.path()) == "{broken");
        }
    }
    BOOST_TEST(broken_files == 1);
}

BOOST_AUTO_TEST_CASE(a_second_daemon_on_the_same_state_dir_is_refused_naming_the_holder) {
    DaemonProcess first;
    first.start();
    const DaemonProcess elsewhere;
    const auto second = pdm::test::run_program(
        {PDMD_PATH, "--repo", first.repo().string(), pdm::test::endpoint_flag(), elsewhere.socket_path()},
        first.dir().path());
    BOOST_TEST(second.exit_code == 1);
    BOOST_TEST(second.err.find("pid " + std::to_string(first.process().pid())) != std::string::npos, second.err);
    BOOST_TEST(outcome(first.client()->call("hello")) == "ok");
}

#if !defined(_WIN32)  // permission bits (ACLs on Windows: windows_files_test)
BOOST_AUTO_TEST_CASE(a_state_dir_others_can_write_or_that_is_a_link_refuses_to_start) {
    DaemonProcess daemon;
    fs::create_directories(daemon.state_dir());
    fs::permissions(daemon.state_dir(), fs::perms::all);
    BOOST_TEST(daemon.start_expecting_exit() == 1);
    BOOST_TEST(daemon.log().find("writable by other users") != std::string::npos, daemon.log());

    fs::remove(daemon.state_dir());
    fs::create_directory(daemon.dir() / "real-state");
    fs::create_directory_symlink(daemon.dir() / "real-state", daemon.state_dir());
    BOOST_TEST(daemon.start_expecting_exit() == 1);
    BOOST_TEST(daemon.log().find("symbolic link") != std::string::npos, daemon.log());
}
#endif

#if !defined(_WIN32)  // permission bits (ACLs on Windows: windows_files_test)
// A shared folder holding the state dir (the default REPO/.pdm): anyone who
// may write it could rename the state dir away and plant a forged one.
BOOST_AUTO_TEST_CASE(a_state_dir_in_a_folder_others_may_write_needs_that_folder_sticky) {
    DaemonProcess daemon;
    fs::permissions(daemon.repo(), fs::perms(0777));
    BOOST_TEST(daemon.start_expecting_exit({"--enforce", "off"}) == 1);
    BOOST_TEST(daemon.log().find("chmod +t " + daemon.repo().string()) != std::string::npos, daemon.log());
    // With read-only enforcement pdmd makes the shared folder sticky itself, first.
    daemon.start();
    BOOST_TEST(((fs::status(daemon.repo()).permissions() & fs::perms::sticky_bit) != fs::perms::none));
}
#endif

#if !defined(_WIN32)  // permission bits (ACLs on Windows: windows_files_test)
BOOST_AUTO_TEST_CASE(a_new_state_dir_is_private_to_the_daemon) {
    DaemonProcess daemon;
    daemon.start();
    const auto perms = fs::status(daemon.state_dir()).permissions();
    BOOST_TEST(((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none));
}
#endif

BOOST_AUTO_TEST_CASE(every_flag_can_come_from_a_config_file) {
    DaemonProcess daemon({"a.mcam", "notes.txt"});
    const auto config = daemon.dir().write("pdmd.conf", "include = [\"*.mcam\"]\nadmin = [\"alice\", \"bob\"]\n"
                                                        "log-level = \"debug\"\nmax-line-bytes = 4096\n");
    daemon.start({"--config", config.string()});
    auto c = daemon.client();
    const json files = c->call("list")["result"]["files"];
    BOOST_REQUIRE(files.size() == 1u);  // include came from the file
    BOOST_TEST(files[0]["path"] == "a.mcam");
    c->send_raw("{\"op\":\"hello\",\"pad\":\"" + std::string(5000, 'x') + "\"}\n");
    BOOST_TEST(outcome(json::parse(c->read_line())) == "too_large");
    BOOST_TEST(daemon.log().find(std::string("admins: ") + pdm::ipc::superusers_in_words() + ", alice, bob") !=
                   std::string::npos,
               daemon.log());
}

// Found by the config fuzz target: CLI11 let std::out_of_range through for a
// flag given a number too large, and pdmd aborted instead of saying why.
BOOST_AUTO_TEST_CASE(a_value_too_large_to_read_is_a_usage_error_on_the_command_line_and_in_the_config_file) {
    DaemonProcess daemon;
    BOOST_TEST(daemon.start_expecting_exit({"--no-watch=22222222222222222222222"}) == 2);
    BOOST_TEST(daemon.log().find("cannot be read") != std::string::npos, daemon.log());
    const auto config = daemon.dir().write("pdmd.conf", "no-watch = 22222222222222222222222\n");
    BOOST_TEST(daemon.start_expecting_exit({"--config", config.string()}) == 2);
}

// Found by the config fuzz target's long run: CLI11 read `key = []` as no
// value at all, and an option taking one value then read past its end: pdmd
// died of a segmentation fault at start (or at a reload).
BOOST_AUTO_TEST_CASE(an_empty_list_in_the_config_file_is_a_usage_error_naming_its_key) {
    DaemonProcess daemon;
    for (const std::string line : {"max-connections = []", "log-level = [ ]", "enforce = []", "admin = []"}) {
        const auto config = daemon.dir().write("pdmd.conf", "# pdmd.conf\n" + line + "\n");
        BOOST_TEST(daemon.start_expecting_exit({"--config", config.string()}) == 2, line);
        const std::string key = line.substr(0, line.find(' '));
        BOOST_TEST(daemon.log().find(key + " in the --config file is an empty list") != std::string::npos,
                   daemon.log());
    }
    // A section and what follows it still work.
    const auto config = daemon.dir().write("pdmd.conf", "[pdmd]\nmax-connections = 100\n");
    daemon.start({"--config", config.string()});
    BOOST_TEST(outcome(daemon.client()->call("hello")) == "ok");
}

// A stop must not wait for a first import of a large folder: systemd's
// TimeoutStopSec would kill the daemon. The import is taken again next time.
BOOST_AUTO_TEST_CASE(sigterm_during_a_large_first_import_stops_at_once_and_the_next_start_imports_again) {
    DaemonProcess daemon;
    // Incompressible, like CAD files: the import takes about 6 s here.
    std::mt19937_64 random(42);
    std::string megabyte(1 << 20, '\0');
    for (int i = 0; i < 200; ++i) {
        for (std::size_t at = 0; at < megabyte.size(); at += 8) {
            const std::uint64_t bits = random();
            std::memcpy(megabyte.data() + at, &bits, 8);
        }
        daemon.dir().write("repo/big/" + std::to_string(i) + ".mcam", megabyte);
    }
    daemon.start();
    const auto asked = std::chrono::steady_clock::now();
    BOOST_TEST(daemon.stop() == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - asked < std::chrono::seconds(2)));
    daemon.start();
    const json revisions = daemon.client()->call("history", {{"path", "big/199.mcam"}})["result"]["revisions"];
    BOOST_REQUIRE_EQUAL(revisions.size(), 1u);
    BOOST_TEST(revisions[0]["message"] == "initial import");
}

#if !defined(_WIN32)  // SIGINT, and a socket file that goes away (Ctrl+C under Wine: GenerateConsoleCtrlEvent fails)
BOOST_AUTO_TEST_CASE(sigint_stops_like_sigterm) {
    DaemonProcess daemon;
    daemon.start();
    daemon.process().signal(SIGINT);
    BOOST_TEST(daemon.process().wait(std::chrono::seconds(20)).value_or(-1) == 0);
    BOOST_TEST(!fs::exists(daemon.socket_path()));
}
#endif

#if !defined(_WIN32)  // a Unix socket (Wine does not enforce FILE_FLAG_FIRST_PIPE_INSTANCE)
BOOST_AUTO_TEST_CASE(a_live_socket_is_never_stolen) {
    DaemonProcess first;
    first.start();
    DaemonProcess second;
    const auto result = pdm::test::run_program(
        {PDMD_PATH, "--repo", second.repo().string(), "--socket", first.socket_path()}, second.dir().path());
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("already serving") != std::string::npos, result.err);
    BOOST_TEST(first.client()->call("hello")["result"]["repo"] == fs::canonical(first.repo()).string());
}
#endif

#if !defined(_WIN32)  // a file at the socket's path (a pipe name is no file)
BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_socket_is_never_replaced) {
    DaemonProcess daemon;
    daemon.dir().write("pdmd.sock", "precious");
    BOOST_TEST(daemon.start_expecting_exit() == 1);
    BOOST_TEST(daemon.log().find("not a socket") != std::string::npos);
    BOOST_TEST(read_text(daemon.socket_path()) == "precious");
}
#endif

BOOST_AUTO_TEST_CASE(sigterm_exits_0_removes_the_socket_and_keeps_the_locks) {
    DaemonProcess daemon;
    daemon.start();
    BOOST_TEST(outcome(daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", "keep"}})) == "ok");
    auto idle = daemon.client();  // an open connection must not hold up the shutdown
    BOOST_TEST(daemon.stop() == 0);
#if !defined(_WIN32)
    BOOST_TEST(!fs::exists(daemon.socket_path()));
#endif
    daemon.start();
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    BOOST_REQUIRE(locks.size() == 1u);
    BOOST_TEST(locks[0]["message"] == "keep");
}

BOOST_AUTO_TEST_CASE(sigterm_answers_requests_already_sent) {
    DaemonProcess daemon;
    daemon.start();
    auto c = daemon.client();
    // A served connection: one the daemon had not yet accepted when told to
    // stop is closed unanswered (under Wine and a loaded machine, it can be).
    BOOST_REQUIRE(outcome(c->call("hello")) == "ok");
    std::string burst;
    for (int i = 0; i < 200; ++i) burst += json{{"op", "list"}, {"id", i}}.dump() + "\n";
    c->send_raw(burst);
    daemon.request_stop();
    int answered = 0;
    try {
        for (int i = 0; i < 200; ++i) {
            if (json::parse(c->read_line())["id"] == i) ++answered;
        }
    } catch (const pdm::ipc::ProtocolError&) {
    }
    BOOST_TEST(answered == 200);
    BOOST_TEST(daemon.process().wait(std::chrono::seconds(20)).value_or(-1) == 0);
}

#if !defined(_WIN32)  // a pipe has no queue of connections made and not yet accepted
BOOST_AUTO_TEST_CASE(sigterm_answers_connections_made_but_not_yet_accepted) {
    DaemonProcess daemon;
    daemon.start();
    // The loop busy with a burst of lists while the connections come: some
    // are still in the socket's queue when the stop arrives.
    auto busy = daemon.client();
    std::string burst;
    for (int i = 0; i < 300; ++i) burst += json{{"op", "list"}, {"id", i}}.dump() + "\n";
    busy->send_raw(burst);
    std::vector<std::unique_ptr<pdm::ipc::Client>> late;
    for (int i = 0; i < 64; ++i) {
        late.push_back(daemon.client());
        late.back()->send_raw(json{{"op", "hello"}, {"id", i}}.dump() + "\n");
    }
    daemon.request_stop();
    int answered = 0;
    for (auto& client : late) {
        try {
            answered += json::parse(client->read_line()).value("ok", false) ? 1 : 0;
        } catch (const std::exception&) {
            // Closed unanswered (end of stream), or reset.
        }
    }
    BOOST_TEST(answered == 64);
    BOOST_TEST(daemon.process().wait(std::chrono::seconds(20)).value_or(-1) == 0);
}
#endif

#if !defined(_WIN32)  // a socket file left behind (a pipe ends with its process)
BOOST_AUTO_TEST_CASE(a_stale_socket_left_by_kill_9_is_replaced) {
    DaemonProcess daemon;
    daemon.start();
    daemon.kill_hard();
    BOOST_TEST(fs::exists(daemon.socket_path()));
    daemon.start();
    BOOST_TEST(daemon.log().find("error") == std::string::npos);
    BOOST_TEST(outcome(daemon.client()->call("hello")) == "ok");
}
#endif

#if !defined(_WIN32)  // RLIMIT_FSIZE
BOOST_AUTO_TEST_CASE(a_failed_save_is_internal_changes_nothing_and_the_daemon_keeps_serving) {
    DaemonProcess daemon;
    daemon.start();
    auto c = daemon.client();
    {
        // pdmd may grow no file: every write fails, as on a full disk.
        const pdm::test::FileSizeLimit full(0, daemon.process().pid());
        const json reply = c->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
        BOOST_TEST(outcome(reply) == "internal");
        BOOST_TEST(reply["error"]["message"].get<std::string>().find("nothing was changed") != std::string::npos);
        BOOST_TEST(c->call("locks")["result"]["locks"].empty());
    }
    BOOST_TEST(outcome(c->call("checkout", {{"path", "a.mcam"}, {"message", ""}})) == "ok");
    // What was refused never reached the disk: a restart shows the one lock taken since.
    daemon.kill_hard();
    daemon.start();
    const json locks = daemon.client()->call("locks")["result"]["locks"];
    BOOST_TEST(locks.size() == 1u);
    BOOST_TEST(daemon.client()->call("audit", {{"path", "a.mcam"}})["result"]["entries"].size() == 1u);
}
#endif

BOOST_AUTO_TEST_CASE(a_failed_checkpoint_changes_no_reply_and_locks_json_catches_up_once_it_can) {
    DaemonProcess daemon;
    daemon.start();
    // A folder where locks.json's temp file must go: every checkpoint fails.
    fs::create_directory(daemon.state_dir() / "locks.json.tmp");
    auto c = daemon.client();
    BOOST_TEST(outcome(c->call("checkout", {{"path", "a.mcam"}, {"message", "kept"}})) == "ok");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    BOOST_TEST(daemon.log().find("cannot write locks.json") != std::string::npos, daemon.log());
    fs::remove(daemon.state_dir() / "locks.json.tmp");
    BOOST_TEST(outcome(c->call("checkout", {{"path", "b.mcam"}, {"message", "kept"}})) == "ok");
    bool caught_up = false;
    for (int i = 0; i < 100 && !caught_up; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        // The checkpoint replaces locks.json first and empties the journal after it.
        const json table = json::parse(read_text(daemon.state_dir() / "locks.json"), nullptr, false);
        caught_up = table.is_object() && table.size() == 2u &&
                    fs::file_size(daemon.state_dir() / "locks.journal") == 0u;
    }
    BOOST_TEST(caught_up, "locks.json: " << read_text(daemon.state_dir() / "locks.json") << ", journal: "
                                         << fs::file_size(daemon.state_dir() / "locks.journal") << " bytes");
}

BOOST_AUTO_TEST_CASE(state_written_by_the_daemon_is_in_the_documented_shape) {
    DaemonProcess daemon;
    daemon.start();
    daemon.client()->call("checkout", {{"path", "parts/c.mcam"}, {"message", "m"}});
    // Durable in the journal at once; locks.json follows within a second.
    json locks = json::object();
    for (int i = 0; i < 100 && locks.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        locks = json::parse(read_text(daemon.state_dir() / "locks.json"), nullptr, false);
        if (!locks.is_object()) locks = json::object();
    }
    BOOST_TEST(locks["parts/c.mcam"]["message"] == "m");
    BOOST_TEST(locks["parts/c.mcam"].size() == 3u);
    const std::string audit = read_text(daemon.state_dir() / "audit.jsonl");
    const json entry = json::parse(audit.substr(0, audit.find('\n')));
    for (const char* key : {"time", "user", "op", "paths", "message", "outcome"}) BOOST_TEST(entry.contains(key));
}

BOOST_AUTO_TEST_SUITE_END()

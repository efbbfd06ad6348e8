// SPDX-License-Identifier: Apache-2.0
// Identity comes from the peer's credentials. Run as root, these tests drive
// pdmctl as the unprivileged user "nobody" (via setpriv) against root's locks.

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::running_as_root;

using pdm::test::SharedDaemon;

BOOST_AUTO_TEST_SUITE(rights, *boost::unit_test::precondition(running_as_root))

// A file outside the repository hard-linked into it: checking it out would
// have given nobody write access to the outside file through its other name.
BOOST_AUTO_TEST_CASE(a_hard_link_into_the_repository_is_neither_checked_out_nor_opened) {
    pdm::test::TempDir outside;
    const fs::path target = outside.write("target.conf", "not a part file");
    fs::permissions(target, fs::perms(0644));
    fs::permissions(outside.path(), fs::perms(0755));
    DaemonProcess daemon;
    fs::create_hard_link(target, daemon.repo() / "link.mcam");
    daemon.start();
    std::vector<std::string> append = pdm::test::as_nobody();
    append.insert(append.end(), {"sh", "-c", "echo owned >> \"$0\"", target.string()});
    const json refused = daemon.client()->call("checkout", {{"path", "link.mcam"}, {"message", ""}});
    BOOST_TEST(outcome(refused) == "invalid_path", refused.dump());
    BOOST_TEST(refused["error"]["message"].get<std::string>().find("hard links") != std::string::npos);
    BOOST_TEST(refused["error"]["details"]["links"] == 2);
    // Its permissions were never changed: read-only enforcement left it alone.
    BOOST_TEST(static_cast<int>(fs::status(target).permissions() & fs::perms(0777)) == 0644);
    BOOST_TEST(pdm::test::run_program(append, daemon.dir().path()).exit_code != 0);
    BOOST_TEST(pdm::test::read_text(target) == "not a part file");
}

// One account cannot take every connection slot; root is not counted.
BOOST_AUTO_TEST_CASE(one_user_cannot_hold_more_than_their_share_of_connections,
                     *boost::unit_test::precondition(pdm::test::program_installed("/usr/bin/python3", "python3"))) {
    SharedDaemon daemon({"--max-connections-per-user", "3"});
    const char* const script = R"(
import json, socket, sys
held = []
for i in range(4):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    try:
        s.sendall(b'{"op":"hello"}\n')
    except OSError:
        pass  # a refused connection may be closed before the request is sent; its reply is there to read
    reply = json.loads(s.makefile().readline())
    print('ok' if reply['ok'] else 'refused: ' + reply['error']['message'])
    held.append(s)
)";
    std::vector<std::string> argv = pdm::test::as_nobody();
    argv.insert(argv.end(), {"/usr/bin/python3", "-c", script, daemon.socket_path()});
    const auto result = pdm::test::run_program(argv, daemon.dir().path());
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    BOOST_TEST(result.out.starts_with("ok\nok\nok\nrefused: pdmd refused the connection: too many connections from "
                                      "nobody (limit 3 per user)"),
               result.out);
    std::vector<std::unique_ptr<pdm::ipc::Client>> roots;
    for (int i = 0; i < 5; ++i) {
        roots.push_back(daemon.client());
        BOOST_TEST(outcome(roots.back()->call("hello")) == "ok");
    }
}

BOOST_AUTO_TEST_CASE(another_user_cannot_check_in_or_break_roots_lock_and_is_named_truly) {
    SharedDaemon daemon;
    BOOST_TEST(outcome(daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", "root's"}})) == "ok");

    const auto hello = daemon.pdmctl({"--json", "ping"}, pdm::test::as_nobody());
    BOOST_REQUIRE(hello.exit_code == 0);
    BOOST_TEST(json::parse(hello.out)["user"] == "nobody");
    BOOST_TEST(json::parse(hello.out)["admin"] == false);

    auto result = daemon.pdmctl({"checkin", "a.mcam"}, pdm::test::as_nobody());
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("[forbidden]") != std::string::npos, result.err);
    result = daemon.pdmctl({"unlock", "--force", "a.mcam"}, pdm::test::as_nobody());
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("only an admin") != std::string::npos, result.err);
    result = daemon.pdmctl({"unlock", "a.mcam"}, pdm::test::as_nobody());
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(daemon.client()->call("locks")["result"]["locks"][0]["user"] == "root");

    // The audit trail names the real user of each refused attempt.
    const json entries = daemon.client()->call("audit", {{"user", "nobody"}})["result"]["entries"];
    BOOST_TEST(entries.size() == 3u);
    for (const json& entry : entries) BOOST_TEST(entry["outcome"] == "forbidden");
}

BOOST_AUTO_TEST_CASE(root_may_break_a_users_lock_only_with_force_and_it_is_audited) {
    SharedDaemon daemon;
    BOOST_TEST(daemon.pdmctl({"checkout", "b.mcam", "-m", "nobody's"}, pdm::test::as_nobody()).exit_code == 0);
    auto c = daemon.client();
    BOOST_TEST(outcome(c->call("checkin", {{"path", "b.mcam"}})) == "forbidden");
    BOOST_TEST(outcome(c->call("unlock", {{"path", "b.mcam"}})) == "forbidden");
    const json reply = c->call("unlock", {{"path", "b.mcam"}, {"force", true}});
    BOOST_REQUIRE(outcome(reply) == "ok");
    BOOST_TEST(reply["result"]["released"][0]["broken"] == true);
    BOOST_TEST(reply["result"]["released"][0]["user"] == "nobody");
    const json entry = c->call("audit", {{"limit", 1}})["result"]["entries"][0];
    BOOST_TEST(entry["force"] == true);
    BOOST_TEST(entry["user"] == "root");
    BOOST_TEST(entry["broken_locks"][0]["owner"] == "nobody");
}

BOOST_AUTO_TEST_CASE(admin_flags_make_a_user_an_admin) {
    for (const std::vector<std::string>& flags : {std::vector<std::string>{"--admin", "nobody"},
                                                   std::vector<std::string>{"--admin-group", "nogroup"}}) {
        BOOST_TEST_CONTEXT(flags[0]) {
            SharedDaemon daemon(flags);
            daemon.client()->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
            BOOST_TEST(json::parse(daemon.pdmctl({"--json", "ping"}, pdm::test::as_nobody()).out)["admin"] == true);
            BOOST_TEST(daemon.pdmctl({"unlock", "--force", "a.mcam"}, pdm::test::as_nobody()).exit_code == 0);
            BOOST_TEST(daemon.client()->call("locks")["result"]["locks"].empty());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

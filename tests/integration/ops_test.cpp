// SPDX-License-Identifier: Apache-2.0
// Every op and every error code, against the real daemon over its socket.

#include <boost/test/unit_test.hpp>

#include "core/utf8_path.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/support/own_account.hpp"

using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;
using pdm::test::RunningDaemon;

namespace {


}  // namespace

BOOST_FIXTURE_TEST_SUITE(ops, RunningDaemon)

BOOST_AUTO_TEST_CASE(hello_names_the_peer_from_its_credentials) {
    const json reply = client()->call("hello", {{"user", "mallory"}});
    BOOST_TEST(outcome(reply) == "ok");
    const json& hello = reply["result"];
    BOOST_TEST(hello["server"] == "pdmd");
    BOOST_TEST(hello["protocol"] == 1);
    BOOST_TEST(hello["capabilities"].is_array());
    // Identity comes from the socket's peer credentials, never from the request.
    BOOST_TEST(hello["user"] == pdm::test::own_account_name());
    BOOST_TEST(hello["admin"] == pdm::test::own_account_is_superuser());
    BOOST_TEST(hello["repo"] == std::filesystem::canonical(repo()).string());
}

BOOST_AUTO_TEST_CASE(checkout_list_info_locks_checkin_round_trip) {
    auto c = client();
    json reply = c->call("checkout", {{"path", "parts/c.mcam"}, {"message", "new bore"}});
    BOOST_REQUIRE(outcome(reply) == "ok");
    const json lock = reply["result"]["locks"][0];
    BOOST_TEST(lock["path"] == "parts/c.mcam");
    BOOST_TEST(lock["message"] == "new bore");

    reply = c->call("list");
    BOOST_REQUIRE(reply["result"]["files"].size() == 3u);
    const json listed = reply["result"]["files"][2];
    BOOST_TEST(listed["path"] == "parts/c.mcam");
    BOOST_TEST(listed["status"] == "checked_out");
    BOOST_TEST(listed["size"] == std::string("contents of parts/c.mcam").size());
    BOOST_TEST(listed["mtime"].get<std::string>().back() == 'Z');
    BOOST_TEST(listed["lock"]["user"] == lock["user"]);

    BOOST_TEST(c->call("list", {{"status", "available"}})["result"]["files"].size() == 2u);
    BOOST_TEST(c->call("list", {{"status", "checked_out"}})["result"]["files"].size() == 1u);
    BOOST_TEST(c->call("list", {{"match", "*.mcam"}})["result"]["files"].size() == 3u);
    BOOST_TEST(c->call("list", {{"user", "nobody-at-all"}})["result"]["files"].empty());

    reply = c->call("info", {{"path", "parts/c.mcam"}});
    BOOST_TEST(reply["result"]["file"]["lock"]["message"] == "new bore");
    BOOST_TEST(c->call("info", {{"path", "a.mcam"}})["result"]["file"]["lock"].is_null());

    reply = c->call("locks");
    BOOST_REQUIRE(reply["result"]["locks"].size() == 1u);
    BOOST_TEST(reply["result"]["locks"][0]["path"] == "parts/c.mcam");

    reply = c->call("checkin", {{"path", "parts/c.mcam"}, {"message", "bore done"}});
    BOOST_TEST(outcome(reply) == "ok");
    BOOST_TEST(reply["result"]["released"][0]["broken"] == false);
    BOOST_TEST(c->call("locks")["result"]["locks"].empty());

    reply = c->call("audit", {{"limit", 2}});
    BOOST_REQUIRE(reply["result"]["entries"].size() == 2u);
    BOOST_TEST(reply["result"]["entries"][0]["op"] == "checkin");
    BOOST_TEST(reply["result"]["entries"][0]["message"] == "bore done");
    BOOST_TEST(reply["result"]["entries"][1]["op"] == "checkout");
    BOOST_TEST(c->call("audit", {{"path", "a.mcam"}})["result"]["entries"].empty());
}

BOOST_AUTO_TEST_CASE(every_error_code_is_produced_and_leaves_the_connection_usable) {
    auto c = client();
    c->call("checkout", {{"path", "a.mcam"}, {"message", "x"}});
    const std::vector<std::pair<std::string, json>> cases = {
        {"bad_request", {{"op", "checkout"}, {"path", "b.mcam"}}},  // message missing
        {"bad_request", {{"op", "list"}, {"status", "lost"}}},
        {"bad_request", {{"op", "audit"}, {"limit", "ten"}}},
        {"unknown_op", {{"op", "format_disk"}}},
        {"invalid_path", {{"op", "info"}, {"path", "../../etc/passwd"}}},
        {"not_found", {{"op", "info"}, {"path", "nope.mcam"}}},
        {"conflict", {{"op", "checkout"}, {"path", "a.mcam"}, {"message", ""}}},
        {"conflict", {{"op", "checkin"}, {"path", "b.mcam"}}},
    };
    for (const auto& [expected, request] : cases) {
        BOOST_TEST_CONTEXT(request.dump()) {
            json params = request;
            const std::string op = params["op"];
            params.erase("op");
            const json reply = c->call(op, params);
            BOOST_TEST(outcome(reply) == expected);
            BOOST_TEST(!reply["error"]["message"].get<std::string>().empty());
        }
    }
    const json conflict = c->call("checkout", {{"path", "a.mcam"}, {"message", ""}});
    BOOST_TEST(conflict["error"]["details"]["locked_by"] == c->call("hello")["result"]["user"]);
    BOOST_TEST(conflict["error"]["details"].contains("since"));
    // forbidden and internal need another user or a broken disk: rights_test and lifecycle_test.
    BOOST_TEST(outcome(c->call("hello")) == "ok");
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    auto c = client();
    std::string burst;
    for (int i = 0; i < 500; ++i) {
        const std::string path = i % 2 ? "a.mcam" : "b.mcam";
        burst += json{{"op", i % 4 < 2 ? "checkout" : "unlock"}, {"id", i}, {"path", path}, {"message", ""}}.dump() + "\n";
    }
    c->send_raw(burst);
    for (int i = 0; i < 500; ++i) {
        const json reply = json::parse(c->read_line());
        BOOST_REQUIRE(reply["id"] == i);
        BOOST_REQUIRE(reply["ok"] == true);
    }
}

BOOST_AUTO_TEST_CASE(request_ids_of_any_type_are_echoed) {
    auto c = client();
    c->send_raw(R"({"op":"hello","id":"abc"})" "\n" R"({"op":"hello","id":{"n":[1,2]}})" "\n" R"({"op":"hello"})" "\n");
    BOOST_TEST(json::parse(c->read_line())["id"] == "abc");
    BOOST_TEST(json::parse(c->read_line())["id"] == json::parse(R"({"n":[1,2]})"));
    BOOST_TEST(json::parse(c->read_line())["id"].is_null());
}

BOOST_AUTO_TEST_CASE(all_or_nothing_checkout_of_several_paths) {
    auto c = client();
    c->call("checkout", {{"path", "b.mcam"}, {"message", ""}});
    json reply = c->call("checkout", {{"paths", {"a.mcam", "parts/c.mcam", "b.mcam"}}, {"message", ""}});
    BOOST_TEST(outcome(reply) == "conflict");
    BOOST_TEST(reply["error"]["details"]["path"] == "b.mcam");
    BOOST_TEST(c->call("locks")["result"]["locks"].size() == 1u);
    reply = c->call("checkout", {{"paths", {"a.mcam", "parts/c.mcam"}}, {"message", ""}});
    BOOST_TEST(reply["result"]["locks"].size() == 2u);
    reply = c->call("checkin", {{"paths", {"a.mcam", "parts/c.mcam", "b.mcam"}}});
    BOOST_TEST(reply["result"]["released"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(pdmctl_prints_tables_and_uses_documented_exit_codes) {
    auto result = pdmctl({"checkout", "a.mcam", "-m", "slot"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.find("checked out a.mcam") != std::string::npos);
    result = pdmctl({"ls"});
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(result.out.find("checked out") != std::string::npos);
    result = pdmctl({"checkout", "a.mcam", "-m", "again"});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("already checked out") != std::string::npos);
    result = pdmctl({"--json", "locks"});
    BOOST_TEST(json::parse(result.out)["locks"][0]["message"] == "slot");
    result = pdmctl({"audit", "a.mcam"});
    BOOST_TEST(result.out.find("conflict") != std::string::npos);
    BOOST_TEST(pdmctl({"frobnicate"}).exit_code == 2);
    BOOST_TEST(pdmctl({"checkout", "a.mcam"}).exit_code == 2);  // -m is required
    const DaemonProcess never_started;
    const auto unreachable = pdm::test::run_program(
        {PDMCTL_PATH, pdm::test::endpoint_flag(), never_started.socket_path(), "ls"}, dir().path());
    BOOST_TEST(unreachable.exit_code == 3);
    BOOST_TEST(unreachable.err.find("cannot reach pdmd") != std::string::npos);
    BOOST_TEST(pdmctl({"checkin", (repo() / "a.mcam").string()}).exit_code == 0);  // absolute path inside the repo
}

BOOST_AUTO_TEST_SUITE_END()

// Names as people type them, with letters outside ASCII and outside
// Windows' ANSI code page (š, č): a repository in such a folder, a file so
// named, reach pdmd as typed and are printed back as UTF-8. On Windows the C
// runtime's own argv would have turned them into '?'.
BOOST_AUTO_TEST_CASE(names_outside_ascii_reach_pdmd_and_come_back_as_typed) {
    const std::string folder = "Teile Träger č";
    const std::string name = "parts/Ø8 šroub.mcam";
    const std::string message = "Bohrung ø8 → ø8,5";
    DaemonProcess daemon(std::vector<std::string>{});
    daemon.dir().write(folder + "/" + name, "part");
    daemon.start({"--repo", pdm::utf8_of(daemon.dir() / folder)});
    auto client = daemon.client();
    const std::string repo = client->call("hello")["result"]["repo"];
    BOOST_TEST(repo.ends_with(folder), repo);
    const auto checked_out = daemon.pdmctl({"checkout", name, "-m", message});
    BOOST_TEST(checked_out.exit_code == 0, checked_out.err);
    const json locks = client->call("locks")["result"]["locks"];
    BOOST_REQUIRE_EQUAL(locks.size(), 1u);
    BOOST_TEST(locks[0]["path"] == name);
    BOOST_TEST(locks[0]["message"] == message);
    const auto listed = daemon.pdmctl({"locks"});
    BOOST_TEST(listed.out.find(name) != std::string::npos, listed.out);
    daemon.dir().write(folder + "/" + name, "part, with the hole at ø8,5");  // its owner's save
    const auto checked_in = daemon.pdmctl({"checkin", name, "-m", "ø8,5 done"});
    BOOST_TEST(checked_in.exit_code == 0, checked_in.err);
    const json revisions = client->call("history", {{"path", name}})["result"]["revisions"];
    BOOST_REQUIRE_EQUAL(revisions.size(), 2u);
    BOOST_TEST(revisions[0]["message"] == "ø8,5 done");
}

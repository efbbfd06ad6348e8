// SPDX-License-Identifier: Apache-2.0
// A check-in records a finished file. A program that still has the file open
// for writing (python3 here, saving 10 MiB in 256 KiB pieces like a CAM
// program) holds up check-in, restore and undo, with a message that names it;
// once it closes the file, the revision is the finished file, byte for byte.

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/daemon_process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using pdm::test::DaemonProcess;
using pdm::test::outcome;

namespace {

constexpr std::uint64_t finished_size = 10u << 20;

// Writes `pieces` x 256 KiB into the file, `delay` seconds apart, then keeps
// it open `hold` seconds more before closing it.
const char* const slow_writer = R"(
import sys, time
path, pieces, delay, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
with open(path, 'wb') as f:
    for i in range(pieces):
        f.write(bytes([i % 251]) * (256 * 1024))
        f.flush()
        time.sleep(delay)
    time.sleep(hold)
)";

struct Writer {
    pdm::test::ChildProcess process;
    Writer(const DaemonProcess& daemon, const std::string& path, int pieces, double delay, double hold)
        : process({"/usr/bin/python3", "-c", slow_writer, (daemon.repo() / path).string(), std::to_string(pieces),
                   std::to_string(delay), std::to_string(hold)},
                  daemon.dir() / "writer.out", daemon.dir() / "writer.err") {
        // Started: the file was truncated and its first piece written.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            std::error_code ec;
            const auto size = fs::file_size(daemon.repo() / path, ec);
            if (!ec && size >= 256 * 1024) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        BOOST_FAIL("the writer did not start");
    }
    void finish() { BOOST_REQUIRE(process.wait(std::chrono::seconds(60)) == 0); }
};

bool python_installed(boost::unit_test::test_unit_id) { return fs::exists("/usr/bin/python3"); }

std::string sha256_of(const DaemonProcess& daemon, const std::string& path) {
    const auto result = pdm::test::run_program({"sha256sum", (daemon.repo() / path).string()}, daemon.dir().path());
    return result.out.substr(0, 64);
}

// The newest revision's size and hash equal the file on disk.
void expect_newest_revision_is_the_file(DaemonProcess& daemon, const std::string& path) {
    const json newest = daemon.client()->call("history", {{"path", path}, {"limit", 1}})["result"]["revisions"][0];
    BOOST_TEST(newest["size"] == finished_size);
    BOOST_TEST(fs::file_size(daemon.repo() / path) == finished_size);
    BOOST_TEST(newest["sha256"] == sha256_of(daemon, path));
}

void expect_refused_as_open(const json& reply, const std::string& path, const std::string& then_what) {
    BOOST_REQUIRE_MESSAGE(outcome(reply) == "conflict", reply.dump());
    const json& details = reply["error"]["details"];
    BOOST_TEST(details["reason"] == "open_for_writing");
    BOOST_TEST(details["path"] == path);
    const std::string message = reply["error"]["message"];
    BOOST_TEST(message.find("'" + path + "' is still open for writing") != std::string::npos, message);
    BOOST_TEST(message.find("save and close it, then " + then_what) != std::string::npos, message);
}

struct WriterFixture : DaemonProcess {
    WriterFixture() {
        start();
        BOOST_REQUIRE(outcome(client()->call("checkout", {{"path", "a.mcam"}, {"message", "saving"}})) == "ok");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(open_writers, *boost::unit_test::precondition(python_installed))

BOOST_FIXTURE_TEST_CASE(a_check_in_while_a_program_writes_is_refused_then_records_the_finished_file, WriterFixture) {
    Writer writer(*this, "a.mcam", 40, 0.05, 0);
    auto owner = client();
    const json refused = owner->call("checkin", {{"path", "a.mcam"}, {"message", "too early"}});
    expect_refused_as_open(refused, "a.mcam", "check in");
    // Root sees every process: the program and its pid are named.
    BOOST_TEST(refused["error"]["details"]["program"] == "python3");
    BOOST_TEST(refused["error"]["details"]["pid"] == writer.process.pid());
    BOOST_TEST(refused["error"]["message"].get<std::string>().find(
                   "(python3, pid " + std::to_string(writer.process.pid()) + ")") != std::string::npos);
    BOOST_TEST(owner->call("locks")["result"]["locks"][0]["path"] == "a.mcam");
    BOOST_TEST(owner->call("history", {{"path", "a.mcam"}})["result"]["revisions"].size() == 1u);
    BOOST_TEST(owner->call("info", {{"path", "a.mcam"}})["result"]["file"]["disk"]["open_for_writing"] == true);

    writer.finish();
    BOOST_TEST(owner->call("info", {{"path", "a.mcam"}})["result"]["file"]["disk"]["open_for_writing"] == false);
    const json checked_in = owner->call("checkin", {{"path", "a.mcam"}, {"message", "finished"}});
    BOOST_REQUIRE_MESSAGE(outcome(checked_in) == "ok", checked_in.dump());
    expect_newest_revision_is_the_file(*this, "a.mcam");
}

BOOST_FIXTURE_TEST_CASE(checkin_wait_checks_in_once_the_writer_closes_the_file, WriterFixture) {
    Writer writer(*this, "a.mcam", 40, 0.05, 0.5);
    const auto result = pdmctl({"checkin", "--wait", "--timeout", "60", "a.mcam", "-m", "when done"});
    BOOST_TEST(result.exit_code == 0, result.out << result.err);
    BOOST_TEST(result.out.find("checked in a.mcam as revision 2") != std::string::npos, result.out);
    BOOST_TEST(result.err.find("waiting for it to be closed") != std::string::npos, result.err);
    writer.finish();
    expect_newest_revision_is_the_file(*this, "a.mcam");
}

BOOST_FIXTURE_TEST_CASE(checkin_wait_gives_up_after_its_timeout, WriterFixture) {
    Writer writer(*this, "a.mcam", 1, 0, 30);
    const auto started = std::chrono::steady_clock::now();
    const auto result = pdmctl({"checkin", "--wait", "--timeout", "1", "a.mcam"});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.err.find("still open for writing") != std::string::npos, result.err);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(20)));
    BOOST_TEST(client()->call("locks")["result"]["locks"].size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_program_reading_the_file_does_not_hold_up_a_check_in, WriterFixture) {
    std::ofstream(repo() / "a.mcam", std::ios::app) << "edited";
    std::ifstream reader(repo() / "a.mcam");
    BOOST_REQUIRE(reader.good());
    const json checked_in = client()->call("checkin", {{"path", "a.mcam"}});
    BOOST_REQUIRE_MESSAGE(outcome(checked_in) == "ok", checked_in.dump());
    BOOST_TEST(checked_in["result"]["revisions"][0]["recorded"] == true);
}

BOOST_FIXTURE_TEST_CASE(restore_and_undo_never_write_under_a_program_writing_the_file, WriterFixture) {
    auto owner = client();
    std::ofstream(repo() / "a.mcam", std::ios::app) << "edited";
    BOOST_REQUIRE(outcome(owner->call("checkin", {{"path", "a.mcam"}})) == "ok");
    BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "a.mcam"}, {"message", "again"}})) == "ok");
    {
        Writer writer(*this, "a.mcam", 2, 0, 30);
        expect_refused_as_open(owner->call("restore", {{"path", "a.mcam"}, {"rev", 1}}), "a.mcam", "restore");
        expect_refused_as_open(owner->call("unlock", {{"path", "a.mcam"}, {"discard", true}}), "a.mcam",
                               "undo the check-out");
        BOOST_TEST(fs::file_size(repo() / "a.mcam") == 512u * 1024u);  // the writer's bytes, untouched
        BOOST_TEST(owner->call("locks")["result"]["locks"].size() == 1u);
    }  // the writer is killed: its file is closed
    const json restored = owner->call("restore", {{"path", "a.mcam"}, {"rev", 1}});
    BOOST_REQUIRE_MESSAGE(outcome(restored) == "ok", restored.dump());
    BOOST_TEST(pdm::test::read_text(repo() / "a.mcam") == "contents of a.mcam");
}

BOOST_FIXTURE_TEST_CASE(undoing_several_check_outs_is_all_or_nothing, WriterFixture) {
    auto owner = client();
    BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "b.mcam"}, {"message", ""}})) == "ok");
    std::ofstream(repo() / "a.mcam", std::ios::app) << " edited";
    Writer writer(*this, "b.mcam", 1, 0, 30);
    expect_refused_as_open(owner->call("unlock", {{"paths", {"a.mcam", "b.mcam"}}, {"discard", true}}), "b.mcam",
                           "undo the check-out");
    // a.mcam, which nothing was writing, was not put back either.
    BOOST_TEST(pdm::test::read_text(repo() / "a.mcam") == "contents of a.mcam edited");
    BOOST_TEST(owner->call("locks")["result"]["locks"].size() == 2u);
    int leftovers = 0;
    for (const auto& entry : fs::directory_iterator(repo())) leftovers += entry.path().filename().string().starts_with(".pdm-restore");
    BOOST_TEST(leftovers == 0);
}

// A restore queued behind other history work holds its file: the owner cannot
// unlock it meanwhile and let the restore land in someone else's check-out.
BOOST_FIXTURE_TEST_CASE(a_file_waiting_to_be_restored_cannot_be_released_meanwhile, WriterFixture) {
    auto owner = client();
    BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "b.mcam"}, {"message", ""}})) == "ok");
    {
        std::ofstream big(repo() / "b.mcam", std::ios::binary);
        const std::string block(1 << 20, 'x');
        for (int i = 0; i < 200; ++i) big << block;
    }
    auto busy = client();
    busy->send_raw(R"({"op":"checkin","path":"b.mcam","id":1})" "\n");  // keeps the history thread busy
    auto restoring = client();
    restoring->send_raw(R"({"op":"restore","path":"a.mcam","rev":1,"id":2})" "\n");
    // The restore is read and its file reserved at once; it runs only after
    // the 200 MiB check-in ahead of it (seconds).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const json refused = owner->call("unlock", {{"path", "a.mcam"}});
    BOOST_TEST(outcome(refused) == "conflict", refused.dump());
    BOOST_TEST(refused["error"]["details"]["reason"] == "being_restored");
    BOOST_TEST(outcome(json::parse(busy->read_line())) == "ok");
    BOOST_TEST(outcome(json::parse(restoring->read_line())) == "ok");
    BOOST_TEST(outcome(owner->call("unlock", {{"path", "a.mcam"}})) == "ok");
}

// A daemon run by an ordinary user cannot take a lease on files others own:
// the watcher's view (written, not closed since) holds the check-in up instead.
BOOST_AUTO_TEST_CASE(a_daemon_without_leases_falls_back_on_the_watcher,
                     *boost::unit_test::precondition(pdm::test::running_as_root)) {
    DaemonProcess daemon;
    BOOST_REQUIRE(::chown(daemon.dir().path().c_str(), 65534, 65534) == 0);
    const fs::path state = daemon.dir() / "state";
    fs::create_directory(state);
    BOOST_REQUIRE(::chown(state.c_str(), 65534, 65534) == 0);
    daemon.start_wrapped(pdm::test::as_nobody(), {"--state-dir", state.string(), "--no-enforce-readonly"});
    auto owner = daemon.client();
    BOOST_REQUIRE(outcome(owner->call("checkout", {{"path", "a.mcam"}, {"message", "saving"}})) == "ok");
    {
        Writer writer(daemon, "a.mcam", 40, 0.05, 0);
        expect_refused_as_open(owner->call("checkin", {{"path", "a.mcam"}}), "a.mcam", "check in");
        writer.finish();
    }
    // The close reaches the daemon through the watcher: a moment later the check-in goes through.
    json checked_in;
    for (int attempt = 0; attempt < 100; ++attempt) {
        checked_in = owner->call("checkin", {{"path", "a.mcam"}, {"message", "finished"}});
        if (outcome(checked_in) == "ok") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE_MESSAGE(outcome(checked_in) == "ok", checked_in.dump());
    expect_newest_revision_is_the_file(daemon, "a.mcam");
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// Session over a socket pair: no path on disk, no daemon, no sleeping.

#include <boost/test/unit_test.hpp>

#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "ipc/commit_gate.hpp"
#include "ipc/session.hpp"

namespace asio = boost::asio;
using namespace pdm::ipc;

namespace {

// A reply in `count` parts of `size` bytes each, delivered later (posted, as
// work finished on another thread would be). The last part waits for a commit
// when `durable`.
class PostedParts final : public PendingReply {
public:
    PostedParts(asio::io_context& io, std::string name, int count, std::size_t size, bool durable, int& asked,
                std::vector<std::string>& trace)
        : io_(io), name_(std::move(name)), count_(count), size_(size), durable_(durable), asked_(asked), trace_(trace) {}
    void next(Deliver deliver) override {
        ++asked_;
        const int index = produced_++;
        ReplyPart part;
        part.text = name_ + "." + std::to_string(index) + ":" + std::string(size_, 'x') + "\n";
        part.last = produced_ == count_;
        part.after_commit = part.last && durable_;
        asio::post(io_, [this, deliver = std::move(deliver), part = std::move(part)]() mutable {
            trace_.push_back("delivered " + name_ + "." + std::to_string(produced_ - 1));
            deliver(std::move(part));
        });
    }

private:
    asio::io_context& io_;
    std::string name_;
    int count_;
    std::size_t size_;
    bool durable_;
    int& asked_;
    std::vector<std::string>& trace_;
    int produced_ = 0;
};

// Echoes each request line back with a sequence number. Lines starting with
// "m" act as mutations and lines starting with "r" as reads that observed
// uncommitted state: both wait for a commit and fail with it.
// Lines "~<count>x<size>" (or "!...", durable) get a reply in parts.
class EchoHandler final : public RequestHandler {
public:
    explicit EchoHandler(asio::io_context& io) : io_(io) {}
    Reply handle(const std::shared_ptr<Connection>&, std::string_view line) override {
        trace.push_back("handled " + std::string(line));
        if (line.starts_with('~') || line.starts_with('!')) {
            ++handled;
            const std::string spec(line.substr(1));
            const std::size_t x = spec.find('x');
            Reply reply;
            reply.pending = std::make_shared<PostedParts>(io_, std::string(line.substr(0, line.find('x'))),
                                                          std::stoi(spec.substr(0, x)), std::stoul(spec.substr(x + 1)),
                                                          line.starts_with('!'), parts_asked, trace);
            return reply;
        }
        Reply reply = Reply::now(std::to_string(handled++) + ":" + std::string(line) + "\n");
        if (line.starts_with('b')) reply.text = std::string(999, 'b') + "\n";  // a big reply
        reply.after_commit = line.starts_with('m') || line.starts_with('r');
        reply.id = std::string(line);
        return reply;
    }
    std::string line_too_long(const PeerIdentity&, std::size_t limit) override {
        return "too long " + std::to_string(limit) + "\n";
    }
    std::string line_timed_out(const PeerIdentity&, std::chrono::milliseconds limit) override {
        return "timed out " + std::to_string(limit.count()) + "\n";
    }
    std::string connection_refused(const std::string& reason) override { return reason + "\n"; }
    int handled = 0;
    int parts_asked = 0;
    std::vector<std::string> trace;  // what was handled and delivered, in order

private:
    asio::io_context& io_;
};

struct SessionFixture {
    asio::io_context io;
    LocalStream client{io};
    EchoHandler handler{io};
    int commits = 0;
    std::optional<std::string> commit_failure;
    std::vector<bool> one_client;  // per commit started
    CommitGate gate{io, [this](CommitGate::Done done, bool alone) {
                        ++commits;
                        one_client.push_back(alone);
                        done(pdm::ipc::CommitOutcome{commit_failure});
                    }};
    ServerLimits limits;
    std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();

    void start_session(LocalStream& client_end) {
        LocalStream server_end(io);
        asio::local::connect_pair(client_end, server_end);
        std::make_shared<Session>(std::move(server_end), PeerIdentity{}, handler, gate, limits, registry)->start();
    }
    void start_session() { start_session(client); }

    // Sends `input`, closes the sending side, runs the loop dry, returns all output.
    std::string exchange(const std::string& input) {
        asio::write(client, asio::buffer(input));
        client.shutdown(LocalStream::shutdown_send);
        io.run();
        std::string output;
        boost::system::error_code error;
        asio::read(client, asio::dynamic_buffer(output), error);
        return output;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(session, SessionFixture)

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order_and_blank_lines_skipped) {
    start_session();
    std::string input;
    for (int i = 0; i < 1000; ++i) input += "r" + std::to_string(i) + (i % 2 ? "\r\n" : "\n") + (i % 7 ? "" : "\n");
    const std::string output = exchange(input);
    std::string expected;
    for (int i = 0; i < 1000; ++i) expected += std::to_string(i) + ":r" + std::to_string(i) + "\n";
    BOOST_TEST(output == expected);
    BOOST_TEST(registry->size() == 0u);  // the session ended with its client
}

BOOST_AUTO_TEST_CASE(a_batch_is_one_clients_when_it_and_the_batch_before_hold_one_connections_changes) {
    start_session();
    LocalStream other(io);
    start_session(other);
    const auto send = [&](LocalStream& end, const std::string& line) { asio::write(end, asio::buffer(line)); };
    const auto commit = [&](int count) {
        while (commits < count) io.run_one();
    };
    send(client, "m1\n");
    commit(1);
    send(client, "m2\n");
    commit(2);
    send(client, "m3\n");
    commit(3);
    // Both clients' changes, gathered into one batch.
    send(client, "m4\n");
    send(other, "m5\n");
    commit(4);
    send(client, "m6\n");
    commit(5);
    send(client, "m7\n");
    commit(6);
    BOOST_TEST(one_client == (std::vector<bool>{true, true, true, false, false, true}), boost::test_tools::per_element());
    BOOST_TEST(handler.handled == 7);
}

BOOST_AUTO_TEST_CASE(an_oversize_line_gets_one_reply_and_the_connection_closes) {
    limits.max_line_bytes = 1024;
    start_session();
    const std::string output = exchange("ok\n" + std::string(5000, 'x') + "\nnever\n");
    BOOST_TEST(output == "0:ok\ntoo long 1024\n");
    BOOST_TEST(handler.handled == 1);
}

BOOST_AUTO_TEST_CASE(a_line_left_unfinished_past_the_timeout_gets_one_reply_and_the_connection_closes) {
    limits.line_timeout = std::chrono::milliseconds(200);
    start_session();
    asio::write(client, asio::buffer(std::string("ok\npar")));
    const auto began = std::chrono::steady_clock::now();
    io.run_for(std::chrono::milliseconds(100));
    asio::write(client, asio::buffer(std::string("t")));  // a trickle is no progress
    io.run_for(std::chrono::seconds(5));  // returns early once the session has closed
    const auto waited = std::chrono::steady_clock::now() - began;
    std::string output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    BOOST_TEST(output == "0:ok\ntimed out 200\n");
    BOOST_TEST(handler.handled == 1);
    BOOST_TEST(registry->size() == 0u);
    BOOST_TEST(waited >= std::chrono::milliseconds(200));
}

BOOST_AUTO_TEST_CASE(a_client_that_keeps_finishing_lines_is_never_timed_out) {
    limits.line_timeout = std::chrono::milliseconds(150);
    start_session();
    // Every write ends mid-line, but each finishes the line before it: for
    // 600 ms there is always an unfinished line, never one older than 100 ms.
    std::string expected;
    for (int i = 0; i < 6; ++i) {
        asio::write(client, asio::buffer(std::string(i == 0 ? "" : "\n") + "r" + std::to_string(i)));
        io.run_for(std::chrono::milliseconds(100));
        if (i > 0) expected += std::to_string(i - 1) + ":r" + std::to_string(i - 1) + "\n";
    }
    expected += "5:r5\n";
    BOOST_TEST(exchange("\n") == expected);
}

// The line timeout runs only while pdmd waits for the client: a line split
// across reads while pdmd has paused (the client is behind on its replies)
// is not the client's delay.
BOOST_AUTO_TEST_CASE(an_unfinished_line_is_not_timed_out_while_pdmd_itself_is_not_reading) {
    limits.line_timeout = std::chrono::milliseconds(100);
    limits.max_pending_output = 4096;
    start_session();
    std::string burst;
    for (int i = 0; i < 400; ++i) burst += "b\n";  // a 1,000-byte reply each
    asio::write(client, asio::buffer(burst + "par"));
    io.run_for(std::chrono::milliseconds(300));  // pdmd pauses: the client reads nothing
    client.non_blocking(true);
    std::string output;
    const std::string last_big_reply = std::string(999, 'b') + "\n";
    for (int round = 0; round < 2000 && output.size() < 400 * last_big_reply.size(); ++round) {
        io.run_for(std::chrono::milliseconds(1));
        std::array<char, 65536> buffer;
        boost::system::error_code error;
        const std::size_t got = client.read_some(asio::buffer(buffer), error);
        output.append(buffer.data(), got);
    }
    client.non_blocking(false);
    output += exchange("t\n");
    BOOST_TEST(output.find("timed out") == std::string::npos);
    BOOST_TEST(output.ends_with("400:part\n"));
}

BOOST_AUTO_TEST_CASE(a_connection_with_no_unfinished_line_may_stay_idle) {
    limits.line_timeout = std::chrono::milliseconds(50);
    start_session();
    asio::write(client, asio::buffer(std::string("a\n")));
    io.run_for(std::chrono::milliseconds(300));
    BOOST_TEST(registry->size() == 1u);
    BOOST_TEST(exchange("c\n") == "0:a\n1:c\n");
}

BOOST_AUTO_TEST_CASE(stop_answers_what_was_received_then_closes) {
    start_session();
    asio::write(client, asio::buffer(std::string("a\nc\n")));
    io.run_for(std::chrono::milliseconds(50));
    registry->stop_all();
    io.run();
    std::string output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    BOOST_TEST(output == "0:a\n1:c\n");
    BOOST_TEST(registry->size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_that_never_reads_is_not_read_from_either) {
    limits.max_pending_output = 64 * 1024;
    start_session();
    // Far more requests than the socket buffers and the output limit can hold.
    const std::string request(100, 'x');
    std::string burst;
    for (int i = 0; i < 20000; ++i) burst += request + "\n";
    client.non_blocking(true);
    std::size_t sent = 0;
    for (int round = 0; round < 200 && sent < burst.size(); ++round) {
        boost::system::error_code error;
        sent += client.write_some(asio::buffer(burst.data() + sent, burst.size() - sent), error);
        io.run_for(std::chrono::milliseconds(5));
    }
    // Reading stopped once output backed up, so the client could not send everything.
    BOOST_TEST(sent < burst.size());
    BOOST_TEST(handler.handled < 20000);
}

BOOST_AUTO_TEST_CASE(lines_already_received_wait_while_the_client_is_behind_on_replies) {
    limits.max_pending_output = 64 * 1024;
    start_session();
    // 50,000 tiny requests in one go would make 50 MB of replies.
    std::string burst;
    for (int i = 0; i < 50000; ++i) burst += "b\n";
    asio::write(client, asio::buffer(burst));
    io.run_for(std::chrono::milliseconds(200));
    BOOST_TEST(handler.handled < 1000);  // stopped at about 64 KiB of unread replies
    // Once the client reads, everything is answered, in order.
    client.non_blocking(true);
    std::size_t received = 0;
    std::string chunk(65536, '\0');
    for (int round = 0; round < 100000 && received < 50000u * 1000u; ++round) {
        boost::system::error_code error;
        received += client.read_some(asio::buffer(chunk), error);
        io.poll();
    }
    BOOST_TEST(received == 50000u * 1000u);
    BOOST_TEST(handler.handled == 50000);
}

BOOST_AUTO_TEST_CASE(a_reply_in_parts_holds_back_later_replies_until_its_last_part) {
    start_session();
    const std::string output = exchange("first\n~3x2\nlast\n");
    BOOST_TEST(output == "0:first\n~3.0:xx\n~3.1:xx\n~3.2:xx\n2:last\n");
    BOOST_TEST(handler.parts_asked == 3);
}

BOOST_AUTO_TEST_CASE(a_request_after_one_answered_later_runs_only_once_that_result_is_in) {
    // A check-in (answered from the history thread) then a check-out of the
    // same file, pipelined: the check-out must see the check-in's effect.
    start_session();
    const std::string output = exchange("~2x1\nnext\n");
    BOOST_TEST(output == "~2.0:x\n~2.1:x\n1:next\n");
    const std::vector<std::string> expected{"handled ~2x1", "delivered ~2.0", "handled next", "delivered ~2.1"};
    BOOST_TEST(handler.trace == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_durable_last_part_waits_for_the_commit_and_fails_with_it) {
    commit_failure = "disk full";
    start_session();
    const std::string output = exchange("!2x1\n");
    BOOST_TEST(output.starts_with("!2.0:x\n"));
    BOOST_TEST(output.find("disk full") != std::string::npos, output);
    BOOST_TEST(output.find("!2.1") == std::string::npos);
    BOOST_TEST(commits == 1);
}

BOOST_AUTO_TEST_CASE(parts_are_asked_for_only_as_fast_as_the_client_reads) {
    start_session();
    // 4,000 parts of 64 KiB: 256 MiB if the session asked for them all.
    asio::write(client, asio::buffer(std::string("~4000x65536\n")));
    io.run_for(std::chrono::milliseconds(200));
    // What the socket buffers hold, and one part in hand: never thousands.
    BOOST_TEST(handler.parts_asked < 40);
    client.non_blocking(true);
    std::size_t expected = 0;
    for (int index = 0; index < 4000; ++index) expected += ("~4000." + std::to_string(index) + ":").size() + 65536 + 1;
    std::size_t received = 0;
    std::string chunk(65536, '\0');
    for (int round = 0; round < 1000000 && received < expected; ++round) {
        boost::system::error_code error;
        received += client.read_some(asio::buffer(chunk), error);
        io.poll();
    }
    BOOST_TEST(received == expected);
    BOOST_TEST(handler.parts_asked == 4000);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_mid_stream_stops_the_parts) {
    start_session();
    asio::write(client, asio::buffer(std::string("~4000x65536\n")));
    io.run_for(std::chrono::milliseconds(100));
    client.close();
    io.run_for(std::chrono::milliseconds(100));
    const int asked = handler.parts_asked;
    io.run_for(std::chrono::milliseconds(100));
    BOOST_TEST(handler.parts_asked == asked);
    BOOST_TEST(asked < 40);
    BOOST_TEST(registry->size() == 0u);
}

BOOST_AUTO_TEST_CASE(replies_waiting_for_a_commit_hold_back_later_ones_and_share_one_commit) {
    LocalStream second(io);
    start_session();
    start_session(second);
    asio::write(client, asio::buffer(std::string("m1\nplain\nm2\n")));
    asio::write(second, asio::buffer(std::string("m3\n")));
    client.shutdown(LocalStream::shutdown_send);
    second.shutdown(LocalStream::shutdown_send);
    io.run();
    std::string output, second_output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    asio::read(second, asio::dynamic_buffer(second_output), error);
    BOOST_TEST(output == "0:m1\n1:plain\n2:m2\n");
    BOOST_TEST(second_output == "3:m3\n");
    BOOST_TEST(commits == 1);  // all four requests arrived before the commit ran
}

BOOST_AUTO_TEST_CASE(nothing_is_sent_before_the_commit_runs) {
    start_session();
    asio::write(client, asio::buffer(std::string("m1\nplain\n")));
    // Run only the read: the commit is posted behind it.
    while (handler.handled < 2) io.run_one();
    client.non_blocking(true);
    char byte = 0;
    boost::system::error_code error;
    BOOST_TEST(client.read_some(asio::buffer(&byte, 1), error) == 0u);
    BOOST_TEST((error == asio::error::would_block));
    BOOST_TEST(commits == 0);
}

// A committer that finishes only when the test says so, to overlap batches.
struct ManualCommits {
    SessionFixture& fixture;
    std::vector<CommitGate::Done> started;
    CommitGate gate{fixture.io, [this](CommitGate::Done done, bool) { started.push_back(std::move(done)); }};

    explicit ManualCommits(SessionFixture& owner) : fixture(owner) {
        LocalStream server_end(fixture.io);
        asio::local::connect_pair(fixture.client, server_end);
        std::make_shared<Session>(std::move(server_end), PeerIdentity{}, fixture.handler, gate, fixture.limits,
                                  fixture.registry)
            ->start();
    }

    // "m1" is in batch 1, being written; "m2" waits in batch 2.
    void overlap_two_batches() {
        asio::write(fixture.client, asio::buffer(std::string("m1\n")));
        while (started.empty()) fixture.io.run_one();
        asio::write(fixture.client, asio::buffer(std::string("m2\n")));
        while (fixture.handler.handled < 2) fixture.io.run_one();
    }
};

BOOST_AUTO_TEST_CASE(a_client_that_stops_sending_still_gets_a_reply_that_waits_for_the_disk) {
    // `echo '{...}' | socat - UNIX:...` sends its request and shuts down its side.
    ManualCommits manual(*this);
    asio::write(client, asio::buffer(std::string("m1\n")));
    client.shutdown(LocalStream::shutdown_send);
    io.run_for(std::chrono::milliseconds(50));  // the end of input is read while the commit is written
    BOOST_REQUIRE(manual.started.size() == 1u);
    manual.started[0]({});
    io.restart();  // run_for left it stopped once it ran out of work
    io.run();
    std::string output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    BOOST_TEST(output == "0:m1\n");
}

BOOST_AUTO_TEST_CASE(a_batch_gathers_while_the_previous_one_is_written) {
    ManualCommits manual(*this);
    manual.overlap_two_batches();
    io.poll();
    BOOST_TEST(manual.started.size() == 1u);  // batch 2 waits for batch 1
    manual.started[0]({});
    io.poll();
    BOOST_REQUIRE(manual.started.size() == 2u);  // batch 2 started once batch 1 ended
    std::string output(64, '\0');
    output.resize(client.read_some(asio::buffer(output)));
    BOOST_TEST(output == "0:m1\n");  // m2 still waits
    manual.started[1]({});
    io.poll();
    output.resize(64);
    output.resize(client.read_some(asio::buffer(output)));
    BOOST_TEST(output == "1:m2\n");
}

BOOST_AUTO_TEST_CASE(a_failed_batch_fails_the_batch_gathering_behind_it) {
    ManualCommits manual(*this);
    manual.overlap_two_batches();
    manual.started[0](pdm::ipc::CommitOutcome{std::string("disk full")});
    client.shutdown(LocalStream::shutdown_send);
    io.run();
    BOOST_TEST(manual.started.size() == 1u);  // nothing left to commit after the rollback
    std::string output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    const auto newline = output.find('\n');
    BOOST_TEST(nlohmann::json::parse(output.substr(0, newline))["error"]["message"] == "disk full");
    BOOST_TEST(nlohmann::json::parse(output.substr(newline + 1))["error"]["message"] == "disk full");
}

BOOST_AUTO_TEST_CASE(a_failed_commit_turns_acknowledgements_into_internal_errors) {
    commit_failure = "disk full";
    start_session();
    const std::string output = exchange("m1\nr2\n");
    const auto newline = output.find('\n');
    const auto first = nlohmann::json::parse(output.substr(0, newline));
    BOOST_TEST(first["ok"] == false);
    BOOST_TEST(first["id"] == "m1");
    BOOST_TEST(first["error"]["code"] == "internal");
    BOOST_TEST(first["error"]["message"] == "disk full");
    // A read that observed the lost change is not sent either.
    BOOST_TEST(nlohmann::json::parse(output.substr(newline + 1))["error"]["code"] == "internal");
}

BOOST_AUTO_TEST_SUITE_END()

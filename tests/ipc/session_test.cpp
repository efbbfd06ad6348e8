// Session over a socket pair: no path on disk, no daemon, no sleeping.

#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "ipc/session.hpp"

namespace asio = boost::asio;
using namespace pdm::ipc;

namespace {

// Echoes each request line back with a sequence number.
class EchoHandler final : public RequestHandler {
public:
    std::string handle(const PeerIdentity&, std::string_view line) override {
        return std::to_string(handled++) + ":" + std::string(line) + "\n";
    }
    std::string line_too_long(const PeerIdentity&, std::size_t limit) override {
        return "too long " + std::to_string(limit) + "\n";
    }
    std::string connection_refused(const std::string& reason) override { return reason + "\n"; }
    int handled = 0;
};

struct SessionFixture {
    asio::io_context io;
    LocalStream client{io};
    EchoHandler handler;
    ServerLimits limits;
    std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();

    void start_session() {
        LocalStream server_end(io);
        asio::local::connect_pair(client, server_end);
        std::make_shared<Session>(std::move(server_end), PeerIdentity{}, handler, limits, registry)->start();
    }

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

BOOST_AUTO_TEST_CASE(an_oversize_line_gets_one_reply_and_the_connection_closes) {
    limits.max_line_bytes = 1024;
    start_session();
    const std::string output = exchange("ok\n" + std::string(5000, 'x') + "\nnever\n");
    BOOST_TEST(output == "0:ok\ntoo long 1024\n");
    BOOST_TEST(handler.handled == 1);
}

BOOST_AUTO_TEST_CASE(stop_answers_what_was_received_then_closes) {
    start_session();
    asio::write(client, asio::buffer(std::string("a\nb\n")));
    io.run_for(std::chrono::milliseconds(50));
    registry->stop_all();
    io.run();
    std::string output;
    boost::system::error_code error;
    asio::read(client, asio::dynamic_buffer(output), error);
    BOOST_TEST(output == "0:a\n1:b\n");
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

BOOST_AUTO_TEST_SUITE_END()

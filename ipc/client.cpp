// SPDX-License-Identifier: Apache-2.0
#include "ipc/client.hpp"

#include <cstdlib>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "ipc/base64.hpp"
#include "ipc/local_endpoint.hpp"

namespace pdm::ipc {

namespace asio = boost::asio;

namespace {

// How a read learns the daemon closed its end: end of file on a socket (or a
// reset, when unread input was left behind); a broken pipe on Windows.
bool closed_by_daemon(const boost::system::error_code& error) {
    return error == asio::error::eof || error == asio::error::connection_reset || error == asio::error::broken_pipe;
}

}  // namespace

Endpoint locate_daemon(const std::string& given) {
    std::vector<Endpoint> candidates;
    if (!given.empty()) {
        candidates.push_back({given, "given"});
    } else if (const char* named = std::getenv(endpoint_naming().environment); named && *named) {
        candidates.push_back({named, "given"});
    } else {
        candidates = default_endpoints();
    }
    std::string tried;
    for (const Endpoint& candidate : candidates) {
        asio::io_context io;
        try {
            connect_local(io, candidate.path);
            return candidate;
        } catch (const boost::system::system_error& error) {
            const std::string where = candidate.which == "given" ? "" : " (the " + candidate.which + " daemon)";
            tried += "\n  " + candidate.path + where + ": " + describe_connect_failure(candidate.path, error.code());
        }
    }
    const EndpointNaming& naming = endpoint_naming();
    if (candidates.empty()) tried = std::string("\n  nowhere: no default place for a ") + naming.noun + " here";
    throw ConnectError("cannot reach pdmd; tried:" + tried +
                       (candidates.size() == 1 && candidates.front().which == "given"
                            ? ""
                            : std::string("\nStart pdmd, or name its ") + naming.noun + " with " + naming.flag + " " +
                                  naming.value + " (or " + naming.environment + ")."));
}

struct Client::Impl {
    asio::io_context io;
    LocalStream stream{io};
    std::string buffer;
};

Client::Client(const std::string& socket_path) : impl_(std::make_unique<Impl>()) {
    try {
        impl_->stream = connect_local(impl_->io, socket_path);
    } catch (const boost::system::system_error& error) {
        throw ConnectError("cannot reach pdmd at " + socket_path + ": " +
                           describe_connect_failure(socket_path, error.code()));
    }
}

Client::~Client() = default;

nlohmann::json Client::call(const std::string& op, nlohmann::json params) {
    const std::uint64_t id = next_id_++;
    params["op"] = op;
    params["id"] = id;
    send_raw(params.dump() + "\n");
    const std::string line = read_line();
    nlohmann::json reply = nlohmann::json::parse(line, nullptr, false);
    if (!reply.is_object() || !reply.contains("ok")) throw ProtocolError("pdmd sent a line that is not a reply: " + line);
    if (reply["id"] != id) throw ProtocolError("pdmd answered request " + reply["id"].dump() + ", expected " + std::to_string(id));
    return reply;
}

nlohmann::json Client::call_streamed(const std::string& op, nlohmann::json params,
                                    const std::function<void(std::string_view piece)>& on_data) {
    nlohmann::json reply = call(op, std::move(params));
    if (!reply.value("ok", false)) return reply;
    std::uint64_t received = 0;
    for (;;) {
        const std::string line = read_line();
        const nlohmann::json piece = nlohmann::json::parse(line, nullptr, false);
        if (!piece.is_object() || piece.value("id", nlohmann::json()) != reply["id"]) {
            throw ProtocolError("pdmd sent a line that is not part of the stream: " + line.substr(0, 200));
        }
        if (const auto data = piece.find("data"); data != piece.end() && data->is_string()) {
            const std::optional<std::string> bytes = base64_decode(data->get<std::string>());
            if (!bytes) throw ProtocolError("pdmd sent a piece that is not base64");
            received += bytes->size();
            on_data(*bytes);
        } else if (piece.value("end", false)) {
            if (piece.value("bytes", std::uint64_t{0}) != received) {
                throw ProtocolError("the stream ended after " + std::to_string(received) + " bytes; pdmd sent " +
                                    piece["bytes"].dump());
            }
            reply["result"]["bytes"] = received;
            return reply;
        } else if (piece.contains("ok")) {
            return piece;  // the stream broke off: the error says why
        } else {
            throw ProtocolError("pdmd sent a line that is not part of the stream: " + line.substr(0, 200));
        }
    }
}

void Client::send_raw(std::string_view bytes) {
    boost::system::error_code error;
    asio::write(impl_->stream, asio::buffer(bytes.data(), bytes.size()), error);
    if (error) throw ProtocolError("cannot send to pdmd: " + error.message());
}

std::string Client::read_line() {
    boost::system::error_code error;
    const std::size_t length = asio::read_until(impl_->stream, asio::dynamic_buffer(impl_->buffer), '\n', error);
    if (error && length == 0) {
        throw ProtocolError(closed_by_daemon(error) ? "pdmd closed the connection"
                                                    : "cannot read from pdmd: " + error.message());
    }
    std::string line = impl_->buffer.substr(0, length - 1);
    impl_->buffer.erase(0, length);
    return line;
}

void Client::interrupt() { interrupt_local(impl_->stream); }

bool Client::at_end() {
    if (!impl_->buffer.empty()) return false;
    char byte = 0;
    boost::system::error_code error;
    const std::size_t got = impl_->stream.read_some(asio::buffer(&byte, 1), error);
    if (got == 1) {
        impl_->buffer.push_back(byte);
        return false;
    }
    return closed_by_daemon(error);
}

}  // namespace pdm::ipc

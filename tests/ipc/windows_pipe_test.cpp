// SPDX-License-Identifier: Apache-2.0
// The named pipe endpoint on Windows: a real pipe, a real client, on one
// event loop.
#include <boost/test/unit_test.hpp>

#include <windows.h>
#include <aclapi.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <random>
#include <string>

#include "core/win_security.hpp"
#include "ipc/local_endpoint.hpp"
#include "ipc/peer_identity.hpp"

namespace asio = boost::asio;
using namespace pdm::ipc;

namespace {

std::string unique_pipe() {
    std::random_device random;
    return R"(\\.\pipe\pdmd-test-)" + std::to_string(random());
}

// Accepts one client on `listener`; runs `io` until it has.
LocalStream accept_one(asio::io_context& io, LocalListener& listener) {
    std::optional<LocalStream> accepted;
    boost::system::error_code accept_error;
    listener.async_accept([&](const boost::system::error_code& error, LocalStream stream) {
        accept_error = error;
        accepted.emplace(std::move(stream));
    });
    io.restart();
    while (!accepted && io.run_one() > 0) {
    }
    BOOST_REQUIRE(!accept_error);
    BOOST_REQUIRE(accepted.has_value());
    return std::move(*accepted);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(windows_pipe)

BOOST_AUTO_TEST_CASE(a_client_connects_and_the_daemon_knows_who_it_is_from_windows) {
    asio::io_context io;
    const std::string name = unique_pipe();
    const auto listener = LocalListener::open(io, {name, 0, {}});
    BOOST_TEST(listener->path() == name);
    LocalStream client = connect_local(io, name);
    LocalStream served = accept_one(io, *listener);

    const std::optional<PeerIdentity> peer = identify_peer(served);
    BOOST_REQUIRE(peer.has_value());
    const pdm::win::Sid self = pdm::win::process_user_sid();
    BOOST_TEST(peer->user == pdm::win::account_of(pdm::win::sid_pointer(self)));
    BOOST_TEST(peer->has_account);
    BOOST_TEST(peer->pid == static_cast<std::int64_t>(GetCurrentProcessId()));

    asio::write(client, asio::buffer(std::string("{\"op\":\"ping\"}\n")));
    asio::streambuf received;
    asio::read_until(served, received, '\n');
    BOOST_TEST(std::string(asio::buffers_begin(received.data()), asio::buffers_end(received.data())) ==
               "{\"op\":\"ping\"}\n");
    BOOST_TEST(!peer_has_hung_up(served));
    client.close();
    BOOST_TEST(peer_has_hung_up(served));
}

BOOST_AUTO_TEST_CASE(every_client_gets_its_own_instance) {
    asio::io_context io;
    const std::string name = unique_pipe();
    const auto listener = LocalListener::open(io, {name, 0, {}});
    std::vector<LocalStream> clients;
    std::vector<LocalStream> served;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(connect_local(io, name));
        served.push_back(accept_one(io, *listener));
    }
    for (int i = 0; i < 5; ++i) asio::write(clients[i], asio::buffer(std::to_string(i) + "\n"));
    for (int i = 4; i >= 0; --i) {
        asio::streambuf received;
        asio::read_until(served[i], received, '\n');
        BOOST_TEST(std::string(asio::buffers_begin(received.data()), asio::buffers_end(received.data())) ==
                   std::to_string(i) + "\n");
    }
}

BOOST_AUTO_TEST_CASE(the_pipe_lets_users_read_and_write_but_not_create_instances) {
    asio::io_context io;
    const std::string name = unique_pipe();
    const auto listener = LocalListener::open(io, {name, 0, {}});
    LocalStream client = connect_local(io, name);
    LocalStream served = accept_one(io, *listener);
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    BOOST_REQUIRE(GetSecurityInfo(served.native_handle(), SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                  nullptr, &dacl, nullptr, &descriptor) == ERROR_SUCCESS);
    BOOST_REQUIRE(dacl != nullptr);
    bool interactive_users = false;
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* entry = nullptr;
        BOOST_REQUIRE(GetAce(dacl, i, &entry));
        const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(entry);
        if (!IsWellKnownSid(const_cast<DWORD*>(&allowed->SidStart), WinInteractiveSid)) continue;
        interactive_users = true;
        BOOST_TEST((allowed->Mask & FILE_READ_DATA));
        BOOST_TEST((allowed->Mask & FILE_WRITE_DATA));
        BOOST_TEST(!(allowed->Mask & FILE_CREATE_PIPE_INSTANCE));
    }
    BOOST_TEST(interactive_users);
    LocalFree(descriptor);
}

BOOST_AUTO_TEST_CASE(a_missing_pipe_is_described_in_words) {
    asio::io_context io;
    try {
        connect_local(io, unique_pipe());
        BOOST_FAIL("connected to a pipe nobody serves");
    } catch (const boost::system::system_error& error) {
        BOOST_TEST(describe_connect_failure("", error.code()).find("no pipe of that name") != std::string::npos,
                   error.code().message());
    }
    BOOST_CHECK_THROW(LocalListener::open(io, {"C:\\not-a-pipe", 0, {}}), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

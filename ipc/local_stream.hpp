// SPDX-License-Identifier: Apache-2.0
#pragma once
// The stream type a local connection uses on this platform: a Unix domain
// socket on POSIX, a named pipe handle on Windows. Session and Client are
// written against what both share (async_read_some, async_write_some, close).

#if defined(_WIN32)
#include <boost/asio/windows/stream_handle.hpp>
namespace pdm::ipc {
using LocalStream = boost::asio::windows::stream_handle;
}
#else
#include <boost/asio/local/stream_protocol.hpp>
namespace pdm::ipc {
using LocalStream = boost::asio::local::stream_protocol::socket;
}
#endif

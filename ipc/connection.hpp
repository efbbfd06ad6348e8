// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a request handler knows of the connection a request came on, and how it
// sends that connection lines nobody asked for (events).

#include <cstdint>
#include <memory>
#include <string>

#include "ipc/peer_identity.hpp"

namespace pdm::ipc {

class Connection {
public:
    virtual ~Connection() = default;

    virtual const PeerIdentity& peer() const = 0;
    // Unique for the daemon's life.
    virtual std::uint64_t id() const = 0;

    // Queues `line` ('\n'-terminated) after the replies already queued. A
    // connection whose client does not read is never allowed to grow without
    // bound: past the output limit it is sent `final_line` instead and closed.
    // Returns false when the line was not queued (closed, or just overflowed).
    virtual bool push(std::string line, const std::string& final_line) = 0;

    // True when the client is gone (closed, or hung up with input not yet read).
    virtual bool gone() = 0;
};

}  // namespace pdm::ipc

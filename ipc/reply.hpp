// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a RequestHandler gives back for one request line.

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace pdm::ipc {

// One piece of a reply that is finished off the event loop (work that reads
// large files), or that is made of many lines (a stream of content).
struct ReplyPart {
    std::string text;           // zero or more '\n'-terminated lines
    bool after_commit = false;  // as Reply::after_commit, for this part
    bool last = true;           // no more parts follow
};

// The source of a reply's parts. The session asks for one part at a time:
// the first at once, each next one only when everything before it has been
// written to the client, so a client that reads slowly slows the source
// down instead of growing the daemon's memory.
class PendingReply {
public:
    using Deliver = std::function<void(ReplyPart part)>;
    virtual ~PendingReply() = default;
    // Asks for the next part. `deliver` must be called exactly once, on the
    // event loop's thread, and never from within next() itself.
    virtual void next(Deliver deliver) = 0;
};

struct Reply {
    std::string text;  // the reply line, '\n'-terminated

    // The reply may only be sent once the daemon's next commit has made durable
    // the state it reports (a change it made, or one it observed). When that
    // commit fails, an `internal` error for `id` is sent instead: the state
    // the reply reported did not last.
    bool after_commit = false;
    nlohmann::json id;

    // Set when the reply comes later, in parts: `text` is then sent first
    // (usually empty), and the replies after this one wait for its last part.
    std::shared_ptr<PendingReply> pending;

    // A reply that depends on no commit.
    static Reply now(std::string text) {
        Reply reply;
        reply.text = std::move(text);
        return reply;
    }
};

}  // namespace pdm::ipc

#pragma once
// What a RequestHandler gives back for one request line.

#include <string>

#include <nlohmann/json.hpp>

namespace pdm::ipc {

struct Reply {
    std::string text;  // the reply line, '\n'-terminated

    // The reply may only be sent once the daemon's next commit has made durable
    // the state it reports (a change it made, or one it observed). When that
    // commit fails, an `internal` error for `id` is sent instead: the state
    // the reply reported did not last.
    bool after_commit = false;
    nlohmann::json id;

    // A reply that depends on no commit.
    static Reply now(std::string text) {
        Reply reply;
        reply.text = std::move(text);
        return reply;
    }
};

}  // namespace pdm::ipc

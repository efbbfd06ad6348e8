// SPDX-License-Identifier: Apache-2.0
#include "daemon/cat_stream.hpp"

#include <vector>

#include "ipc/base64.hpp"
#include "ipc/protocol.hpp"

namespace pdm::daemon {

struct CatStream::State {
    RequestLog log;
    nlohmann::json id;
    std::string path;
    std::string rev;
    std::unique_ptr<BlobReader> reader;  // opened by the first piece
    std::uint64_t sent = 0;
    bool finished = false;
};

CatStream::CatStream(HistoryWorker& history, RequestLog log, nlohmann::json id, std::string path, std::string rev)
    : history_(history),
      state_(std::make_shared<State>(State{std::move(log), std::move(id), std::move(path), std::move(rev), {}, 0, false})) {}

CatStream::~CatStream() {
    // The reader is a libgit2 object of the history thread's repository: it is
    // freed there too, after any piece still being read.
    history_.run(
        [state = std::move(state_)](HistoryStore&) {
            state->reader.reset();
            return true;
        },
        [](std::shared_ptr<bool>, std::exception_ptr) {});
}

void CatStream::next(Deliver deliver) {
    history_.run(
        [state = state_](HistoryStore& store) -> std::string {
            if (!state->reader) {
                const Revision revision = store.find(state->path, state->rev);
                state->reader = store.open(revision);
                return ipc::encode_result(state->id, {{"path", revision.path},
                                                      {"rev", revision.number},
                                                      {"commit", revision.commit},
                                                      {"size", state->reader->size()},
                                                      {"encoding", "base64"}});
            }
            std::vector<char> piece(piece_bytes);
            const std::size_t length = state->reader->read(piece.data(), piece.size());
            if (length == 0) {
                state->finished = true;
                state->reader.reset();
                return nlohmann::json{{"id", state->id}, {"end", true}, {"bytes", state->sent}}.dump() + "\n";
            }
            state->sent += length;
            return nlohmann::json{{"id", state->id}, {"data", ipc::base64_encode({piece.data(), length})}}.dump() + "\n";
        },
        [state = state_, deliver = std::move(deliver)](std::shared_ptr<std::string> line, std::exception_ptr error) {
            ipc::ReplyPart part;
            if (error) {
                // Before the header this is the reply; after it, the line
                // that ends the stream early. Either way: the error, mapped.
                part.text = answer(state->log, state->id, [&]() -> nlohmann::json { std::rethrow_exception(error); });
                part.last = true;
            } else {
                part.text = std::move(*line);
                part.last = state->finished;
            }
            deliver(std::move(part));
        });
}

}  // namespace pdm::daemon

// SPDX-License-Identifier: Apache-2.0
#pragma once
// `cat`: the content of one revision as a stream of reply lines — a header
// (the reply proper, with the size), then base64 pieces, then an end line.
// Each piece is read on the history thread only once the client has taken
// the one before, so neither side ever holds a large file whole.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/answer.hpp"
#include "daemon/history_worker.hpp"
#include "ipc/reply.hpp"

namespace pdm::daemon {

class CatStream final : public ipc::PendingReply {
public:
    // Raw bytes per piece: a line of 256 KiB once encoded.
    static constexpr std::size_t piece_bytes = 192 * 1024;

    CatStream(HistoryWorker& history, RequestLog log, nlohmann::json id, std::string path, std::string rev);
    ~CatStream() override;
    CatStream(const CatStream&) = delete;
    CatStream& operator=(const CatStream&) = delete;
    void next(Deliver deliver) override;

private:
    struct State;  // shared with the job on the history thread, which may outlive this
    HistoryWorker& history_;
    std::shared_ptr<State> state_;
};

}  // namespace pdm::daemon

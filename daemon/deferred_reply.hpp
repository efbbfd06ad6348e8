// SPDX-License-Identifier: Apache-2.0
#pragma once
// A reply finished later, on the event loop, once work elsewhere (the history
// thread) is done: the op hands over how to start that work, and the work
// ends by giving back how to compute the result, or the error.

#include <functional>
#include <utility>

#include "core/file_service.hpp"
#include "daemon/answer.hpp"
#include "ipc/reply.hpp"

namespace pdm::daemon {

class DeferredReply final : public ipc::PendingReply {
public:
    // Runs on the event loop: the result, or throws (PdmError for a refusal).
    using Compute = std::function<nlohmann::json()>;
    using Finish = std::function<void(const Compute& compute)>;
    // Starts the work; the work calls `finish` exactly once, on the event loop.
    using Start = std::function<void(Finish finish)>;

    DeferredReply(RequestLog log, nlohmann::json id, const FileService& service, Start start)
        : log_(std::move(log)), id_(std::move(id)), service_(service), start_(std::move(start)) {}

    void next(Deliver deliver) override {
        // Captures copies, not `this`: the session may drop the reply (its
        // client left) while the work runs.
        start_([log = log_, id = id_, &service = service_, deliver = std::move(deliver)](const Compute& compute) {
            ipc::ReplyPart part;
            part.text = answer(log, id, compute);
            // Like any reply: what it reports must be durable before it goes.
            part.after_commit = service.has_uncommitted();
            deliver(std::move(part));
        });
    }

private:
    RequestLog log_;
    nlohmann::json id_;
    const FileService& service_;
    Start start_;
};

}  // namespace pdm::daemon

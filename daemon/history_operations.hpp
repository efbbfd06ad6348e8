// SPDX-License-Identifier: Apache-2.0
#pragma once
// The ops that involve the version history: check-in and unlock (which save
// content before locks go), and history, diff, blame, cat and restore. Their
// file work runs on the history thread; the reply follows when it is done.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/operations.hpp"

namespace pdm::daemon::history_ops {

OpResult checkin(OpContext& context, const nlohmann::json& params);
OpResult unlock(OpContext& context, const nlohmann::json& params);
OpResult history(OpContext& context, const nlohmann::json& params);
OpResult diff(OpContext& context, const nlohmann::json& params);
OpResult blame(OpContext& context, const nlohmann::json& params);
OpResult cat(OpContext& context, const nlohmann::json& params);
OpResult restore(OpContext& context, const nlohmann::json& params);

// Replies with `apply(true)`, run on the event loop once the first import
// has made the revision 1 of `paths` durable (it reads them next), or, for a
// path that is not one of its files, once the history thread has finished
// everything queued before; `apply(false)` when the import ended (stopped,
// failed) before they were.
std::shared_ptr<ipc::PendingReply> after_first_import_read(OpContext& context, const std::vector<std::string>& paths,
                                                           std::function<nlohmann::json(bool imported)> apply);

}  // namespace pdm::daemon::history_ops

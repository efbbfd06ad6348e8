// SPDX-License-Identifier: Apache-2.0
#include "daemon/answer.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "ipc/protocol.hpp"

namespace pdm::daemon {

std::string answer(const RequestLog& log, const nlohmann::json& id, const std::function<nlohmann::json()>& compute) {
    return answer_line(log, id, [&] { return ipc::encode_result(id, compute()); });
}

std::string answer_line(const RequestLog& log, const nlohmann::json& id, const std::function<std::string()>& compute) {
    try {
        std::string line = compute();
        if (log.mutating) spdlog::info("{} {} {}: ok", log.user, log.op, log.paths);
        return line;
    } catch (const PdmError& error) {
        const auto level = error.code() == ErrorCode::internal ? spdlog::level::err : spdlog::level::info;
        spdlog::log(level, "{} {}: {}: {}", log.user, log.op, error_code_name(error.code()), error.what());
        return ipc::encode_error(id, error);
    } catch (const std::exception& error) {
        spdlog::error("{} {}: unexpected failure: {}", log.user, log.op, error.what());
        return ipc::encode_error(id, PdmError(ErrorCode::internal, std::string("internal error: ") + error.what()));
    }
}

}  // namespace pdm::daemon

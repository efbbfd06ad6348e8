// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turns the outcome of one request into its reply line: the result, or the
// error it threw mapped to the protocol's code and logged. The one place that
// happens, for replies given at once and for those finished later.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace pdm::daemon {

// Which request a reply answers, for its log line.
struct RequestLog {
    std::string user;
    std::string op;
    std::string paths;      // as the request named them
    bool mutating = false;  // logged when it succeeds too
};

std::string answer(const RequestLog& log, const nlohmann::json& id, const std::function<nlohmann::json()>& compute);

// The same, for a `compute` that returns the whole reply line itself (a
// result written as text, or no line at all).
std::string answer_line(const RequestLog& log, const nlohmann::json& id, const std::function<std::string()>& compute);

}  // namespace pdm::daemon

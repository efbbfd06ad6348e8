// SPDX-License-Identifier: Apache-2.0
#include "daemon/logging.hpp"

#include <filesystem>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/utf8_path.hpp"

namespace pdm::daemon {
namespace {

// "%*" in a pattern: the syslog priority of the message's level, as sd-daemon(3) reads it.
class SyslogPriority final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
        static constexpr const char* prefixes[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
        const auto index = static_cast<std::size_t>(message.level);
        const char* prefix = index < std::size(prefixes) ? prefixes[index] : "<6>";
        out.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriority>(); }
};

}  // namespace

void set_up_logging(const std::string& level, bool to_journal, const std::string& file, spdlog::sink_ptr system_log) {
    std::shared_ptr<spdlog::logger> logger;
    if (!file.empty()) {
        const std::filesystem::path folder = path_from_utf8(file).parent_path();
        std::error_code ignored;
        if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
        logger = spdlog::rotating_logger_mt("pdmd", file, std::size_t{10} << 20, 5);
        logger->flush_on(spdlog::level::info);  // a line per event, on disk as it happens
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    } else if (system_log) {
        // It keeps the time and level itself: the sink's own format stays.
        logger = std::make_shared<spdlog::logger>("pdmd", std::move(system_log));
    } else if (to_journal) {
        logger = spdlog::stderr_color_mt("pdmd");
        // The journal adds its own time stamps.
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<SyslogPriority>('*').set_pattern("%*%v");
        logger->set_formatter(std::move(formatter));
    } else {
        logger = spdlog::stderr_color_mt("pdmd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    spdlog::set_default_logger(logger);
    set_log_level(level);
}

void set_log_level(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

}  // namespace pdm::daemon

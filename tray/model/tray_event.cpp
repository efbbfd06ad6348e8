// SPDX-License-Identifier: Apache-2.0
#include "tray/model/tray_event.hpp"

namespace pdm::tray {
namespace {

std::string text(const nlohmann::json& object, const char* name) {
    const auto field = object.find(name);
    return field != object.end() && field->is_string() ? field->get<std::string>() : "";
}

std::optional<std::uint64_t> count(const nlohmann::json& object, const char* name) {
    const auto field = object.find(name);
    if (field == object.end() || !field->is_number_integer() || field->get<std::int64_t>() < 0) return std::nullopt;
    return field->get<std::uint64_t>();
}

}  // namespace

std::optional<TrayEvent> TrayEvent::parse(const nlohmann::json& line) {
    if (!line.is_object() || !line.contains("event") || !line["event"].is_string()) return std::nullopt;
    TrayEvent event;
    event.kind = line["event"].get<std::string>();
    event.seq = count(line, "seq").value_or(0);
    event.time = text(line, "time");
    event.path = text(line, "path");
    event.user = text(line, "user");
    event.owner = text(line, "owner");
    event.from = text(line, "from");
    event.message = text(line, "message");
    event.position = count(line, "position");
    if (const auto revision = line.find("revision"); revision != line.end() && revision->is_object() &&
                                                      revision->value("recorded", false)) {
        event.revision = count(*revision, "rev");
    }
    return event;
}

}  // namespace pdm::tray

// SPDX-License-Identifier: Apache-2.0
#include "cli/commands.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/binary_output.hpp"
#include "cli/table.hpp"
#include "core/utf8_path.hpp"
#include "ipc/client.hpp"
#include "ipc/local_endpoint.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pdm::cli {
namespace {

// Raised to end a command with an exit code after its message was printed.
struct CommandFailed {
    int exit_code;
};

class Connection {
public:
    explicit Connection(const GlobalOptions& global) : global_(global) {
        try {
            endpoint_ = ipc::locate_daemon(global.socket_path);
            client_.emplace(endpoint_.path);
        } catch (const ipc::ConnectError& error) {
            std::cerr << "pdmctl: " << error.what() << "\n";
            throw CommandFailed{exit_unreachable};
        }
    }

    // The result of a successful call. A refusal is printed and ends the command.
    json call(const std::string& op, json params = json::object()) {
        json reply = try_call(op, std::move(params));
        if (!reply.value("ok", false)) refused(reply);
        return reply["result"];
    }

    // The whole reply, a refusal included; only an unreachable daemon ends the command.
    json try_call(const std::string& op, json params = json::object()) {
        try {
            return client_->call(op, std::move(params));
        } catch (const std::exception& error) {
            std::cerr << "pdmctl: " << error.what() << "\n";
            throw CommandFailed{exit_unreachable};
        }
    }

    // Prints a refusal and ends the command.
    [[noreturn]] void refused(const json& reply) {
        if (global_.json) {
            std::cout << reply.dump(2) << "\n";
        } else {
            const json& error = reply["error"];
            std::cerr << "pdmctl: " << printable(error.value("message", "request refused")) << " ["
                      << error.value("code", "?") << "]\n";
        }
        throw CommandFailed{exit_refused};
    }

    // Paths as a person types them: relative to the current folder when it is
    // inside the repository (like git), otherwise relative to the repository.
    std::vector<std::string> repo_paths(const std::vector<std::string>& arguments) {
        if (!repo_) repo_ = path_from_utf8(call("hello")["repo"].get<std::string>());
        std::vector<std::string> result;
        std::error_code ec;
        const fs::path cwd = fs::current_path(ec);
        for (const std::string& argument : arguments) {
            const fs::path typed = path_from_utf8(argument);
            const fs::path absolute = (typed.is_absolute() ? typed : cwd / typed).lexically_normal();
            const fs::path relative = absolute.lexically_relative(*repo_);
            const bool inside = !ec && !relative.empty() && *relative.begin() != ".." && relative != ".";
            result.push_back(inside ? generic_utf8(relative) : argument);
        }
        return result;
    }

    bool json_output() const { return global_.json; }
    ipc::Client& client() { return *client_; }
    const ipc::Endpoint& endpoint() const { return endpoint_; }

private:
    const GlobalOptions& global_;
    ipc::Endpoint endpoint_;
    std::optional<ipc::Client> client_;
    std::optional<fs::path> repo_;
};

json paths_param(const std::vector<std::string>& paths) {
    return paths.size() == 1 ? json{{"path", paths.front()}} : json{{"paths", paths}};
}

template <typename Body>
int guarded(Body body) {
    try {
        body();
        return exit_ok;
    } catch (const CommandFailed& failed) {
        return failed.exit_code;
    }
}

void print_json(const json& result) { std::cout << result.dump(2) << "\n"; }

// The next line the daemon pushes (an event), or the end of the command.
std::string next_line(ipc::Client& client) {
    try {
        return client.read_line();
    } catch (const ipc::ProtocolError& error) {
        std::cerr << "pdmctl: " << error.what() << "\n";
        throw CommandFailed{exit_unreachable};
    }
}

}  // namespace

int run_ping(const GlobalOptions& global) {
    return guarded([&] {
        Connection connection(global);
        json hello = connection.call("hello");
        const ipc::Endpoint& endpoint = connection.endpoint();
        if (connection.json_output()) {
            hello["socket"] = endpoint.path;
            hello["daemon"] = endpoint.which;
            return print_json(hello);
        }
        const std::string which = endpoint.which == "given" ? "" : " (the " + endpoint.which + " daemon)";
        std::cout << "pdmd " << hello["version"].get<std::string>() << " (protocol " << hello["protocol"]
                  << ") serving " << hello["repo"].get<std::string>() << "\n" << ipc::endpoint_naming().noun << " "
                  << endpoint.path << which
                  << "\nyou are " << hello["user"].get<std::string>()
                  << (hello["admin"].get<bool>() ? " (admin)" : "") << "\n";
    });
}

int run_list(const GlobalOptions& global, const ListOptions& options) {
    return guarded([&] {
        Connection connection(global);
        json params = json::object();
        if (options.match) params["match"] = *options.match;
        if (options.status) params["status"] = *options.status;
        if (options.user) params["user"] = *options.user;
        if (options.mine) params["user"] = connection.call("hello")["user"];
        const json result = connection.call("list", params);
        if (connection.json_output()) return print_json(result);
        Table table({"STATUS", "USER", "SINCE", "SIZE", "PATH"});
        for (const json& file : result["files"]) {
            const json& lock = file["lock"];
            const bool missing = file["status"] == "missing";
            table.add({missing ? "missing" : lock.is_null() ? "available" : "checked out",
                       lock.is_null() ? "" : lock["user"].get<std::string>(),
                       lock.is_null() ? "" : lock["timestamp"].get<std::string>(),
                       missing ? "-" : human_size(file["size"].get<std::uint64_t>()), file["path"].get<std::string>()});
        }
        if (table.empty()) {
            std::cout << "no files match\n";
        } else {
            table.print(std::cout);
        }
    });
}

int run_info(const GlobalOptions& global, const std::string& path) {
    return guarded([&] {
        Connection connection(global);
        const json file = connection.call("info", {{"path", connection.repo_paths({path}).front()}})["file"];
        if (connection.json_output()) return print_json(file);
        const bool missing = file["status"] == "missing";
        std::cout << "path:     " << printable(file["path"].get<std::string>()) << "\n";
        if (missing) {
            std::cout << "on disk:  missing (deleted or moved out of the repository; the lock stays until "
                         "checked in or unlocked)\n";
        } else {
            std::cout << "size:     " << human_size(file["size"].get<std::uint64_t>()) << "\n"
                      << "modified: " << file["mtime"].get<std::string>() << "\n";
        }
        const json& lock = file["lock"];
        if (lock.is_null()) {
            std::cout << "status:   available\n";
        } else {
            std::cout << "status:   checked out by " << lock["user"].get<std::string>() << " since "
                      << lock["timestamp"].get<std::string>() << "\n"
                      << "message:  " << printable(lock["message"].get<std::string>()) << "\n";
        }
        if (const json disk = file.value("disk", json()); disk.is_object()) {
            std::cout << "access:   ";
            if (disk.contains("error")) {
                std::cout << "unknown (" << disk["error"].get<std::string>() << ")\n";
            } else {
                std::cout << (lock.is_null() ? (disk["writable"] == true ? "writable" : "read-only")
                                             : (disk["writable_by_owner"] == true ? "writable by its owner"
                                                                                  : "not writable by its owner"))
                          << (disk["matches_lock"] == true ? ", as it should be"
                              : disk["enforced"] == true   ? ", which does not match its lock (see pdmd's log)"
                                                           : " (read-only enforcement is off)")
                          << "\n";
            }
        }
    });
}

int run_checkout(const GlobalOptions& global, const std::vector<std::string>& paths, const std::string& message,
                 bool wait) {
    return guarded([&] {
        Connection connection(global);
        json params = paths_param(connection.repo_paths(paths));
        params["message"] = message;
        if (wait) params["wait"] = true;
        const json result = connection.call("checkout", params);
        if (result.value("queued", false)) {
            const std::string path = params["path"];
            if (!connection.json_output())
                std::cerr << "queued for " << path << " at position " << result["position"]
                          << "; waiting (Ctrl-C leaves the queue)\n";
            for (;;) {
                const json event = json::parse(next_line(connection.client()), nullptr, false);
                if (!event.is_object() || event.value("event", "") != "your_turn" || event.value("path", "") != path)
                    continue;
                if (connection.json_output()) return print_json(event);
                std::cout << "checked out " << path << "\n";
                return;
            }
        }
        if (connection.json_output()) return print_json(result);
        for (const json& lock : result["locks"])
            std::cout << "checked out " << lock["path"].get<std::string>() << "\n";
    });
}

// "as revision 3", or why no revision was recorded.
std::string revision_note(const json& revisions, const std::string& path) {
    for (const json& revision : revisions) {
        if (revision.value("path", "") != path) continue;
        if (revision.value("recorded", false)) return " as revision " + revision["rev"].dump();
        if (revision["rev"].is_number()) return " (unchanged since revision " + revision["rev"].dump() + ")";
    }
    return "";
}

namespace {

// The reason a refusal gives in its details ("open_for_writing"), or "".
std::string refusal_reason(const json& reply) {
    const json& details = reply["error"]["details"];
    return details.is_object() ? details.value("reason", "") : "";
}

// Waits until no program has `path` open for writing any more, asking the
// daemon (info) a few times a second; false when `deadline` passed first.
bool wait_until_closed(Connection& connection, const std::string& path,
                       std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
        const json reply = connection.try_call("info", {{"path", path}});
        if (!reply.value("ok", false)) return true;  // gone, say: let the check-in tell
        const json& disk = reply["result"]["file"]["disk"];
        if (!disk.is_object() || disk.value("open_for_writing", false) == false) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
}

}  // namespace

int run_checkin(const GlobalOptions& global, const std::vector<std::string>& paths,
                const std::optional<std::string>& message, const CheckinWait& wait) {
    return guarded([&] {
        Connection connection(global);
        json params = paths_param(connection.repo_paths(paths));
        if (message) params["message"] = *message;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait.timeout_seconds);
        json reply = connection.try_call("checkin", params);
        // A program still saving the file, or a save still settling: wait for
        // it to finish, then check in.
        while (wait.enabled && !reply.value("ok", false)) {
            const std::string reason = refusal_reason(reply);
            if (reason != "open_for_writing" && reason != "rename_settling") break;
            const std::string path = reply["error"]["details"].value("path", "");
            if (!global.json)
                std::cerr << "pdmctl: " << printable(reply["error"].value("message", "")) << "\n"
                          << "waiting for it to be closed (at most " << wait.timeout_seconds << " s; Ctrl-C stops)\n";
            if (reason == "rename_settling") std::this_thread::sleep_for(std::chrono::milliseconds(250));
            if (!wait_until_closed(connection, path, deadline)) break;
            reply = connection.try_call("checkin", params);
            if (std::chrono::steady_clock::now() >= deadline) break;
        }
        if (!reply.value("ok", false)) connection.refused(reply);
        const json& result = reply["result"];
        if (connection.json_output()) return print_json(result);
        for (const json& lock : result["released"]) {
            const std::string path = lock["path"];
            std::cout << "checked in " << path << revision_note(result.value("revisions", json::array()), path) << "\n";
        }
    });
}

int run_unlock(const GlobalOptions& global, const std::vector<std::string>& paths, const UnlockOptions& options) {
    return guarded([&] {
        Connection connection(global);
        json params = paths_param(connection.repo_paths(paths));
        if (options.force) params["force"] = true;
        if (options.discard) params["discard"] = true;
        if (options.reason) params["message"] = *options.reason;
        const json result = connection.call("unlock", params);
        if (connection.json_output()) return print_json(result);
        for (const json& lock : result["released"]) {
            const std::string path = lock["path"];
            std::cout << "unlocked " << path;
            if (lock["broken"].get<bool>()) {
                std::cout << " (broke " << lock["user"].get<std::string>() << "'s lock";
                for (const json& snapshot : result.value("snapshots", json::array())) {
                    if (snapshot["path"] == path && snapshot.value("recorded", false))
                        std::cout << "; their work is saved as revision " << snapshot["rev"].dump();
                }
                std::cout << ")";
            }
            for (const json& restored : result.value("restored", json::array())) {
                if (restored["path"] == path) std::cout << "; back to revision " << restored["rev"].dump();
            }
            std::cout << "\n";
        }
    });
}

int run_locks(const GlobalOptions& global, const std::optional<std::string>& user, bool mine) {
    return guarded([&] {
        Connection connection(global);
        json params = json::object();
        if (user) params["user"] = *user;
        if (mine) params["user"] = connection.call("hello")["user"];
        const json result = connection.call("locks", params);
        if (connection.json_output()) return print_json(result);
        Table table({"USER", "SINCE", "PATH", "MESSAGE"});
        for (const json& lock : result["locks"]) {
            table.add({lock["user"].get<std::string>(), lock["timestamp"].get<std::string>(),
                       lock["path"].get<std::string>() + (lock.value("missing", false) ? " (missing)" : ""),
                       lock["message"].get<std::string>()});
        }
        if (table.empty()) {
            std::cout << "no files are checked out\n";
        } else {
            table.print(std::cout);
        }
    });
}

int run_audit(const GlobalOptions& global, const LogOptions& options) {
    return guarded([&] {
        Connection connection(global);
        json params = {{"limit", options.limit}};
        if (options.path) params["path"] = connection.repo_paths({*options.path}).front();
        if (options.user) params["user"] = *options.user;
        const json result = connection.call("audit", params);
        if (connection.json_output()) return print_json(result);
        Table table({"TIME", "USER", "OP", "OUTCOME", "PATHS", "MESSAGE"});
        for (const json& entry : result["entries"]) {
            std::string paths;
            for (const json& path : entry.value("paths", json::array())) {
                if (!paths.empty()) paths += ", ";
                paths += path.get<std::string>();
            }
            std::string outcome = entry.value("outcome", "");
            if (entry.value("force", false)) outcome += " (forced)";
            std::string message = entry.value("message", "");
            if (outcome.rfind("ok", 0) != 0) message = entry.value("error", message);
            table.add({entry.value("time", ""), entry.value("user", ""), entry.value("op", ""), outcome, paths,
                       message});
        }
        if (table.empty()) {
            std::cout << "no audit entries match\n";
        } else {
            table.print(std::cout);
        }
    });
}

int run_log(const GlobalOptions& global, const std::string& path, std::uint64_t limit) {
    return guarded([&] {
        Connection connection(global);
        json params = {{"path", connection.repo_paths({path}).front()}};
        if (limit > 0) params["limit"] = limit;
        const json result = connection.call("history", params);
        if (connection.json_output()) return print_json(result);
        Table table({"REV", "TIME", "USER", "SIZE", "SHA256", "MESSAGE"});
        for (const json& revision : result["revisions"]) {
            std::string message = revision.value("message", "");
            if (revision["broken_by"].is_string())
                message = "[snapshot: lock broken by " + revision["broken_by"].get<std::string>() + "] " + message;
            const bool removed = revision.value("removed", false);
            table.add({revision["rev"].dump(), revision.value("time", ""), revision.value("user", ""),
                       removed ? "removed" : revision["size"].dump(),
                       removed ? "-" : revision["sha256"].get<std::string>().substr(0, 12), message});
        }
        if (table.empty()) {
            std::cout << result["path"].get<std::string>() << " has no revisions yet\n";
        } else {
            table.print(std::cout);
        }
    });
}

int run_diff(const GlobalOptions& global, const std::string& path, const std::optional<std::string>& from,
             const std::optional<std::string>& to) {
    return guarded([&] {
        Connection connection(global);
        json params = {{"path", connection.repo_paths({path}).front()}};
        if (from) params["from"] = *from;
        if (to) params["to"] = *to;
        const json result = connection.call("diff", params);
        if (connection.json_output()) return print_json(result);
        const std::string to_name = result["to"].is_string() ? "the working file" : "revision " + result["to"]["rev"].dump();
        if (result["binary"].get<bool>()) {
            std::cout << "binary files differ: revision " << result["from"]["rev"].dump() << " ("
                      << result["from_size"].dump() << " bytes, sha256 " << result["from_sha256"].get<std::string>()
                      << ") and " << to_name << " (" << result["to_size"].dump() << " bytes, sha256 "
                      << result["to_sha256"].get<std::string>() << ")\n";
            if (result["from_sha256"] == result["to_sha256"]) std::cout << "(their contents are the same)\n";
            return;
        }
        if (result["patch"].get<std::string>().empty()) {
            std::cout << "no differences between revision " << result["from"]["rev"].dump() << " and " << to_name << "\n";
            return;
        }
        std::cout << result["patch"].get<std::string>();
    });
}

int run_blame(const GlobalOptions& global, const std::string& path) {
    return guarded([&] {
        Connection connection(global);
        const json result = connection.call("blame", {{"path", connection.repo_paths({path}).front()}});
        if (connection.json_output()) return print_json(result);
        std::size_t user_width = 0;
        for (const json& line : result["lines"]) user_width = std::max(user_width, line["user"].get<std::string>().size());
        for (const json& line : result["lines"]) {
            const std::string user = line["user"];
            std::cout << "r" << line["rev"].dump() << "\t" << user << std::string(user_width - user.size(), ' ') << " "
                      << line["time"].get<std::string>() << " " << line["line"].dump() << ") "
                      << line["text"].get<std::string>() << "\n";
        }
    });
}

int run_cat(const GlobalOptions& global, const std::string& path, const std::string& rev) {
    return guarded([&] {
        Connection connection(global);
        json params = {{"path", connection.repo_paths({path}).front()}, {"rev", rev}};
        json reply;
        make_standard_output_binary();
        try {
            reply = connection.client().call_streamed("cat", params, [](std::string_view piece) {
                std::cout.write(piece.data(), static_cast<std::streamsize>(piece.size()));
                if (!std::cout) throw std::runtime_error("cannot write to standard output");
            });
        } catch (const std::exception& error) {
            std::cerr << "pdmctl: " << error.what() << "\n";
            throw CommandFailed{exit_unreachable};
        }
        std::cout.flush();
        if (!reply.value("ok", false)) {
            const json& error = reply["error"];
            std::cerr << "pdmctl: " << printable(error.value("message", "request refused")) << " ["
                      << error.value("code", "?") << "]\n";
            throw CommandFailed{exit_refused};
        }
    });
}

int run_restore(const GlobalOptions& global, const std::string& path, const std::string& rev) {
    return guarded([&] {
        Connection connection(global);
        const json result = connection.call("restore", {{"path", connection.repo_paths({path}).front()}, {"rev", rev}});
        if (connection.json_output()) return print_json(result);
        std::cout << "restored " << result["path"].get<std::string>() << " to revision " << result["rev"].dump()
                  << "; check it in to keep it\n";
    });
}

int run_watch(const GlobalOptions& global, const WatchOptions& options) {
    return guarded([&] {
        Connection connection(global);
        json params = json::object();
        if (!options.kinds.empty()) params["events"] = options.kinds;
        if (options.match) params["match"] = *options.match;
        connection.call("subscribe", params);
        if (!connection.json_output()) std::cerr << "watching; Ctrl-C to stop\n";
        for (;;) {
            const std::string line = next_line(connection.client());
            if (connection.json_output()) {
                std::cout << line << std::endl;
                continue;
            }
            const json event = json::parse(line, nullptr, false);
            if (!event.is_object() || !event.contains("event")) continue;
            if (event["event"] == "overflow") {
                std::cerr << "pdmctl: fell too far behind; pdmd stopped sending events\n";
                throw CommandFailed{exit_refused};
            }
            const std::string user = event.value("user", "");
            std::cout << event.value("time", "") << "  " << (user.empty() ? "(on disk)" : user) << "  "
                      << event.value("event", "") << "  " << printable(event.value("path", ""));
            if (event.contains("from")) std::cout << "  (was " << printable(event.value("from", "")) << ")";
            if (event.contains("owner")) std::cout << "  (lock of " << event.value("owner", "") << ")";
            if (const auto revision = event.find("revision"); revision != event.end() && revision->is_object()) {
                if (revision->value("recorded", false)) std::cout << "  revision " << (*revision)["rev"].dump();
            }
            const std::string message = event.value("message", "");
            if (!message.empty()) std::cout << "  \"" << printable(message) << "\"";
            std::cout << std::endl;
        }
    });
}

int run_who(const GlobalOptions& global) {
    return guarded([&] {
        Connection connection(global);
        const json result = connection.call("who");
        if (connection.json_output()) return print_json(result);
        Table table({"USER", "CONNECTIONS"});
        for (const json& user : result["users"])
            table.add({user["user"].get<std::string>(), std::to_string(user["connections"].get<int>())});
        table.print(std::cout);
    });
}

}  // namespace pdm::cli

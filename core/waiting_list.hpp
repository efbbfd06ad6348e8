// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who waits for which file, first come first served. A waiter is one client
// connection: when it closes, its places are given up.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace pdm {

struct Waiter {
    std::string user;
    std::uint64_t connection = 0;
    std::string message;  // the check-out message the lock will carry
};

class WaitingList {
public:
    // Adds the waiter at the end of the path's queue and returns its position
    // (1 = next). A connection already waiting for the path keeps its place.
    std::size_t enqueue(const std::string& path, Waiter waiter);
    // Takes the first waiter for the path, if any.
    std::optional<Waiter> pop(const std::string& path);
    // Removes one connection's place for a path; false when it had none.
    bool remove(const std::string& path, std::uint64_t connection);
    // Removes every place of a connection (it closed).
    void remove_connection(std::uint64_t connection);
    std::size_t waiting_for(const std::string& path) const;
    // The file was renamed: its queue follows it (behind any queue the new
    // name already has).
    void rename(const std::string& from, const std::string& to);

private:
    std::map<std::string, std::deque<Waiter>> queues_;
};

}  // namespace pdm

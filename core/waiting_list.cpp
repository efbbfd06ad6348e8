// SPDX-License-Identifier: Apache-2.0
#include "core/waiting_list.hpp"

#include <algorithm>

namespace pdm {

std::size_t WaitingList::enqueue(const std::string& path, Waiter waiter) {
    auto& queue = queues_[path];
    const auto mine = std::find_if(queue.begin(), queue.end(),
                                   [&](const Waiter& w) { return w.connection == waiter.connection; });
    if (mine != queue.end()) return static_cast<std::size_t>(mine - queue.begin()) + 1;
    queue.push_back(std::move(waiter));
    return queue.size();
}

std::optional<Waiter> WaitingList::pop(const std::string& path) {
    const auto it = queues_.find(path);
    if (it == queues_.end()) return std::nullopt;
    Waiter first = std::move(it->second.front());
    it->second.pop_front();
    if (it->second.empty()) queues_.erase(it);
    return first;
}

bool WaitingList::remove(const std::string& path, std::uint64_t connection) {
    const auto it = queues_.find(path);
    if (it == queues_.end()) return false;
    const auto before = it->second.size();
    std::erase_if(it->second, [&](const Waiter& w) { return w.connection == connection; });
    const bool removed = it->second.size() != before;
    if (it->second.empty()) queues_.erase(it);
    return removed;
}

void WaitingList::remove_connection(std::uint64_t connection) {
    for (auto it = queues_.begin(); it != queues_.end();) {
        std::erase_if(it->second, [&](const Waiter& w) { return w.connection == connection; });
        it = it->second.empty() ? queues_.erase(it) : std::next(it);
    }
}

void WaitingList::rename(const std::string& from, const std::string& to) {
    const auto queue = queues_.find(from);
    if (queue == queues_.end() || from == to) return;
    std::deque<Waiter> moving = std::move(queue->second);
    queues_.erase(queue);
    std::deque<Waiter>& target = queues_[to];
    for (Waiter& waiter : moving) target.push_back(std::move(waiter));
}

std::size_t WaitingList::waiting_for(const std::string& path) const {
    const auto it = queues_.find(path);
    return it == queues_.end() ? 0 : it->second.size();
}

}  // namespace pdm

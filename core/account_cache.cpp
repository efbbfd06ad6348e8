// SPDX-License-Identifier: Apache-2.0
#include "core/account_cache.hpp"

namespace pdm {

std::optional<std::uint32_t> AccountCache::id_of(const std::string& name, Clock::time_point now) const {
    const std::lock_guard lock(mutex_);
    const auto found = ids_.find(name);
    if (found == ids_.end() || found->second.until <= now) return std::nullopt;
    return found->second.id;
}

std::optional<std::string> AccountCache::name_of(std::uint32_t id, Clock::time_point now) const {
    const std::lock_guard lock(mutex_);
    const auto found = names_.find(id);
    if (found == names_.end() || found->second.until <= now) return std::nullopt;
    return found->second.name;
}

void AccountCache::remember(const std::string& name, std::uint32_t id, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (ids_.size() >= most_ || names_.size() >= most_) {
        ids_.clear();
        names_.clear();
    }
    // A renumbered account: its old number no longer names it.
    if (const auto before = ids_.find(name); before != ids_.end() && before->second.id != id) {
        if (const auto old = names_.find(before->second.id); old != names_.end() && old->second.name == name)
            names_.erase(old);
    }
    ids_[name] = {id, now + keep_};
    names_[id] = {name, now + keep_};
}

}  // namespace pdm

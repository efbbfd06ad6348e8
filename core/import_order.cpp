// SPDX-License-Identifier: Apache-2.0
#include "core/import_order.hpp"

namespace pdm {

ImportOrder::ImportOrder(std::vector<std::string> paths)
    : paths_(std::move(paths)), state_(paths_.size(), State::waiting), hurried_(paths_.size(), false) {
    position_.reserve(paths_.size());
    for (std::size_t i = 0; i < paths_.size(); ++i) position_.emplace(paths_[i], i);
}

ImportOrder::Hurry ImportOrder::hurry(const std::string& path) {
    const std::lock_guard lock(mutex_);
    const auto found = position_.find(path);
    if (found == position_.end()) return Hurry::not_included;
    const std::size_t at = found->second;
    if (state_[at] == State::done) return Hurry::done;
    if (!hurried_[at]) {
        hurried_[at] = true;
        if (state_[at] == State::waiting) urgent_.push_back(at);
        if (state_[at] == State::stored) ++hurried_stored_;
        // One being read needs no place in the queue: stored() counts it.
    }
    return Hurry::next;
}

std::optional<std::string> ImportOrder::next() {
    const std::lock_guard lock(mutex_);
    while (urgent_taken_ < urgent_.size()) {
        const std::size_t at = urgent_[urgent_taken_++];
        if (state_[at] != State::waiting) continue;
        state_[at] = State::taken;
        return paths_[at];
    }
    urgent_.clear();
    urgent_taken_ = 0;
    for (; cursor_ < paths_.size(); ++cursor_) {
        if (state_[cursor_] != State::waiting) continue;
        state_[cursor_] = State::taken;
        return paths_[cursor_++];
    }
    return std::nullopt;
}

void ImportOrder::stored(const std::string& path) {
    const std::lock_guard lock(mutex_);
    const auto found = position_.find(path);
    if (found == position_.end() || state_[found->second] != State::taken) return;
    state_[found->second] = State::stored;
    stored_.push_back(found->second);
    if (hurried_[found->second]) ++hurried_stored_;
}

void ImportOrder::finished(const std::string& path) {
    std::vector<std::string> done;
    {
        const std::lock_guard lock(mutex_);
        const auto found = position_.find(path);
        if (found == position_.end() || state_[found->second] != State::taken) return;
        mark_done(found->second, done);
    }
    tell(done);
}

bool ImportOrder::durable_wanted() {
    const std::lock_guard lock(mutex_);
    return hurried_stored_ > 0;
}

void ImportOrder::all_durable() {
    std::vector<std::string> done;
    {
        const std::lock_guard lock(mutex_);
        for (const std::size_t at : stored_) mark_done(at, done);
        stored_.clear();
        hurried_stored_ = 0;
    }
    tell(done);
}

void ImportOrder::mark_done(std::size_t at, std::vector<std::string>& tell) {
    state_[at] = State::done;
    if (hurried_[at]) tell.push_back(paths_[at]);
}

void ImportOrder::tell(const std::vector<std::string>& paths) {
    // Outside the lock: the callback may hurry more files.
    if (!paths.empty() && early_done_) early_done_(paths);
}

}  // namespace pdm

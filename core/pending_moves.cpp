// SPDX-License-Identifier: Apache-2.0
#include "core/pending_moves.hpp"

#include <algorithm>

#include "core/repo_path.hpp"

namespace pdm {

void PendingMoves::add(std::string from, std::string to, SteadyTime due) {
    std::erase_if(moves_, [&](const PendingMove& move) { return move.from == from; });
    moves_.push_back({std::move(from), std::move(to), due});
}

void PendingMoves::renamed(const std::string& from, const std::string& to) {
    for (PendingMove& move : moves_) {
        if (const auto renamed = rename_within(move.to, from, to)) move.to = *renamed;
        if (const auto renamed = rename_within(move.from, from, to); renamed && move.from != from)
            move.from = *renamed;  // its folder moved: so did its lock (FileService::follow_move)
    }
}

std::vector<PendingMove> PendingMoves::take_due(SteadyTime now) {
    std::vector<PendingMove> due;
    std::erase_if(moves_, [&](PendingMove& move) {
        if (move.due > now) return false;
        due.push_back(std::move(move));
        return true;
    });
    return due;
}

std::optional<SteadyTime> PendingMoves::next_due() const {
    if (moves_.empty()) return std::nullopt;
    return std::min_element(moves_.begin(), moves_.end(),
                            [](const PendingMove& a, const PendingMove& b) { return a.due < b.due; })
        ->due;
}

const PendingMove* PendingMoves::heading_to(const std::string& path) const {
    const auto found = std::find_if(moves_.begin(), moves_.end(), [&](const PendingMove& move) { return move.to == path; });
    return found == moves_.end() ? nullptr : &*found;
}

const PendingMove* PendingMoves::leaving(const std::string& path) const {
    const auto found = std::find_if(moves_.begin(), moves_.end(), [&](const PendingMove& move) { return move.from == path; });
    return found == moves_.end() ? nullptr : &*found;
}

}  // namespace pdm

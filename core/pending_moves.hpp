// SPDX-License-Identifier: Apache-2.0
#pragma once
// Renames of checked-out files that wait out the settle time before their lock
// follows. Desktop programs save by renaming the file away (to a backup or a
// temp name) and putting a new file in its place; only a file whose old name
// stays empty for the settle time was really renamed. This class only keeps
// the list; FileService decides what a due move does.
//
// Not thread-safe: used on the event loop's thread.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pdm {

using SteadyTime = std::chrono::steady_clock::time_point;

struct PendingMove {
    std::string from;  // the checked-out name the file left
    std::string to;    // the file's name now (kept current through further renames)
    SteadyTime due;    // when to decide: a save, or a rename
};

class PendingMoves {
public:
    // The file locked at `from` was renamed to `to`. Replaces a move already
    // pending from the same name (a new file took the name and left it again).
    void add(std::string from, std::string to, SteadyTime due);

    // A file or folder was renamed on disk from `from` to `to`: moving files,
    // and moves out of a renamed folder, are renamed with it.
    void renamed(const std::string& from, const std::string& to);

    // The moves due at `now`, taken off the list, in the order they were added.
    std::vector<PendingMove> take_due(SteadyTime now);
    std::optional<SteadyTime> next_due() const;

    // The pending move whose file now has the name `path`, or that left the
    // name `path`; nullptr when there is none.
    const PendingMove* heading_to(const std::string& path) const;
    const PendingMove* leaving(const std::string& path) const;

private:
    std::vector<PendingMove> moves_;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The order in which the first import reads a folder's files, shared by the
// history thread that reads them and the event loop that serves check-outs.
// A check-out made during the import must not let its owner change a file
// before its revision 1 is on disk; instead of waiting for the whole folder
// (minutes for a shop's gigabytes), it asks for its own files to be read
// next and made durable, and is told when they are.
//
// Thread-safe: every member may be called from any thread.

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pdm {

class ImportOrder {
public:
    // `paths`: normalised, tracked, each once; read in this order unless hurried.
    explicit ImportOrder(std::vector<std::string> paths);
    ImportOrder(const ImportOrder&) = delete;
    ImportOrder& operator=(const ImportOrder&) = delete;

    enum class Hurry {
        not_included,  // not one of the import's files: it cannot tell when that is done
        done,          // its revision 1 is durable already (or it has none to wait for)
        next,          // to be read (first) or made durable: early_done() will name it
    };
    // Called with hurried files once their revision 1 is durable, on the importing thread.
    using EarlyDone = std::function<void(const std::vector<std::string>& paths)>;

    // Set before the reading starts.
    void on_early_done(EarlyDone early_done) { early_done_ = std::move(early_done); }

    // Whether `path` is one of the import's files.
    bool includes(const std::string& path) const { return position_.contains(path); }

    // For a check-out: moves `path` ahead of the files not yet taken, and
    // asks for its revision to be made durable as soon as it is read.
    Hurry hurry(const std::string& path);

    // The importer's side. next(): the file to read next, hurried ones
    // first. stored(): its content is in the history, not yet durable.
    // finished(): nothing to make durable (skipped, gone, or it had a
    // durable revision already).
    std::optional<std::string> next();
    void stored(const std::string& path);
    void finished(const std::string& path);
    // True when a hurried file is stored but not durable: the importer
    // should make what it has stored durable, then call all_durable().
    bool durable_wanted();
    // Everything stored so far is durable now.
    void all_durable();

    std::size_t size() const { return paths_.size(); }

private:
    enum class State : unsigned char { waiting, taken, stored, done };

    // Under the lock: `at` is done; collects it for early_done_ if hurried.
    void mark_done(std::size_t at, std::vector<std::string>& tell);
    void tell(const std::vector<std::string>& paths);

    std::vector<std::string> paths_;
    std::unordered_map<std::string_view, std::size_t> position_;  // views into paths_
    std::vector<State> state_;
    std::vector<bool> hurried_;
    std::vector<std::size_t> urgent_;  // hurried positions, oldest first
    std::size_t urgent_taken_ = 0;
    std::size_t cursor_ = 0;
    std::vector<std::size_t> stored_;  // stored, not yet durable
    std::size_t hurried_stored_ = 0;   // how many of stored_ are hurried
    EarlyDone early_done_;
    std::mutex mutex_;
};

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#pragma once
// The first start's import of every file as its revision 1, seen from the
// event loop: it runs on the history thread, and a check-out made meanwhile
// waits only until its own files' revision 1 is durable (they are read
// next), not for the whole folder.

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/history_store.hpp"
#include "core/import_order.hpp"
#include "daemon/history_worker.hpp"

namespace pdm::daemon {

class FirstImport {
public:
    using Finished = std::function<void(std::shared_ptr<std::vector<RecordedFile>> imported, std::exception_ptr error)>;

    FirstImport(boost::asio::io_context& io, HistoryWorker& history) : io_(io), history_(history) {}
    FirstImport(const FirstImport&) = delete;
    FirstImport& operator=(const FirstImport&) = delete;

    // Queues the import of `paths` (normalised, tracked) on the history
    // thread; `finished` runs on the event loop as HistoryWorker::run's
    // `done` does. `cancel` stops it (HistoryStore::import).
    void start(std::vector<std::string> paths, const std::atomic<bool>* cancel, Finished finished);

    // True from start() until the import has ended, however it ended.
    bool running() const { return order_ != nullptr; }

    // For a check-out of `paths` (normalised) while the import runs: has
    // them read next, and runs `then(true)` on the event loop once the
    // revision 1 of each is durable, or `then(false)` if the import ended
    // (stopped, failed) before. False, and `then` dropped, when one of them
    // is not one of the import's files (it appeared later): such a
    // check-out waits for the history's queue instead.
    using Then = std::function<void(bool imported)>;
    bool after_imported(const std::vector<std::string>& paths, Then then);

private:
    struct Waiter {
        std::size_t pending = 0;  // its files not yet done
        Then then;
    };

    void done_early(const std::vector<std::string>& paths);
    void release_all(bool imported);

    boost::asio::io_context& io_;
    HistoryWorker& history_;
    std::shared_ptr<ImportOrder> order_;  // shared with the history thread's job
    std::unordered_map<std::string, std::vector<std::shared_ptr<Waiter>>> waiting_;
};

}  // namespace pdm::daemon

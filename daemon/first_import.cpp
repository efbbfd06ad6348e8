// SPDX-License-Identifier: Apache-2.0
#include "daemon/first_import.hpp"

#include <chrono>

#include <boost/asio/post.hpp>

namespace pdm::daemon {

void FirstImport::start(std::vector<std::string> paths, const std::atomic<bool>* cancel, Finished finished) {
    order_ = std::make_shared<ImportOrder>(std::move(paths));
    // Runs on the history thread; io.run() cannot return before the import's
    // own completion (a job keeps the loop busy), which comes after this.
    order_->on_early_done([&io = io_, this](const std::vector<std::string>& done) {
        boost::asio::post(io, [this, done] { done_early(done); });
    });
    history_.run(
        [order = order_, cancel, time = std::chrono::system_clock::now()](HistoryStore& store) {
            return store.import(*order, time, cancel);
        },
        [this, finished = std::move(finished)](std::shared_ptr<std::vector<RecordedFile>> imported,
                                               std::exception_ptr error) {
            order_.reset();
            release_all(!error);
            finished(std::move(imported), error);
        });
}

bool FirstImport::after_imported(const std::vector<std::string>& paths, Then then) {
    if (!order_) {
        boost::asio::post(io_, [then = std::move(then)] { then(true); });
        return true;
    }
    // All or none: a check-out that must wait for the whole import anyway
    // hurries nothing.
    for (const std::string& path : paths) {
        if (!order_->includes(path)) return false;
    }
    std::vector<std::string> pending;
    for (const std::string& path : paths) {
        if (order_->hurry(path) == ImportOrder::Hurry::next) pending.push_back(path);
    }
    if (pending.empty()) {
        boost::asio::post(io_, [then = std::move(then)] { then(true); });
        return true;
    }
    // A file done from now on is announced by a handler posted after this
    // one returns: the waiter is in place by then.
    auto waiter = std::make_shared<Waiter>(Waiter{pending.size(), std::move(then)});
    for (const std::string& path : pending) waiting_[path].push_back(waiter);
    return true;
}

void FirstImport::done_early(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
        const auto found = waiting_.find(path);
        if (found == waiting_.end()) continue;
        const std::vector<std::shared_ptr<Waiter>> waiters = std::move(found->second);
        waiting_.erase(found);
        for (const std::shared_ptr<Waiter>& waiter : waiters) {
            if (!waiter->then || --waiter->pending > 0) continue;
            const Then then = std::move(waiter->then);
            waiter->then = nullptr;
            then(true);
        }
    }
}

void FirstImport::release_all(bool imported) {
    // The import ended. Finished, every file is durable; stopped or failed,
    // the files still waited for have no revision 1 to protect.
    const auto waiting = std::move(waiting_);
    waiting_.clear();
    for (const auto& [path, waiters] : waiting) {
        for (const std::shared_ptr<Waiter>& waiter : waiters) {
            if (!waiter->then) continue;
            const Then then = std::move(waiter->then);
            waiter->then = nullptr;
            then(imported);
        }
    }
}

}  // namespace pdm::daemon

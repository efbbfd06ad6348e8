// SPDX-License-Identifier: Apache-2.0
// HistoryWorker: check-ins queued while the history thread is busy are
// recorded together, each its own revision, and never overtake a job posted
// before them.
#include "daemon/history_worker.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

using pdm::HistoryStore;
using pdm::RecordedFile;
using pdm::RevisionRequest;
using pdm::daemon::HistoryWorker;
using pdm::test::TempDir;

namespace {

struct Worker {
    TempDir dir;
    boost::asio::io_context io;
    std::optional<HistoryWorker> worker;
    std::vector<std::string> finished;  // in the order the event loop saw them

    Worker() {
        for (const char* name : {"a.mcam", "b.mcam", "c.mcam"}) dir.write(std::string("repo/") + name, "one");
        auto store = std::make_unique<HistoryStore>(dir / "history.git", dir / "repo");
        store->import({"a.mcam", "b.mcam", "c.mcam"}, std::chrono::system_clock::now());
        worker.emplace(io, std::move(store));
    }
    void write(const std::string& name, const std::string& contents) const {
        std::ofstream(dir / "repo" / name, std::ios::binary | std::ios::trunc) << contents;
    }
    // A check-in of `name` by `who`; its revision number goes to `finished`.
    void check_in(const std::string& name, const std::string& who) {
        RevisionRequest request{{name}, who, "changed", std::chrono::system_clock::now(), std::nullopt};
        worker->record(request, 3, [this, name](std::shared_ptr<std::vector<RecordedFile>> files, std::exception_ptr error) {
            BOOST_REQUIRE(files);
            BOOST_REQUIRE(!error);
            finished.push_back(name + "@" + std::to_string(files->front().revision->number));
        });
    }
    // A job that reads the newest revision of `name` when it runs.
    void look_at(const std::string& name) {
        worker->run([name](HistoryStore& store) { return store.newest(name)->number; },
                    [this, name](std::shared_ptr<std::size_t> number, std::exception_ptr) {
                        finished.push_back("saw " + name + "@" + std::to_string(*number));
                    });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(history_worker)

BOOST_FIXTURE_TEST_CASE(check_ins_queued_behind_a_job_are_recorded_in_order_and_never_overtake_a_later_job, Worker) {
    // The history thread is held busy, so what follows queues up.
    std::promise<void> release;
    worker->run([gate = release.get_future().share()](HistoryStore&) { gate.wait(); return 0; },
                [](std::shared_ptr<int>, std::exception_ptr) {});
    write("a.mcam", "two");
    write("b.mcam", "two");
    write("c.mcam", "two");
    check_in("a.mcam", "alice");
    check_in("b.mcam", "bob");
    look_at("c.mcam");  // posted before carol's check-in: must see revision 1
    check_in("c.mcam", "carol");
    release.set_value();
    io.run();
    const std::vector<std::string> expected = {"a.mcam@2", "b.mcam@2", "saw c.mcam@1", "c.mcam@2"};
    BOOST_TEST(finished == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// FirstImport: a check-out during the first import is released once its
// files' revision 1 is durable, refused when the import ends without it, and
// left to the history's queue when a file is not one of the import's.
#include "daemon/first_import.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

using pdm::HistoryStore;
using pdm::RecordedFile;
using pdm::daemon::FirstImport;
using pdm::daemon::HistoryWorker;
using pdm::test::TempDir;

namespace {

struct Importing {
    TempDir dir;
    boost::asio::io_context io;
    std::optional<HistoryWorker> worker;
    std::optional<FirstImport> first_import;
    std::promise<void> gate;
    std::atomic<bool> cancel{false};
    std::vector<std::string> seen;  // what the event loop saw, in order

    Importing() {
        for (const char* name : {"a.mcam", "b.mcam", "c.mcam"}) dir.write(std::string("repo/") + name, name);
        worker.emplace(io, std::make_unique<HistoryStore>(dir / "history.git", dir / "repo"));
        first_import.emplace(io, *worker);
        // The history thread waits at the gate: check-outs come while the import has not begun.
        worker->run([future = gate.get_future().share()](HistoryStore&) { future.wait(); return true; },
                    [](std::shared_ptr<bool>, std::exception_ptr) {});
        first_import->start({"a.mcam", "b.mcam", "c.mcam"}, &cancel,
                            [this](std::shared_ptr<std::vector<RecordedFile>>, std::exception_ptr error) {
                                seen.push_back(error ? "import failed" : "import finished");
                            });
    }
    FirstImport::Then note(const std::string& name) {
        return [this, name](bool imported) {
            seen.push_back(name + (imported ? " checked out" : " refused") +
                           (first_import->running() ? " during the import" : " after it"));
        };
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(first_import)

BOOST_FIXTURE_TEST_CASE(a_check_out_is_released_before_the_import_ends_and_a_new_file_is_not_waited_for,
                        Importing) {
    BOOST_TEST(first_import->running());
    BOOST_TEST(first_import->after_imported({"c.mcam"}, note("c")));
    BOOST_TEST(!first_import->after_imported({"b.mcam", "new.mcam"}, note("new")));
    gate.set_value();
    io.run();
    const std::vector<std::string> expected = {"c checked out during the import", "import finished"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
    BOOST_TEST(!first_import->running());
}

BOOST_FIXTURE_TEST_CASE(a_check_out_still_waiting_when_the_import_stops_is_refused, Importing) {
    BOOST_TEST(first_import->after_imported({"a.mcam", "c.mcam"}, note("a and c")));
    cancel = true;
    gate.set_value();
    io.run();
    const std::vector<std::string> expected = {"a and c refused after it", "import failed"};
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// The append-only files of the state dir (lock journal, audit log) keep
// their size themselves: it must stay what the file system says.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/state_dir.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(durable_append_file)

BOOST_AUTO_TEST_CASE(its_size_follows_appends_writes_and_truncations_as_the_disk_does) {
    const pdm::test::TempDir dir;
    const pdm::StateDir state(dir.path());
    pdm::DurableAppendFile file(state, "log.jsonl");
    BOOST_TEST(file.size() == 0u);
    file.append("first\n");
    file.write("second\n");
    file.flush();
    BOOST_TEST(file.size() == 13u);
    BOOST_TEST(fs::file_size(dir / "log.jsonl") == 13u);
    file.truncate(6);
    BOOST_TEST(file.size() == 6u);
    file.append("third\n");
    BOOST_TEST(file.size() == fs::file_size(dir / "log.jsonl"));
    BOOST_TEST(file.read_at(0, 64) == "first\nthird\n");
}

BOOST_AUTO_TEST_CASE(reopened_it_starts_from_what_is_there_with_a_torn_line_closed) {
    const pdm::test::TempDir dir;
    const pdm::StateDir state(dir.path());
    {
        std::ofstream torn(dir / "log.jsonl", std::ios::binary);
        torn << "whole\ntorn";
    }
    pdm::DurableAppendFile file(state, "log.jsonl");
    BOOST_TEST(file.size() == 11u);  // the torn line closed with a newline
    file.append("next\n");
    BOOST_TEST(file.size() == fs::file_size(dir / "log.jsonl"));
    BOOST_TEST(file.read_at(0, 64) == "whole\ntorn\nnext\n");
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/lock_store.hpp"
#include "tests/support/temp_dir.hpp"

using pdm::LockFileError;
using pdm::LockStore;
using pdm::LockTable;
using pdm::test::TempDir;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(lock_store)

BOOST_AUTO_TEST_CASE(missing_file_is_a_fresh_start) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    BOOST_TEST(LockStore(state).load().size() == 0u);
}

BOOST_AUTO_TEST_CASE(saved_table_loads_back_and_leaves_no_temp_file) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    LockStore store(state);
    LockTable table;
    table.insert("a.mcam", {"alice", "2026-11-23T10:00:00Z", "m"});
    store.save(table);
    BOOST_TEST(store.load().records() .size() == 1u);
    BOOST_TEST(!std::filesystem::exists(dir / "locks.json.tmp"));
}

BOOST_AUTO_TEST_CASE(corrupt_file_is_an_error_with_its_position_and_is_left_untouched) {
    TempDir dir;
    const std::string corrupt = "{\"a.mcam\": {\"user\": \"alice\",,}}";
    dir.write("locks.json", corrupt);
    const pdm::StateDir state(dir.path());
    try {
        LockStore(state).load();
        BOOST_FAIL("no error");
    } catch (const LockFileError& error) {
        BOOST_TEST(error.line() == 1u);
        BOOST_TEST(error.column() > 1u);
        BOOST_TEST(std::string(error.what()).find("locks.json:1:") != std::string::npos);
    }
    BOOST_TEST(pdm::test::read_text(dir / "locks.json") == corrupt);
}

BOOST_AUTO_TEST_CASE(move_aside_keeps_the_bad_file_under_a_timestamped_name) {
    TempDir dir;
    dir.write("locks.json", "garbage");
    const pdm::StateDir state(dir.path());
    const auto aside = LockStore(state).move_aside("2026-11-23T10:00:00Z");
    BOOST_TEST(aside.filename().string() == "locks.json.broken-2026-11-23T10-00-00Z");
    BOOST_TEST(pdm::test::read_text(aside) == "garbage");
    BOOST_TEST(!std::filesystem::exists(dir / "locks.json"));
}

BOOST_AUTO_TEST_CASE(a_failed_save_throws_and_leaves_the_old_file) {
    TempDir dir;
    dir.write("locks.json", "{}\n");
    std::filesystem::create_directory(dir / "locks.json.tmp");
    const pdm::StateDir state(dir.path());
    BOOST_CHECK_THROW(LockStore(state).save(LockTable{}), std::system_error);
    BOOST_TEST(pdm::test::read_text(dir / "locks.json") == "{}\n");
}

#ifndef _WIN32  // Windows: making a link needs a privilege (Wine cannot at all)
BOOST_AUTO_TEST_CASE(a_link_planted_as_the_temp_file_is_not_followed) {
    TempDir dir;
    TempDir elsewhere;
    const auto victim = elsewhere.write("victim", "precious");
    std::filesystem::create_symlink(victim, dir / "locks.json.tmp");
    const pdm::StateDir state(dir.path());
    BOOST_CHECK_THROW(LockStore(state).save(LockTable{}), std::system_error);
    BOOST_TEST(pdm::test::read_text(victim) == "precious");
}
#endif

BOOST_AUTO_TEST_CASE(writes_follow_the_folder_even_when_it_is_renamed) {
    TempDir dir;
    std::filesystem::create_directory(dir / "state");
    std::filesystem::permissions(dir / "state", std::filesystem::perms::owner_all);
    const pdm::StateDir state(dir / "state");
#ifdef _WIN32
    // Windows: the folder is held open denying renames, so it stays where it is.
    BOOST_CHECK_THROW(std::filesystem::rename(dir / "state", dir / "moved"), std::filesystem::filesystem_error);
    BOOST_TEST(!std::filesystem::exists(dir / "moved"));
#else
    std::filesystem::rename(dir / "state", dir / "moved");
    std::filesystem::create_directory(dir / "state");  // an impostor in its place
    LockTable table;
    table.insert("a.mcam", {"alice", "t", "m"});
    LockStore(state).save(table);
    BOOST_TEST(std::filesystem::exists(dir / "moved" / "locks.json"));
    BOOST_TEST(!std::filesystem::exists(dir / "state" / "locks.json"));
#endif
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "core/lock_store.hpp"
#include "tests/support/temp_dir.hpp"

using pdm::LockFileError;
using pdm::LockStore;
using pdm::LockTable;
using pdm::test::TempDir;

BOOST_AUTO_TEST_SUITE(lock_store)

BOOST_AUTO_TEST_CASE(missing_file_is_a_fresh_start) {
    TempDir dir;
    BOOST_TEST(LockStore(dir / "locks.json").load().size() == 0u);
}

BOOST_AUTO_TEST_CASE(saved_table_loads_back_and_leaves_no_temp_file) {
    TempDir dir;
    LockStore store(dir / "locks.json");
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
    try {
        LockStore(dir / "locks.json").load();
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
    const auto aside = LockStore(dir / "locks.json").move_aside("2026-11-23T10:00:00Z");
    BOOST_TEST(aside.filename().string() == "locks.json.broken-2026-11-23T10-00-00Z");
    BOOST_TEST(pdm::test::read_text(aside) == "garbage");
    BOOST_TEST(!std::filesystem::exists(dir / "locks.json"));
}

BOOST_AUTO_TEST_CASE(save_into_a_missing_folder_throws) {
    TempDir dir;
    LockStore store(dir / "no-such-dir" / "locks.json");
    BOOST_CHECK_THROW(store.save(LockTable{}), std::system_error);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "core/lock_table.hpp"

using pdm::LockFileFormatError;
using pdm::LockTable;

BOOST_AUTO_TEST_SUITE(lock_table)

BOOST_AUTO_TEST_CASE(writes_exactly_the_seeds_shape) {
    LockTable table;
    table.insert("parts/PN1001.mcam", {"alice", "2026-11-23T10:00:00Z", "fix bore"});
    const auto document = nlohmann::json::parse(table.to_json_text());
    const nlohmann::json expected = {
        {"parts/PN1001.mcam", {{"user", "alice"}, {"timestamp", "2026-11-23T10:00:00Z"}, {"message", "fix bore"}}}};
    BOOST_TEST(document == expected);
}

BOOST_AUTO_TEST_CASE(round_trips) {
    // A name JSON must escape (Windows allows no '"' in a name; braces and commas it does).
#ifdef _WIN32
    const std::string odd = "odd/'name' {x}, y.mcam";
#else
    const std::string odd = "odd/\"name\" {x}, y.mcam";
#endif
    LockTable table;
    table.insert("a.mcam", {"alice", "2026-11-23T10:00:00Z", "one"});
    table.insert("dir/b.mcam", {"bob", "2026-11-23T11:00:00Z", "two \"quoted\" ünïcode"});
    table.insert(odd, {"carol", "2026-11-23T12:00:00Z", "line\nbreak\ttab \\ slash"});
    table.insert("a.mcam", {"alice", "2026-11-23T10:00:00Z", "replaced"});
    const LockTable back = LockTable::from_json_text(table.to_json_text());
    BOOST_TEST(back.size() == 3u);
    BOOST_TEST(back.find("a.mcam")->message == "replaced");
    BOOST_REQUIRE(back.find(odd));
    BOOST_TEST(back.find(odd)->message == "line\nbreak\ttab \\ slash");
    BOOST_TEST(LockTable::from_json_text(LockTable{}.to_json_text()).size() == 0u);
    BOOST_REQUIRE(back.find("dir/b.mcam"));
    BOOST_TEST(back.find("dir/b.mcam")->message == "two \"quoted\" ünïcode");
    BOOST_TEST(back.records(std::string("alice")).size() == 1u);
    table.erase("a.mcam");
    BOOST_TEST(LockTable::from_json_text(table.to_json_text()).size() == 2u);
}

BOOST_AUTO_TEST_CASE(syntax_error_names_line_and_column) {
    const std::string text = "{\n  \"a.mcam\": {\"user\": \"alice\",\n  oops\n}";
    try {
        LockTable::from_json_text(text);
        BOOST_FAIL("no error");
    } catch (const LockFileFormatError& error) {
        BOOST_TEST(error.line() == 3u);
        BOOST_TEST(error.column() == 3u);
    }
}

BOOST_AUTO_TEST_CASE(truncated_file_is_an_error_not_an_empty_table) {
    BOOST_CHECK_THROW(LockTable::from_json_text(""), LockFileFormatError);
    BOOST_CHECK_THROW(LockTable::from_json_text("{\"a.mcam\": {\"user\": \"al"), LockFileFormatError);
}

BOOST_AUTO_TEST_CASE(a_number_too_large_for_a_double_is_a_format_error) {
    // Found by fuzzing (tests/fuzz/lock_table_fuzz.cpp).
    BOOST_CHECK_THROW(pdm::LockTable::from_json_text("[11112e7777777777777777]"), pdm::LockFileFormatError);
}

BOOST_AUTO_TEST_CASE(wrong_shapes_are_errors) {
    const char* bad[] = {
        "[]",
        "{\"a.mcam\": 5}",
        "{\"a.mcam\": {\"user\": \"alice\", \"timestamp\": \"t\"}}",
        "{\"a.mcam\": {\"user\": 7, \"timestamp\": \"t\", \"message\": \"m\"}}",
        "{\"../x\": {\"user\": \"a\", \"timestamp\": \"t\", \"message\": \"m\"}}",
    };
    for (const char* text : bad) {
        BOOST_TEST_CONTEXT(text) { BOOST_CHECK_THROW(LockTable::from_json_text(text), LockFileFormatError); }
    }
}

BOOST_AUTO_TEST_CASE(a_lock_on_a_path_no_client_can_name_can_be_set_aside_instead) {
    const std::string text =
        "{\"a.mcam\": {\"user\": \"a\", \"timestamp\": \"t\", \"message\": \"m\"},"
        " \"p\\u0001/b.mcam\": {\"user\": \"b\", \"timestamp\": \"t\", \"message\": \"m\"}}";
    nlohmann::json unusable = nlohmann::json::object();
    const LockTable table = LockTable::from_json_text(text, &unusable);
    BOOST_TEST(table.size() == 1u);
    BOOST_TEST(unusable.size() == 1u);
    BOOST_TEST(unusable["p\x01/b.mcam"]["user"] == "b");
    // Named escaped in the error, never raw.
    BOOST_CHECK_EXCEPTION(LockTable::from_json_text(text), LockFileFormatError, [](const LockFileFormatError& error) {
        return std::string(error.what()).find("\\u0001") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(records_below_a_folder_are_only_its_own) {
    LockTable table;
    for (const char* path : {"parts/a", "parts/sub/b", "parts-old/c", "partsx", "other/d"}) table.insert(path, {"u", "t", ""});
    std::vector<std::string> paths;
    for (const auto& record : table.records_below("parts")) paths.push_back(record.path);
    BOOST_TEST(paths == (std::vector<std::string>{"parts/a", "parts/sub/b"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

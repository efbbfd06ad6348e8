// SPDX-License-Identifier: Apache-2.0
#include "daemon/file_list_json.hpp"

#include <boost/test/unit_test.hpp>

#include "daemon/op_json.hpp"

using pdm::FileEntry;
using pdm::Lock;

namespace {

std::string as_the_library_writes_it(const std::vector<FileEntry>& entries) {
    nlohmann::json files = nlohmann::json::array();
    for (const FileEntry& entry : entries) files.push_back(pdm::daemon::file_json(entry));
    return nlohmann::json{{"files", files}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

FileEntry file(std::string path, std::uint64_t size, std::optional<Lock> lock = std::nullopt, bool missing = false) {
    FileEntry entry;
    entry.file.path = std::move(path);
    entry.file.size = size;
    entry.file.mtime = pdm::TimePoint(std::chrono::seconds(1764670000));
    entry.lock = std::move(lock);
    entry.missing = missing;
    return entry;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_list_json)

BOOST_AUTO_TEST_CASE(is_byte_for_byte_what_the_json_library_writes) {
    const Lock plain{"alice", "2026-12-02T09:00:00Z", "new fixture"};
    const Lock awkward{"bob", "2026-12-02T09:01:00Z", "quote \" backslash \\ newline \n tab \t bell \x07 é ✓"};
    const std::vector<FileEntry> entries = {
        file("a.mcam", 0),
        file("parts/PN1001.mcam", 18446744073709551615u, plain),
        file("parts/\"quoted\" name.mcam", 12, awkward),
        file("pièces/ü.mcam", 99),
        file("gone/x.mcam", 0, plain, true),
        file("bad-\xff-utf8.mcam", 1),  // never normalised so, but replaced as the library would
    };
    BOOST_TEST(pdm::daemon::file_list_json(entries) == as_the_library_writes_it(entries));
}

BOOST_AUTO_TEST_CASE(an_empty_list_is_an_empty_array) {
    BOOST_TEST(pdm::daemon::file_list_json({}) == "{\"files\":[]}");
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "core/audit_log.hpp"
#include "tests/support/temp_dir.hpp"

using nlohmann::json;
using pdm::AuditLog;
using pdm::AuditQuery;
using pdm::test::TempDir;

namespace {

json entry(int n, const std::string& user, const std::string& path) {
    return {{"time", "t"}, {"user", user}, {"op", "checkout"}, {"paths", {path}}, {"n", n}, {"outcome", "ok"}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_log)

BOOST_AUTO_TEST_CASE(returns_newest_first_with_filters_and_limit) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    AuditLog log(state);
    for (int n = 0; n < 10; ++n) log.append(entry(n, n % 2 ? "bob" : "alice", "f" + std::to_string(n % 3)));
    const auto all = log.query({});
    BOOST_REQUIRE(all.size() == 10u);
    BOOST_TEST(all.front()["n"] == 9);
    BOOST_TEST(all.back()["n"] == 0);

    const auto bobs = log.query({std::nullopt, std::string("bob"), 2});
    BOOST_REQUIRE(bobs.size() == 2u);
    BOOST_TEST(bobs[0]["n"] == 9);
    BOOST_TEST(bobs[1]["n"] == 7);

    const auto f0 = log.query({std::string("f0"), std::nullopt, 100});
    BOOST_TEST(f0.size() == 4u);  // 0, 3, 6, 9
}

BOOST_AUTO_TEST_CASE(reads_backwards_across_many_chunks) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    AuditLog log(state);
    const std::string padding(500, 'x');  // 3,000 entries of ~600 bytes: many 64 KiB chunks
    for (int n = 0; n < 3000; ++n) {
        json e = entry(n, "alice", "f");
        e["message"] = padding;
        log.append(e);
    }
    const auto all = log.query({std::nullopt, std::nullopt, 10000});
    BOOST_REQUIRE(all.size() == 3000u);
    for (int n = 0; n < 3000; ++n) BOOST_REQUIRE(all[static_cast<std::size_t>(n)]["n"] == 2999 - n);
}

BOOST_AUTO_TEST_CASE(torn_last_line_is_skipped_and_the_next_entry_starts_clean) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    {
        AuditLog log(state);
        log.append(entry(1, "alice", "f"));
    }
    std::ofstream(dir / "audit.jsonl", std::ios::app) << "{\"time\": \"t\", \"us";  // crash mid-append
    AuditLog log(state);
    log.append(entry(2, "alice", "f"));
    const auto all = log.query({});
    BOOST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0]["n"] == 2);
    BOOST_TEST(all[1]["n"] == 1);
}

BOOST_AUTO_TEST_CASE(queries_can_stop_at_an_offset) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    AuditLog log(state);
    log.append(entry(1, "alice", "f"));
    const auto size = std::filesystem::file_size(dir / "audit.jsonl");
    log.append(entry(2, "alice", "f"));
    const auto entries = log.query({}, size);
    BOOST_REQUIRE(entries.size() == 1u);
    BOOST_TEST(entries[0]["n"] == 1);
}

BOOST_AUTO_TEST_CASE(a_rotated_log_is_still_queried_and_the_oldest_file_goes) {
    TempDir dir;
    const pdm::StateDir state(dir.path());
    AuditLog log(state, "audit.jsonl", pdm::AuditRotation{300, 2});
    int n = 0;
    const auto write_until_rotated = [&] {
        do {
            log.append(entry(n++, "alice", "a.mcam"));
        } while (!log.rotate_if_needed());
    };
    write_until_rotated();
    const int first_rotation = n;
    {
        const auto snapshot = log.snapshot(0);  // a query under way while rotation goes on (the live file empty)
        write_until_rotated();
        BOOST_TEST(snapshot.query({std::nullopt, std::nullopt, 1000}).size() == static_cast<std::size_t>(first_rotation));
    }
    BOOST_TEST(std::filesystem::exists(dir / "audit.jsonl.1"));
    BOOST_TEST(std::filesystem::exists(dir / "audit.jsonl.2"));
    log.append(entry(n++, "alice", "a.mcam"));
    auto all = log.query({std::nullopt, std::nullopt, 1000});
    BOOST_TEST(all.size() == static_cast<std::size_t>(n));  // across the live file and both rotated ones
    BOOST_TEST(all.front()["n"] == n - 1);
    BOOST_TEST(all.back()["n"] == 0);
    // A third rotation: the oldest file (the first n entries) is gone.
    write_until_rotated();
    all = log.query({std::nullopt, std::nullopt, 1000});
    BOOST_TEST(all.back()["n"] == first_rotation);
    BOOST_TEST(!std::filesystem::exists(dir / "audit.jsonl.3"));
    // Reopened, it finds its rotated files again.
    const AuditLog reopened(state, "audit.jsonl", pdm::AuditRotation{300, 2});
    BOOST_TEST(reopened.query({std::nullopt, std::nullopt, 1000}).size() == all.size());
}

BOOST_AUTO_TEST_SUITE_END()

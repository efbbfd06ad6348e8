// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "core/checksum.hpp"
#include "core/lock_journal.hpp"
#include "core/lock_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::JournalRecord;
using pdm::Lock;
using pdm::LockJournal;
using pdm::test::TempDir;

namespace {

JournalRecord sample(const std::string& tag) {
    JournalRecord record;
    const Lock lock{"alice", "2026-12-02T10:00:00Z", "deeper pocket " + tag};
    record.locks.emplace_back("parts/a" + tag + ".mcam", lock);
    record.locks.emplace_back("parts/b" + tag + ".mcam", lock);
    record.locks.emplace_back("c" + tag + ".mcam", std::nullopt);
    record.audit_at = 1234;
    record.audit_lines = "{\"op\":\"checkout\",\"tag\":\"" + tag + "\"}\n";
    return record;
}

struct JournalFixture {
    TempDir dir;
    pdm::StateDir state{dir / "state"};
    fs::path file() const { return dir / "state/locks.journal"; }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(lock_journal, JournalFixture)

BOOST_AUTO_TEST_CASE(crc32c_matches_the_published_check_value) {
    BOOST_TEST(pdm::crc32c("123456789") == 0xE3069283u);  // RFC 3720's check value
    BOOST_TEST(pdm::crc32c("") == 0u);
}

BOOST_AUTO_TEST_CASE(a_record_survives_encoding_and_locks_taken_together_share_their_message) {
    const JournalRecord record = sample("1");
    const std::string line = pdm::encode_journal_record(record);
    BOOST_TEST(line.back() == '\n');
    BOOST_TEST(line.find("deeper pocket 1") == line.rfind("deeper pocket 1"));  // written once
    const auto decoded = pdm::decode_journal_record(std::string_view(line).substr(0, line.size() - 1));
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST((*decoded == record));
}

BOOST_AUTO_TEST_CASE(a_changed_byte_or_a_path_no_client_could_name_is_not_a_record) {
    std::string line = pdm::encode_journal_record(sample("1"));
    line.pop_back();
    std::string flipped = line;
    flipped[20] ^= 1;
    BOOST_TEST(!pdm::decode_journal_record(flipped).has_value());
    BOOST_TEST(!pdm::decode_journal_record(line.substr(0, line.size() - 1)).has_value());
    BOOST_TEST(!pdm::decode_journal_record("").has_value());
    JournalRecord hostile;
    hostile.locks.emplace_back("../etc/passwd", Lock{"mallory", "t", "m"});
    const std::string bad = pdm::encode_journal_record(hostile);
    BOOST_TEST(!pdm::decode_journal_record(std::string_view(bad).substr(0, bad.size() - 1)).has_value());
}

BOOST_AUTO_TEST_CASE(records_appended_are_read_back_in_order_after_a_reopen) {
    {
        LockJournal journal(state);
        BOOST_TEST(journal.empty());
        journal.append(sample("1"));
        journal.append(sample("2"));
    }
    LockJournal journal(state);
    BOOST_REQUIRE(journal.recovered().size() == 2u);
    BOOST_TEST((journal.recovered()[1] == sample("2")));
    BOOST_TEST(journal.torn_bytes() == 0u);
    journal.clear();
    BOOST_TEST(journal.empty());
    BOOST_TEST(journal.recovered().empty());
    BOOST_TEST(LockJournal(state).recovered().empty());
}

BOOST_AUTO_TEST_CASE(a_record_torn_by_a_crash_is_cut_off_and_the_journal_goes_on_after_the_last_whole_one) {
    const std::string first = pdm::encode_journal_record(sample("1"));
    const std::string second = pdm::encode_journal_record(sample("2"));
    // (A record lacking only its newline is whole: its checksum matches.)
    for (const std::size_t kept : {std::size_t{1}, second.size() / 2, second.size() - 2}) {
        dir.write("state/locks.journal", first + second.substr(0, kept));
        LockJournal journal(state);
        BOOST_TEST(journal.recovered().size() == 1u);
        BOOST_TEST(journal.torn_bytes() > 0u);
        BOOST_TEST(fs::file_size(file()) == first.size());
        journal.append(sample("3"));
        BOOST_TEST(LockJournal(state).recovered().size() == 2u);
    }
}

BOOST_AUTO_TEST_CASE(a_damaged_record_with_whole_ones_after_it_refuses_to_open_and_is_left_as_it_was) {
    std::string second = pdm::encode_journal_record(sample("2"));
    second[30] ^= 1;
    const std::string text =
        pdm::encode_journal_record(sample("1")) + second + pdm::encode_journal_record(sample("3"));
    dir.write("state/locks.journal", text);
    BOOST_CHECK_EXCEPTION(LockJournal{state}, pdm::LockFileError, [](const pdm::LockFileError& error) {
        return error.line() == 2u && std::string(error.what()).find("damaged") != std::string::npos;
    });
    BOOST_TEST(pdm::test::read_text(file()) == text);
}

BOOST_AUTO_TEST_CASE(a_whole_line_that_does_not_check_at_the_end_is_damage_not_a_torn_record) {
    const std::string text = pdm::encode_journal_record(sample("1")) + "0badc0de {\"taken\":[]}\n";
    dir.write("state/locks.journal", text);
    BOOST_CHECK_THROW(LockJournal{state}, pdm::LockFileError);
    BOOST_TEST(pdm::test::read_text(file()) == text);
}

BOOST_AUTO_TEST_CASE(recovery_keeps_the_records_before_the_damage_and_moves_the_journal_aside) {
    std::string second = pdm::encode_journal_record(sample("2"));
    second[30] ^= 1;
    const std::string text =
        pdm::encode_journal_record(sample("1")) + second + pdm::encode_journal_record(sample("3"));
    dir.write("state/locks.journal", text);
    LockJournal journal(state, "locks.journal", std::string("locks.journal.broken-now"));
    BOOST_REQUIRE(journal.recovered().size() == 1u);
    BOOST_TEST((journal.recovered()[0] == sample("1")));
    BOOST_REQUIRE(journal.moved_aside().has_value());
    BOOST_TEST(pdm::test::read_text(*journal.moved_aside()) == text);
    BOOST_TEST(journal.empty());
    journal.append(sample("4"));
    BOOST_TEST(LockJournal(state).recovered().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_journal_at_its_limit_refuses_the_next_record_whole) {
    const std::string line = pdm::encode_journal_record(sample("1"));
    LockJournal journal(state, "locks.journal", std::nullopt, line.size() * 2);
    journal.append(sample("1"));
    journal.append(sample("1"));
    BOOST_CHECK_THROW(journal.append(sample("1")), std::system_error);
    BOOST_TEST(fs::file_size(file()) == line.size() * 2);
    journal.clear();
    BOOST_CHECK_NO_THROW(journal.append(sample("1")));
}

BOOST_AUTO_TEST_CASE(a_record_applies_its_locks_and_releases_to_a_table) {
    pdm::LockTable table;
    table.insert("c1.mcam", Lock{"bob", "t", "m"});
    table.insert("kept.mcam", Lock{"bob", "t", "m"});
    sample("1").apply_to(table);
    BOOST_TEST(table.size() == 3u);
    BOOST_TEST(table.find("parts/a1.mcam")->user == "alice");
    BOOST_TEST(table.find("c1.mcam") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/error.hpp"
#include "core/file_service.hpp"
#include "tests/support/temp_dir.hpp"
#ifndef _WIN32
#include "tests/support/file_size_limit.hpp"
#endif

namespace fs = std::filesystem;
using pdm::ErrorCode;
using pdm::PdmError;
using pdm::test::TempDir;

namespace {

class FixedClock final : public pdm::Clock {
public:
    pdm::TimePoint now() const override { return pdm::TimePoint(std::chrono::seconds(1795428000)); }
};

// A repository with three files and a service over it, as the daemon builds it.
struct ServiceFixture {
    TempDir dir;
    FixedClock clock;
    pdm::Repository repository;
    pdm::StateDir state;
    pdm::LockStore store;
    pdm::LockJournal journal;
    pdm::AuditLog audit;
    pdm::FileService service;
    pdm::Identity alice{"alice", false};
    pdm::Identity bob{"bob", false};
    pdm::Identity admin{"root", true};

    ServiceFixture()
        : repository(make_repo(dir), dir / "repo/.pdm", {}),
          state(dir / "repo/.pdm"),
          store(state),
          journal(state),
          audit(state),
          service(repository, files(), pdm::LockTable{}, clock) {}

    pdm::CommitFiles files() { return {journal, store, audit}; }
    // What a restart would load: locks.json with the journal replayed over it.
    pdm::LockTable reloaded() {
        pdm::LockTable table = store.load();
        const pdm::LockJournal on_disk(state);
        for (const pdm::JournalRecord& record : on_disk.recovered()) record.apply_to(table);
        return table;
    }

    static fs::path make_repo(const TempDir& dir) {
        dir.write("repo/a.mcam");
        dir.write("repo/b.mcam");
        dir.write("repo/parts/c.mcam");
        return dir / "repo";
    }
};

pdm::CommitResult failed(const std::string& why) {
    pdm::CommitResult result;
    result.failure = why;
    return result;
}

auto code_is(ErrorCode code) {
    return [code](const PdmError& error) { return error.code() == code; };
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(file_service, ServiceFixture)

BOOST_AUTO_TEST_CASE(changes_reach_the_disk_only_on_commit) {
    service.checkout(alice, {"a.mcam"}, "fixing");
    BOOST_TEST(service.has_uncommitted());
    BOOST_TEST(reloaded().size() == 0u);
    BOOST_TEST(audit.query({}).empty());
    BOOST_TEST(service.audit({}).size() == 1u);  // queries see entries not yet on disk
    BOOST_TEST(!service.commit().has_value());
    BOOST_TEST(!service.has_uncommitted());
    BOOST_TEST(store.load().size() == 1u);
    BOOST_TEST(audit.query({}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_commit_appends_to_the_journal_and_a_checkpoint_writes_locks_json) {
    service.checkout(alice, {"a.mcam", "b.mcam"}, "fixing");
    pdm::CommitBatch batch = service.begin_commit();
    BOOST_TEST(!batch.checkpoint_text.has_value());
    const pdm::CommitResult result = pdm::write_commit(batch, files());
    BOOST_TEST(!result.failure.has_value());
    BOOST_TEST(!result.checkpointed);
    service.finish_commit(result);
    // Durable in the journal, not yet in locks.json.
    BOOST_TEST(store.load().size() == 0u);
    BOOST_TEST(reloaded().size() == 2u);
    BOOST_TEST(service.needs_checkpoint());
    // A checkpoint with nothing new still writes the table and empties the journal.
    service.request_checkpoint();
    batch = service.begin_commit();
    BOOST_REQUIRE(batch.checkpoint_text.has_value());
    BOOST_TEST(batch.record.empty());
    service.finish_commit(pdm::write_commit(batch, files()));
    BOOST_TEST(!service.needs_checkpoint());
    BOOST_TEST(store.load().size() == 2u);
    BOOST_TEST(journal.empty());
    BOOST_TEST(audit.query({}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(replaying_the_journal_twice_changes_nothing) {
    service.checkout(alice, {"a.mcam", "b.mcam"}, "fixing");
    pdm::CommitBatch batch = service.begin_commit();
    service.finish_commit(pdm::write_commit(batch, files()));
    service.unlock(alice, {"b.mcam"}, false);
    batch = service.begin_commit();
    service.finish_commit(pdm::write_commit(batch, files()));
    const std::string audit_before = pdm::test::read_text(dir / "repo/.pdm/audit.jsonl");
    // A crash after locks.json was written but before the journal was emptied.
    store.save(reloaded());
    pdm::LockJournal reopened(state);
    pdm::LockTable table = store.load();
    const pdm::JournalReplay replay = pdm::replay_journal(table, {reopened, store, audit});
    BOOST_TEST(replay.records == 2u);
    BOOST_TEST(table.size() == 1u);
    BOOST_TEST(table.find("a.mcam")->message == "fixing");
    BOOST_TEST(pdm::test::read_text(dir / "repo/.pdm/audit.jsonl") == audit_before);
    BOOST_TEST(reopened.empty());
    BOOST_TEST(store.load().size() == 1u);
}

BOOST_AUTO_TEST_CASE(replay_puts_back_audit_lines_a_crash_kept_from_the_disk) {
    service.checkout(alice, {"a.mcam"}, "one");
    service.checkout(bob, {"b.mcam"}, "two");
    pdm::CommitBatch batch = service.begin_commit();
    service.finish_commit(pdm::write_commit(batch, files()));
    const std::string audit_before = pdm::test::read_text(dir / "repo/.pdm/audit.jsonl");
    // The page cache lost the unflushed audit lines; the second one is torn.
    dir.write("repo/.pdm/audit.jsonl", audit_before.substr(0, audit_before.find('\n') + 10));
    pdm::LockJournal reopened(state);
    pdm::AuditLog reopened_audit(state);
    pdm::LockTable table = store.load();
    pdm::replay_journal(table, {reopened, store, reopened_audit});
    BOOST_TEST(pdm::test::read_text(dir / "repo/.pdm/audit.jsonl") == audit_before);
    BOOST_TEST(table.size() == 2u);
}

BOOST_AUTO_TEST_CASE(replay_writes_the_lines_of_every_record_again_from_where_the_first_began) {
    for (const char* message : {"one", "two", "three"}) {
        service.checkout(alice, {"a.mcam"}, message);
        service.unlock(alice, {"a.mcam"}, false);
        pdm::CommitBatch batch = service.begin_commit();
        service.finish_commit(pdm::write_commit(batch, files()));
    }
    const std::string audit_before = pdm::test::read_text(dir / "repo/.pdm/audit.jsonl");
    // Torn in the second record's lines, with garbage where the rest was.
    const std::size_t cut = audit_before.find("two") + 2;
    dir.write("repo/.pdm/audit.jsonl", audit_before.substr(0, cut) + std::string(7, '\0'));
    pdm::LockJournal reopened(state);
    pdm::AuditLog reopened_audit(state);
    pdm::LockTable table = store.load();
    BOOST_TEST(pdm::replay_journal(table, {reopened, store, reopened_audit}).records == 3u);
    BOOST_TEST(pdm::test::read_text(dir / "repo/.pdm/audit.jsonl") == audit_before);
    BOOST_TEST(reopened_audit.query({}).size() == 6u);
}

BOOST_AUTO_TEST_CASE(changes_made_while_a_commit_is_written_go_into_the_next_one) {
    service.checkout(alice, {"a.mcam"}, "");
    pdm::CommitBatch first = service.begin_commit();
    service.checkout(bob, {"b.mcam"}, "");
    const pdm::CommitResult result = pdm::write_commit(first, files());
    BOOST_TEST(!result.failure.has_value());
    service.finish_commit(result);
    BOOST_TEST(service.has_uncommitted());
    BOOST_TEST(reloaded().size() == 1u);
    BOOST_TEST(!service.commit().has_value());
    BOOST_TEST(store.load().size() == 2u);
    BOOST_TEST(!service.has_uncommitted());
}

BOOST_AUTO_TEST_CASE(audit_queries_show_each_entry_once_while_its_commit_is_written) {
    service.checkout(alice, {"a.mcam"}, "");
    pdm::CommitBatch batch = service.begin_commit();
    const pdm::CommitResult result = pdm::write_commit(batch, files());  // on disk, not yet settled
    BOOST_TEST(!result.failure.has_value());
    BOOST_TEST(service.audit({}).size() == 1u);
    service.finish_commit(result);
    BOOST_TEST(service.audit({}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_commit_also_undoes_changes_made_while_it_was_written) {
    service.checkout(alice, {"a.mcam"}, "");
    service.begin_commit();
    service.checkout(bob, {"b.mcam"}, "");
    service.finish_commit(failed("disk full"));
    BOOST_TEST(service.lock_count() == 0u);
    BOOST_TEST(!service.has_uncommitted());
}

BOOST_AUTO_TEST_CASE(checkout_locks_and_commit_saves) {
    const auto taken = service.checkout(alice, {"parts/./c.mcam"}, "fixing");
    BOOST_REQUIRE(!service.commit().has_value());
    BOOST_REQUIRE(taken.size() == 1u);
    BOOST_TEST(taken[0].path == "parts/c.mcam");
    BOOST_TEST(taken[0].lock.user == "alice");
    BOOST_TEST(taken[0].lock.timestamp == "2026-11-23T10:00:00Z");
    const pdm::LockTable on_disk = store.load();
    BOOST_REQUIRE(on_disk.find("parts/c.mcam"));
    BOOST_TEST(on_disk.find("parts/c.mcam")->message == "fixing");
}

BOOST_AUTO_TEST_CASE(checkout_of_a_locked_file_is_a_conflict_naming_the_holder_even_for_the_holder) {
    service.checkout(alice, {"a.mcam"}, "");
    for (const auto& who : {bob, alice}) {
        BOOST_CHECK_EXCEPTION(service.checkout(who, {"a.mcam"}, ""), PdmError, [](const PdmError& e) {
            return e.code() == ErrorCode::conflict && e.details()["locked_by"] == "alice" &&
                   e.details()["since"] == "2026-11-23T10:00:00Z";
        });
    }
}

BOOST_AUTO_TEST_CASE(checkout_of_several_paths_is_all_or_nothing) {
    service.checkout(bob, {"b.mcam"}, "");
    BOOST_CHECK_EXCEPTION(service.checkout(alice, {"a.mcam", "b.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    BOOST_CHECK_EXCEPTION(service.checkout(alice, {"a.mcam", "missing.mcam"}, ""), PdmError,
                          code_is(ErrorCode::not_found));
    BOOST_CHECK_EXCEPTION(service.checkout(alice, {"a.mcam", "../x"}, ""), PdmError,
                          code_is(ErrorCode::invalid_path));
    BOOST_CHECK_EXCEPTION(service.checkout(alice, {"a.mcam", "./a.mcam"}, ""), PdmError,
                          code_is(ErrorCode::bad_request));
    BOOST_TEST(service.locks(std::string("alice")).empty());
    service.commit();
    BOOST_TEST(store.load().size() == 1u);
    BOOST_TEST(service.checkout(alice, {"a.mcam", "parts/c.mcam"}, "").size() == 2u);
}

BOOST_AUTO_TEST_CASE(only_the_owner_checks_in) {
    service.checkout(alice, {"a.mcam"}, "");
    BOOST_CHECK_EXCEPTION(service.checkin(bob, {"a.mcam"}, ""), PdmError, code_is(ErrorCode::forbidden));
    BOOST_CHECK_EXCEPTION(service.checkin(admin, {"a.mcam"}, ""), PdmError, code_is(ErrorCode::forbidden));
    BOOST_CHECK_EXCEPTION(service.checkin(alice, {"b.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    const auto released = service.checkin(alice, {"a.mcam"}, "done");
    BOOST_TEST(released.size() == 1u);
    BOOST_TEST(!released[0].broken);
    service.commit();
    BOOST_TEST(store.load().size() == 0u);
}

BOOST_AUTO_TEST_CASE(checkin_releases_the_lock_of_a_file_deleted_meanwhile) {
    service.checkout(alice, {"a.mcam"}, "");
    fs::remove(dir / "repo/a.mcam");
    BOOST_TEST(service.checkin(alice, {"a.mcam"}, "").size() == 1u);
}

BOOST_AUTO_TEST_CASE(unlock_needs_ownership_or_an_admin_with_force) {
    service.checkout(alice, {"a.mcam"}, "");
    BOOST_CHECK_EXCEPTION(service.unlock(bob, {"a.mcam"}, false), PdmError, code_is(ErrorCode::forbidden));
    BOOST_CHECK_EXCEPTION(service.unlock(bob, {"a.mcam"}, true), PdmError, code_is(ErrorCode::forbidden));
    BOOST_CHECK_EXCEPTION(service.unlock(admin, {"a.mcam"}, false), PdmError, code_is(ErrorCode::forbidden));
    const auto released = service.unlock(admin, {"a.mcam"}, true);
    BOOST_REQUIRE(released.size() == 1u);
    BOOST_TEST(released[0].broken);
    BOOST_TEST(released[0].record.lock.user == "alice");

    service.checkout(alice, {"b.mcam"}, "");
    BOOST_TEST(!service.unlock(alice, {"b.mcam"}, false).at(0).broken);
}

BOOST_AUTO_TEST_CASE(every_mutation_is_audited_with_its_outcome) {
    service.checkout(alice, {"a.mcam"}, "why");
    BOOST_CHECK_THROW(service.checkout(bob, {"a.mcam"}, "mine"), PdmError);
    service.unlock(admin, {"a.mcam"}, true);
    service.commit();
    const auto entries = service.audit({});
    BOOST_REQUIRE(entries.size() == 3u);
    BOOST_TEST(entries[0]["op"] == "unlock");
    BOOST_TEST(entries[0]["force"] == true);
    BOOST_TEST(entries[0]["broken_locks"][0]["owner"] == "alice");
    BOOST_TEST(entries[1]["user"] == "bob");
    BOOST_TEST(entries[1]["outcome"] == "conflict");
    BOOST_TEST(entries[2]["outcome"] == "ok");
    BOOST_TEST(entries[2]["message"] == "why");
    BOOST_TEST(entries[2]["paths"][0] == "a.mcam");
}

BOOST_AUTO_TEST_CASE(list_filters_by_status_user_and_pattern) {
    service.checkout(alice, {"a.mcam"}, "");
    service.checkout(bob, {"parts/c.mcam"}, "");
    pdm::ListFilter filter;
    BOOST_TEST(service.list(filter).size() == 3u);
    filter.status = pdm::LockStatus::available;
    BOOST_TEST(service.list(filter).size() == 1u);
    filter.status = pdm::LockStatus::checked_out;
    BOOST_TEST(service.list(filter).size() == 2u);
    filter.user = "bob";
    BOOST_TEST(service.list(filter).at(0).file.path == "parts/c.mcam");
    filter = {};
    filter.match = "parts/*";
    BOOST_TEST(service.list(filter).size() == 1u);
}

BOOST_AUTO_TEST_CASE(info_reports_missing_files) {
    BOOST_CHECK_EXCEPTION(service.info("nope.mcam"), PdmError, code_is(ErrorCode::not_found));
    BOOST_TEST(!service.info("a.mcam").lock.has_value());
}

BOOST_AUTO_TEST_CASE(locks_follow_a_renamed_file_or_folder_and_the_move_is_undone_with_its_commit) {
    service.checkout(alice, {"a.mcam", "parts/c.mcam"}, "editing");
    BOOST_REQUIRE(!service.commit());
    fs::rename(dir / "repo/a.mcam", dir / "repo/z.mcam");
    const auto moved = service.follow_move("a.mcam", "z.mcam");
    BOOST_REQUIRE(moved.size() == 1u);
    BOOST_TEST(moved[0].from == "a.mcam");
    BOOST_TEST(moved[0].record.lock.message == "editing");
    BOOST_TEST(!service.is_locked("a.mcam"));
    BOOST_TEST(service.find_lock("z.mcam")->user == "alice");
    // A folder: every lock below it.
    fs::rename(dir / "repo/parts", dir / "repo/assy");
    BOOST_TEST(service.follow_move("parts", "assy").size() == 1u);
    BOOST_TEST(service.is_locked("assy/c.mcam"));
    // A failed commit takes the moves back.
    service.begin_commit();
    service.finish_commit(failed("disk full"));
    BOOST_TEST(service.is_locked("a.mcam"));
    BOOST_TEST(service.is_locked("parts/c.mcam"));
    BOOST_TEST(!service.is_locked("z.mcam"));
}

BOOST_AUTO_TEST_CASE(a_checked_out_file_renamed_away_and_replaced_within_the_settle_time_keeps_its_lock) {
    service.checkout(alice, {"a.mcam"}, "editing");
    const auto t0 = std::chrono::steady_clock::now();
    const auto due = t0 + std::chrono::milliseconds(300);
    // The way CAD programs save: NAME -> backup, temp -> NAME.
    fs::rename(dir / "repo/a.mcam", dir / "repo/a-backup.mcam");
    BOOST_TEST(service.note_move("a.mcam", "a-backup.mcam", due).empty());
    // Until it is decided, nobody may take the backup name the lock might go to.
    BOOST_CHECK_EXCEPTION(service.checkout(bob, {"a-backup.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    dir.write("repo/a.mcam.tmp", "new");
    fs::rename(dir / "repo/a.mcam.tmp", dir / "repo/a.mcam");
    BOOST_TEST(service.note_move("a.mcam.tmp", "a.mcam", due).empty());
    BOOST_TEST((service.next_move_due() == due));
    BOOST_TEST(service.settle_moves(t0).empty());  // not yet due: nothing decided
    BOOST_TEST(service.settle_moves(due).empty());
    BOOST_TEST(!service.next_move_due());
    BOOST_TEST(service.find_lock("a.mcam")->user == "alice");
    BOOST_TEST(!service.is_locked("a-backup.mcam"));
    BOOST_TEST(service.checkout(bob, {"a-backup.mcam"}, "").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_renamed_checked_out_file_whose_name_stays_empty_takes_its_lock_along_renames) {
    service.checkout(alice, {"a.mcam"}, "editing");
    const auto due = std::chrono::steady_clock::now();
    fs::rename(dir / "repo/a.mcam", dir / "repo/step.mcam");
    service.note_move("a.mcam", "step.mcam", due);
    // The owner cannot check in a file that is between names.
    BOOST_CHECK_EXCEPTION(service.checkin(alice, {"a.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    fs::rename(dir / "repo/step.mcam", dir / "repo/parts/final.mcam");
    service.note_move("step.mcam", "parts/final.mcam", due);
    const auto moved = service.settle_moves(due);
    BOOST_REQUIRE(moved.size() == 1u);
    BOOST_TEST(moved[0].from == "a.mcam");
    BOOST_TEST(moved[0].record.path == "parts/final.mcam");
    BOOST_TEST(service.find_lock("parts/final.mcam")->message == "editing");
}

BOOST_AUTO_TEST_CASE(a_renamed_checked_out_file_that_was_then_deleted_keeps_its_lock_as_missing) {
    service.checkout(alice, {"a.mcam"}, "");
    const auto due = std::chrono::steady_clock::now();
    fs::rename(dir / "repo/a.mcam", dir / "repo/z.mcam");
    service.note_move("a.mcam", "z.mcam", due);
    fs::remove(dir / "repo/z.mcam");
    BOOST_TEST(service.settle_moves(due).empty());
    BOOST_TEST(service.is_locked("a.mcam"));
    BOOST_TEST(service.is_missing("a.mcam"));
}

#ifndef _WIN32  // Windows itself refuses such names
BOOST_AUTO_TEST_CASE(a_lock_never_follows_its_file_to_a_name_no_client_could_give) {
    service.checkout(alice, {"parts/c.mcam"}, "");
    for (const std::string name : {"parts\x01", "parts\\2"}) {
        fs::rename(dir / "repo/parts", dir / "repo" / name);
        BOOST_TEST(service.note_move("parts", name, std::chrono::steady_clock::now()).empty());
        BOOST_TEST(service.is_locked("parts/c.mcam"));
        fs::rename(dir / "repo" / name, dir / "repo/parts");
    }
}
#endif

#ifdef _WIN32
// Windows: case does not tell files apart, so neither may it tell locks apart.
BOOST_AUTO_TEST_CASE(a_file_named_in_another_case_is_the_same_file_and_the_same_lock) {
    const auto taken = service.checkout(alice, {"PARTS/C.MCAM"}, "");
    BOOST_TEST(taken.at(0).path == "parts/c.mcam");
    BOOST_CHECK_EXCEPTION(service.checkout(bob, {"parts/c.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    BOOST_CHECK_EXCEPTION(service.checkout(bob, {"Parts/C.mcam"}, ""), PdmError, code_is(ErrorCode::conflict));
    BOOST_TEST(service.info("parts/C.MCAM").lock.has_value());
}

BOOST_AUTO_TEST_CASE(names_windows_reads_as_another_file_are_refused) {
    for (const std::string name : {"a.mcam:stream", "a.mcam.", "a.mcam ", "NUL.mcam", "parts/com1", "a?.mcam"})
        BOOST_CHECK_EXCEPTION(service.checkout(alice, {name}, ""), PdmError, code_is(ErrorCode::invalid_path));
    BOOST_TEST(!service.is_locked("a.mcam"));
}
#endif

BOOST_AUTO_TEST_CASE(a_file_being_restored_keeps_its_lock_until_the_write_is_done) {
    service.checkout(alice, {"a.mcam"}, "");
    BOOST_CHECK_EXCEPTION(service.begin_working_write(bob, pdm::AuditOp::restore, {"a.mcam"}), PdmError,
                          code_is(ErrorCode::forbidden));
    BOOST_CHECK_EXCEPTION(service.begin_working_write(alice, pdm::AuditOp::restore, {"b.mcam"}), PdmError,
                          code_is(ErrorCode::conflict));
    {
        const auto writing = service.begin_working_write(alice, pdm::AuditOp::restore, {"./a.mcam"});
        BOOST_TEST(writing.paths == std::vector<std::string>{"a.mcam"});
        BOOST_CHECK_EXCEPTION(service.unlock(alice, {"a.mcam"}, false), PdmError, [](const PdmError& error) {
            return error.code() == ErrorCode::conflict && error.details()["reason"] == "being_restored";
        });
        BOOST_CHECK_EXCEPTION(service.unlock(admin, {"a.mcam"}, true), PdmError, code_is(ErrorCode::conflict));
    }
    BOOST_TEST(service.unlock(alice, {"a.mcam"}, false).size() == 1u);
    // Refusals were audited under the op that was asked for.
    BOOST_TEST(service.audit({}).size() >= 4u);
}

BOOST_AUTO_TEST_CASE(the_locks_of_one_request_hold_its_message_once) {
    const std::string message(4096, 'm');
    service.checkout(alice, {"a.mcam", "b.mcam", "parts/c.mcam"}, message);
    const pdm::Lock* a = service.find_lock("a.mcam");
    const pdm::Lock* c = service.find_lock("parts/c.mcam");
    BOOST_TEST(a->message.str() == message);
    BOOST_TEST(a->message.shares_with(c->message));
    BOOST_REQUIRE(!service.commit());
    // locks.json still holds it on every line.
    BOOST_TEST(store.load().find("parts/c.mcam")->message.str() == message);
}

BOOST_AUTO_TEST_CASE(a_lock_stays_put_when_its_new_name_is_hidden_or_taken) {
    service.checkout(alice, {"a.mcam"}, "");
    service.checkout(bob, {"b.mcam"}, "");
    BOOST_TEST(service.follow_move("a.mcam", ".hidden.mcam").empty());
    BOOST_TEST(service.follow_move("a.mcam", "b.mcam").empty());
    BOOST_TEST(service.find_lock("a.mcam")->user == "alice");
    BOOST_TEST(service.find_lock("b.mcam")->user == "bob");
}

BOOST_AUTO_TEST_CASE(a_checked_out_file_gone_from_disk_is_listed_and_shown_as_missing) {
    service.checkout(alice, {"b.mcam"}, "");
    fs::remove(dir / "repo/b.mcam");
    BOOST_TEST(service.is_missing("b.mcam"));
    BOOST_TEST(!service.is_missing("a.mcam"));
    const pdm::FileEntry entry = service.info("b.mcam");
    BOOST_TEST(entry.missing);
    BOOST_TEST(entry.lock->user == "alice");
    const auto all = service.list({});
    BOOST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[1].file.path == "b.mcam");  // in path order among the files on disk
    BOOST_TEST(all[1].missing);
    BOOST_TEST(service.list({pdm::LockStatus::missing, {}, {}}).size() == 1u);
    BOOST_TEST(service.list({pdm::LockStatus::available, {}, {}}).size() == 2u);
    BOOST_TEST(service.list({pdm::LockStatus::checked_out, {}, {}}).size() == 1u);
    BOOST_TEST(service.list({std::nullopt, std::string("bob"), {}}).empty());
    BOOST_CHECK_EXCEPTION(service.info("a-never-there.mcam"), PdmError, code_is(ErrorCode::not_found));
}

BOOST_AUTO_TEST_SUITE_END()

#ifndef _WIN32  // the failure comes from a file size limit (RLIMIT_FSIZE), which Windows lacks
BOOST_AUTO_TEST_CASE(a_failed_commit_rolls_every_change_of_the_batch_back) {
    ServiceFixture fixture;
    auto& service = fixture.service;
    service.checkout(fixture.alice, {"a.mcam", "b.mcam"}, "");
    service.unlock(fixture.alice, {"b.mcam"}, false);
    service.checkout(fixture.bob, {"b.mcam"}, "");
    pdm::CommitBatch batch = service.begin_commit();
    pdm::CommitResult result;
    {
        const pdm::test::FileSizeLimit full(0);  // no room for the journal record
        result = pdm::write_commit(batch, fixture.files());
    }
    service.finish_commit(result);
    BOOST_REQUIRE(result.failure.has_value());
    BOOST_TEST(result.failure->find("nothing was changed") != std::string::npos);
    BOOST_TEST(service.lock_count() == 0u);
    BOOST_TEST(!service.has_uncommitted());
    BOOST_TEST(service.audit({}).empty());
    // No audit line tells of a change that was not made.
    BOOST_TEST(fs::file_size(fixture.dir / "repo/.pdm/audit.jsonl") == 0u);
    BOOST_TEST(fixture.reloaded().size() == 0u);
    // The next commit, with room again, starts from a clean journal.
    service.checkout(fixture.bob, {"a.mcam"}, "");
    BOOST_TEST(!service.commit().has_value());
    BOOST_TEST(fixture.reloaded().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_audit_write_keeps_the_change_and_its_lines_follow_in_order) {
    ServiceFixture fixture;
    auto& service = fixture.service;
    for (int i = 0; i < 10; ++i) {
        service.checkout(fixture.alice, {"a.mcam"}, "grow the audit log past one journal record");
        service.unlock(fixture.alice, {"a.mcam"}, false);
        BOOST_REQUIRE(!service.commit().has_value());
    }
    const std::uintmax_t audit_size = fs::file_size(fixture.dir / "repo/.pdm/audit.jsonl");
    service.checkout(fixture.bob, {"b.mcam"}, "");
    pdm::CommitBatch batch = service.begin_commit();
    pdm::CommitResult result;
    {
        // Room for the journal record (the journal is empty), none for the audit log to grow.
        const pdm::test::FileSizeLimit full(audit_size);
        result = pdm::write_commit(batch, fixture.files());
    }
    service.finish_commit(result);
    BOOST_TEST(!result.failure.has_value());
    BOOST_TEST(result.audit_failure.has_value());
    BOOST_TEST(service.lock_count() == 1u);
    BOOST_TEST(fixture.reloaded().size() == 1u);
    BOOST_TEST(fs::file_size(fixture.dir / "repo/.pdm/audit.jsonl") == audit_size);
    // The next commit writes the kept lines first.
    service.unlock(fixture.bob, {"b.mcam"}, false);
    BOOST_REQUIRE(!service.commit().has_value());
    const auto entries = fixture.audit.query({});
    BOOST_REQUIRE(entries.size() == 22u);
    BOOST_TEST(entries[0]["op"] == "unlock");
    BOOST_TEST(entries[1]["op"] == "checkout");
    BOOST_TEST(entries[1]["user"] == "bob");
}

#endif

BOOST_AUTO_TEST_CASE(a_failed_checkpoint_keeps_every_change_in_the_journal) {
    ServiceFixture fixture;
    fs::create_directory(fixture.dir / "repo/.pdm/locks.json.tmp");  // locks.json cannot be replaced
    fixture.service.checkout(fixture.alice, {"a.mcam"}, "");
    const auto failure = fixture.service.commit();
    BOOST_REQUIRE(failure.has_value());
    BOOST_TEST(failure->find("the checkpoint failed") != std::string::npos, *failure);
    BOOST_TEST(fixture.service.lock_count() == 1u);  // the change itself is durable
    BOOST_TEST(fixture.service.needs_checkpoint());
    BOOST_TEST(fixture.reloaded().size() == 1u);
    fs::remove(fixture.dir / "repo/.pdm/locks.json.tmp");
    BOOST_TEST(!fixture.service.commit().has_value());
    BOOST_TEST(fixture.store.load().size() == 1u);
    BOOST_TEST(fixture.journal.empty());
}
BOOST_AUTO_TEST_CASE(a_rollback_restores_locks_released_in_the_batch) {
    ServiceFixture fixture;
    auto& service = fixture.service;
    service.checkout(fixture.alice, {"a.mcam"}, "kept");
    BOOST_REQUIRE(!service.commit().has_value());
    service.checkin(fixture.alice, {"a.mcam"}, "");
    service.begin_commit();
    service.finish_commit(failed("disk full"));
    BOOST_REQUIRE(service.lock_count() == 1u);
    BOOST_TEST(service.locks(std::nullopt).at(0).lock.message == "kept");
}

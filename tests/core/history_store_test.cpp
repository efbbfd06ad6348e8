// SPDX-License-Identifier: Apache-2.0
// HistoryStore on a temp folder: revisions, numbering, snapshots, streaming,
// links refused, diff, blame, and git's own view of what was written.

#include <boost/test/unit_test.hpp>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "core/content_digest.hpp"
#include "core/error.hpp"
#include "core/history_store.hpp"
#include "core/stored_loose_object.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::HistoryStore;
using pdm::RecordedFile;
using pdm::Revision;
using pdm::test::TempDir;

namespace {

const pdm::TimePoint when = std::chrono::system_clock::from_time_t(1795000000);

struct HistoryFixture {
    TempDir dir;
    std::optional<HistoryStore> store;

    HistoryFixture() {
        dir.write("repo/a.mcam", "first a\n");
        dir.write("repo/parts/b.mcam", "first b\n");
        open();
    }
    void open() {
        store.reset();
        store.emplace(dir / "history.git", dir / "repo");
    }
    void write(const std::string& path, const std::string& contents) const {
        std::ofstream(dir / ("repo/" + path), std::ios::binary | std::ios::trunc) << contents;
    }
    std::vector<RecordedFile> record(const std::vector<std::string>& paths, const std::string& author,
                                     const std::string& message, std::optional<std::string> broken_by = {}) {
        return store->record({paths, author, message, when, std::move(broken_by)});
    }
    std::string read_all(const Revision& revision) {
        const auto reader = store->open(revision);
        std::string bytes;
        char piece[4096];
        while (const std::size_t length = reader->read(piece, sizeof piece)) bytes.append(piece, length);
        BOOST_TEST(bytes.size() == reader->size());
        return bytes;
    }
#ifndef _WIN32
    std::string git(const std::string& arguments) const {
        return run("git --git-dir=" + (dir / "history.git").string() + " " + arguments + " 2>&1");
    }
    static std::string run(const std::string& command) {
        std::string output;
        FILE* pipe = ::popen(command.c_str(), "r");
        char buffer[4096];
        while (const std::size_t length = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, length);
        ::pclose(pipe);
        return output;
    }
#endif
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(history_store, HistoryFixture)

BOOST_AUTO_TEST_CASE(the_import_is_revision_1_of_every_file_in_one_commit_by_pdmd) {
    BOOST_TEST(store->empty());
    const auto imported = store->import({"a.mcam", "parts/b.mcam"}, when);
    BOOST_TEST(!store->empty());
    BOOST_REQUIRE_EQUAL(imported.size(), 2u);
    BOOST_TEST(imported[0].recorded);
    BOOST_TEST(imported[0].revision->number == 1u);
    BOOST_TEST(imported[0].revision->author == "pdmd");
    BOOST_TEST(imported[0].revision->message == "initial import");
    BOOST_TEST(imported[0].revision->commit == imported[1].revision->commit);
    BOOST_TEST(imported[1].revision->path == "parts/b.mcam");
}

BOOST_AUTO_TEST_CASE(a_file_hurried_during_the_import_is_durable_first_and_an_import_cut_short_resumes) {
    write("c.mcam", "first c\n");
    write("d.mcam", "first d\n");
    pdm::ImportOrder order({"a.mcam", "c.mcam", "d.mcam", "parts/b.mcam"});
    // A check-out of d.mcam came before the import started; once d's
    // revision 1 is durable the daemon is stopped.
    BOOST_TEST((order.hurry("d.mcam") == pdm::ImportOrder::Hurry::next));
    std::atomic<bool> stopping{false};
    std::vector<std::string> early;
    bool durable_when_told = false;
    order.on_early_done([&](const std::vector<std::string>& paths) {
        early = paths;
        // Told only once it is on disk: another reader of the history finds it, and the mark.
        const HistoryStore reader(dir / "history.git", dir / "repo");
        durable_when_told = reader.newest("d.mcam").has_value() && reader.import_needed();
        stopping = true;
    });
    BOOST_CHECK_THROW(store->import(order, when, &stopping), pdm::ImportCancelled);
    BOOST_TEST(early == std::vector<std::string>{"d.mcam"}, boost::test_tools::per_element());
    BOOST_TEST(durable_when_told);
    // What a crash would find now: d's revision 1 on the branch, the rest to import.
    open();
    BOOST_TEST(!store->empty());
    BOOST_TEST(store->import_needed());
    BOOST_REQUIRE(store->newest("d.mcam").has_value());
    BOOST_TEST(!store->newest("a.mcam").has_value());
    // Its owner changes d before the import resumes: d keeps the revision 1 it had.
    write("d.mcam", "edited d\n");
    const auto resumed = store->import({"a.mcam", "c.mcam", "d.mcam", "parts/b.mcam"}, when);
    BOOST_TEST(!store->import_needed());
    for (const std::string path : {"a.mcam", "c.mcam", "parts/b.mcam"}) {
        BOOST_REQUIRE_MESSAGE(store->newest(path).has_value(), path);
        BOOST_TEST(store->newest(path)->number == 1u);
        BOOST_TEST(store->newest(path)->message == "initial import");
    }
    BOOST_TEST(store->revisions("d.mcam", 0).size() == 1u);
    BOOST_TEST(read_all(*store->newest("d.mcam")) == "first d\n");
    open();
    BOOST_TEST(!store->import_needed());
}

// What a crash can leave of an object written but not yet flushed: its
// name, with none or part of its content. It is written again, not trusted.
BOOST_AUTO_TEST_CASE(an_object_a_crash_left_damaged_is_written_again) {
    const auto plant_damaged = [&](const std::string& content, const std::string& left) {
        pdm::ContentDigest digest(content.size());
        digest.update(content.data(), content.size());
        const std::string blob = digest.finish().first;
        const fs::path folder = dir / "history.git/objects" / blob.substr(0, 2);
        fs::create_directories(folder);
        std::ofstream(folder / blob.substr(2), std::ios::binary) << left;
        // Read-only, as git leaves objects.
        fs::permissions(folder / blob.substr(2), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    };
    plant_damaged("first b\n", "");
    const auto imported = store->import({"a.mcam", "parts/b.mcam"}, when);
    BOOST_REQUIRE_EQUAL(imported.size(), 2u);
    BOOST_TEST(imported[1].recorded);
    BOOST_TEST(read_all(store->find("parts/b.mcam", "1")) == "first b\n");

    // A check-in of content whose object was cut short.
    const std::string second(100000, 'x');
    plant_damaged(second, std::string("x\x01", 2));
    write("a.mcam", second);
    const auto recorded = record({"a.mcam"}, "alice", "second");
    BOOST_REQUIRE_EQUAL(recorded.size(), 1u);
    BOOST_TEST(recorded[0].recorded);
    BOOST_TEST(read_all(store->find("a.mcam", "2")) == second);
    open();
    BOOST_TEST(read_all(store->find("a.mcam", "2")) == second);
}

// A whole batch a crash cut short: the same import and check-in tried again
// write the very trees and commits whose names the crash left behind.
BOOST_AUTO_TEST_CASE(trees_and_commits_a_crash_left_damaged_are_written_again) {
    const auto import_and_check_in = [&] {
        write("parts/b.mcam", "first b\n");
        BOOST_REQUIRE_EQUAL(store->import({"a.mcam", "parts/b.mcam"}, when).size(), 2u);
        write("parts/b.mcam", "second b\n");
        const auto recorded = record({"parts/b.mcam"}, "alice", "second");
        BOOST_REQUIRE_EQUAL(recorded.size(), 1u);
        BOOST_TEST(recorded[0].recorded);
    };
    import_and_check_in();
    const fs::path objects = dir / "history.git/objects";
    std::vector<std::pair<fs::path, std::string>> written;  // name, content
    for (const auto& entry : fs::recursive_directory_iterator(objects)) {
        if (!entry.is_regular_file() || entry.path().parent_path().filename().string().size() != 2) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        written.emplace_back(fs::relative(entry.path(), objects), std::string(std::istreambuf_iterator<char>(in), {}));
    }
    BOOST_TEST_REQUIRE(written.size() >= 8u);  // 3 blobs, then 2 trees and a commit twice

    // A new history, with every one of those names left empty or cut short.
    const fs::path again = dir / "again.git";
    store.emplace(again, dir / "repo");
    std::set<std::string> told;
    store->on_damaged_object([&](const std::string& id) { BOOST_TEST(told.insert(id).second, id << " told twice"); });
    for (std::size_t i = 0; i < written.size(); ++i) {
        const fs::path file = again / "objects" / written[i].first;
        fs::create_directories(file.parent_path());
        const std::string& content = written[i].second;
        std::ofstream(file, std::ios::binary) << (i % 2 == 0 ? std::string() : content.substr(0, content.size() / 2));
        fs::permissions(file, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
    import_and_check_in();
    for (const auto& [name, content] : written) {
        const std::string id = name.parent_path().string() + name.filename().string();
        BOOST_TEST(pdm::loose_object_reads_back(again / "objects" / name, id), id);
        BOOST_TEST(told.contains(id), id << " rewritten untold");
    }
    BOOST_TEST(told.size() == written.size());
    store.emplace(again, dir / "repo");  // a restart reads every commit and tree
    BOOST_TEST(read_all(store->find("parts/b.mcam", "1")) == "first b\n");
    BOOST_TEST(read_all(store->find("parts/b.mcam", "2")) == "second b\n");
    BOOST_TEST(read_all(store->find("a.mcam", "1")) == "first a\n");
#ifndef _WIN32
    BOOST_TEST(run("git --git-dir=" + again.string() + " fsck --full --strict --no-dangling 2>&1; echo $?") == "0\n");
#endif
}

BOOST_AUTO_TEST_CASE(the_import_passes_over_a_file_with_hard_links_and_takes_the_rest) {
    fs::create_hard_link(dir / "repo/a.mcam", dir / "linked.conf");
    const auto imported = store->import({"a.mcam", "parts/b.mcam"}, when);
    BOOST_REQUIRE_EQUAL(imported.size(), 2u);
    BOOST_TEST(!imported[0].recorded);
    BOOST_TEST(imported[0].skipped.find("hard links") != std::string::npos, imported[0].skipped);
    BOOST_TEST(!store->newest("a.mcam").has_value());
    BOOST_TEST(store->newest("parts/b.mcam")->number == 1u);
}

BOOST_AUTO_TEST_CASE(a_changed_file_gets_exactly_one_new_revision_and_an_unchanged_one_none) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    write("a.mcam", "abc");
    const auto recorded = record({"a.mcam", "parts/b.mcam"}, "alice", "deeper pocket");
    BOOST_TEST(recorded[0].recorded);
    BOOST_TEST(!recorded[1].recorded);
    BOOST_TEST(recorded[1].revision->number == 1u);
    const Revision& revision = *recorded[0].revision;
    BOOST_TEST(revision.number == 2u);
    BOOST_TEST(revision.author == "alice");
    BOOST_TEST(revision.message == "deeper pocket");
    BOOST_TEST(revision.size == 3u);
    BOOST_TEST(recorded[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // sha256("abc")
    BOOST_TEST(store->sha256(revision) == recorded[0].sha256);
    // Nothing changed: no commit at all.
#ifndef _WIN32  // git, the program, is Linux's; the Windows build has none to run
    const std::string log_before = git("log --format=%H");
#endif
    BOOST_TEST(!record({"a.mcam"}, "alice", "again")[0].recorded);
#ifndef _WIN32
    BOOST_TEST(git("log --format=%H") == log_before);
#endif
}

BOOST_AUTO_TEST_CASE(a_revisions_sha256_is_read_from_its_content_when_no_longer_kept) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    write("a.mcam", "abc");
    const std::string recorded = record({"a.mcam"}, "alice", "deeper pocket")[0].sha256;
#ifndef _WIN32  // Windows flushes each object it stores: thousands of flushes under Wine
    // Thousands of other blobs since: more than are kept.
    fs::create_directories(dir / "repo/many");
    std::vector<std::string> paths;
    for (int j = 0; j < 5000; ++j) {
        paths.push_back("many/" + std::to_string(j) + ".mcam");
        write(paths.back(), "content " + std::to_string(j));
    }
    store->record_added(paths, "alice", when);
    BOOST_TEST(store->sha256(*store->newest("many/4999.mcam")) ==
               "1e492e12889f402ba944e226b66f926b95eb6ab90c116c4104b95f40b3b17a60");
    BOOST_TEST(store->sha256(*store->newest("a.mcam")) == recorded);
#endif
    // A restart: nothing kept at all.
    open();
    BOOST_TEST(store->sha256(*store->newest("a.mcam")) ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // sha256("abc")
}

BOOST_AUTO_TEST_CASE(revisions_are_numbered_per_file_newest_first_and_survive_a_reopen) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    for (int i = 1; i <= 5; ++i) {
        write("a.mcam", "a v" + std::to_string(i));
        record({"a.mcam"}, "alice", "v" + std::to_string(i));
    }
    write("parts/b.mcam", "b v2");
    record({"parts/b.mcam"}, "bob", "b2");
    const auto check_numbers = [&] {
        const auto revisions = store->revisions("a.mcam");
        BOOST_REQUIRE_EQUAL(revisions.size(), 6u);
        for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(revisions[i].number == 6 - i);
        BOOST_TEST(store->revisions("a.mcam", 2).size() == 2u);
        BOOST_TEST(store->revisions("parts/b.mcam")[0].number == 2u);
        BOOST_TEST(store->revisions("parts/b.mcam")[0].author == "bob");
        BOOST_TEST(store->revisions("nothing.mcam").empty());
    };
    check_numbers();
    open();
    check_numbers();
    BOOST_TEST(read_all(store->find("a.mcam", "3")) == "a v2");
}

BOOST_AUTO_TEST_CASE(the_lock_files_a_killed_writer_left_are_removed_when_opened) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    // What libgit2 leaves when the daemon is killed while it moves the branch.
    dir.write("history.git/refs/heads/main.lock", "");
    dir.write("history.git/packed-refs.lock", "");
    write("a.mcam", "a v2");
    BOOST_CHECK_THROW(record({"a.mcam"}, "alice", "blocked"), std::runtime_error);
    open();
    std::vector<std::string> removed = store->stale_locks_removed();
    std::sort(removed.begin(), removed.end());
    BOOST_TEST(removed == (std::vector<std::string>{"packed-refs.lock", "refs/heads/main.lock"}),
               boost::test_tools::per_element());
    BOOST_TEST(!fs::exists(dir / "history.git/refs/heads/main.lock"));
    BOOST_TEST(record({"a.mcam"}, "alice", "after the restart")[0].revision->number == 2u);
}

BOOST_AUTO_TEST_CASE(find_takes_a_number_or_a_commit_id_and_refuses_anything_else) {
    store->import({"a.mcam"}, when);
    write("a.mcam", "two");
    const Revision second = *record({"a.mcam"}, "alice", "2")[0].revision;
    BOOST_TEST(store->find("a.mcam", "2").commit == second.commit);
    BOOST_TEST(store->find("a.mcam", second.commit.substr(0, 7)).number == 2u);
    BOOST_TEST(store->find("a.mcam", second.commit).number == 2u);
    const auto not_found = [](const pdm::PdmError& error) { return error.code() == pdm::ErrorCode::not_found; };
    BOOST_CHECK_EXCEPTION(store->find("a.mcam", "3"), pdm::PdmError, not_found);
    BOOST_CHECK_EXCEPTION(store->find("a.mcam", "0"), pdm::PdmError, not_found);
    BOOST_CHECK_EXCEPTION(store->find("a.mcam", "abc"), pdm::PdmError, not_found);
    BOOST_CHECK_EXCEPTION(store->find("a.mcam", "-1"), pdm::PdmError, not_found);
    BOOST_CHECK_EXCEPTION(store->find("parts/b.mcam", second.commit), pdm::PdmError, not_found);
}

BOOST_AUTO_TEST_CASE(a_file_gone_from_disk_is_recorded_as_removed) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    fs::remove(dir / "repo/a.mcam");
    const auto recorded = record({"a.mcam"}, "alice", "deleted it");
    BOOST_TEST(recorded[0].recorded);
    BOOST_TEST(recorded[0].revision->removed);
    BOOST_TEST(recorded[0].revision->number == 2u);
#ifndef _WIN32  // git, the program, is Linux's; the Windows build has none to run
    BOOST_TEST(git("ls-tree -r --name-only HEAD") == "parts/b.mcam\n");
#endif
    // Never recorded and gone: nothing.
    BOOST_TEST(!record({"never.mcam"}, "alice", "x")[0].recorded);
    BOOST_CHECK_THROW(store->open(*recorded[0].revision), pdm::PdmError);
}

BOOST_AUTO_TEST_CASE(a_snapshot_names_who_broke_the_lock_and_keeps_the_message) {
    store->import({"a.mcam"}, when);
    write("a.mcam", "unsaved work");
    record({"a.mcam"}, "alice", "Snapshot of alice's check-out", "root");
    open();
    const Revision newest = *store->newest("a.mcam");
    BOOST_TEST(newest.author == "alice");
    BOOST_TEST(newest.message == "Snapshot of alice's check-out");
    BOOST_REQUIRE(newest.broken_by);
    BOOST_TEST(*newest.broken_by == "root");
    BOOST_TEST(!store->find("a.mcam", "1").broken_by);
#ifndef _WIN32  // git, the program, is Linux's; the Windows build has none to run
    BOOST_TEST(git("log -1 --format=%B").find("Broken-by: root") != std::string::npos);
#endif
}

BOOST_AUTO_TEST_CASE(content_streams_back_byte_for_byte_including_nuls) {
    std::string contents(5 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>((i * 131) % 256);
    write("a.mcam", contents);
    store->import({"a.mcam"}, when);
    BOOST_TEST((read_all(*store->newest("a.mcam")) == contents));
}

#ifndef _WIN32  // Windows: making a link needs a privilege (Wine cannot at all)
BOOST_AUTO_TEST_CASE(a_link_in_place_of_a_file_is_never_followed) {
    store->import({"a.mcam"}, when);
    dir.write("secret", "outside the repository");
    fs::remove(dir / "repo/a.mcam");
    fs::create_symlink(dir / "secret", dir / "repo/a.mcam");
    BOOST_CHECK_THROW(record({"a.mcam"}, "mallory", "steal"), std::system_error);
    BOOST_TEST(store->revisions("a.mcam").size() == 1u);
    BOOST_CHECK_THROW(store->write_working_file(*store->newest("a.mcam"), "restore"), std::system_error);
    BOOST_TEST(pdm::test::read_text(dir / "secret") == "outside the repository");
}
#endif

#ifndef _WIN32  // owner, mode and POSIX ACL; windows_files_test.cpp checks what Windows keeps
BOOST_AUTO_TEST_CASE(writing_a_revision_back_replaces_the_working_file_whole_keeping_its_access) {
    store->import({"a.mcam"}, when);
    write("a.mcam", "second version, longer than the first");
    record({"a.mcam"}, "alice", "2");
    const fs::path file = dir / "repo/a.mcam";
    fs::permissions(file, fs::perms(0640));
    BOOST_REQUIRE(std::system(("setfacl -m u:nobody:rw " + file.string()).c_str()) == 0);
    struct stat before {};
    ::stat(file.c_str(), &before);
    store->write_working_file(store->find("a.mcam", "1"), "restore");
    struct stat after {};
    ::stat(file.c_str(), &after);
    BOOST_TEST(pdm::test::read_text(file) == "first a\n");
    // A new file renamed into place: a crash never leaves a half-written one.
    BOOST_TEST(before.st_ino != after.st_ino);
    BOOST_TEST(after.st_uid == before.st_uid);
    BOOST_TEST((after.st_mode & 07777) == (before.st_mode & 07777));
    BOOST_TEST(std::system(("getfacl -p " + file.string() + " | grep -q '^user:nobody:rw-'").c_str()) == 0);
    // No temp file is left beside it.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir / "repo")) ++entries;
    BOOST_TEST(entries == 2);  // a.mcam and parts/
}
#endif

BOOST_AUTO_TEST_CASE(a_file_open_for_writing_is_neither_recorded_nor_overwritten) {
    store->import({"a.mcam"}, when);
    const fs::path file = dir / "repo/a.mcam";
    {
        std::ofstream writer(file, std::ios::app);
        writer << "half of a save" << std::flush;
        const auto refused = [](const std::string& then) {
            return [then](const pdm::PdmError& error) {
                return error.code() == pdm::ErrorCode::conflict && error.details()["reason"] == "open_for_writing" &&
                       std::string(error.what()).find("save and close it, then " + then) != std::string::npos;
            };
        };
        BOOST_CHECK_EXCEPTION(record({"a.mcam"}, "alice", "too early"), pdm::PdmError, refused("check in"));
        BOOST_CHECK_EXCEPTION(store->write_working_file(*store->newest("a.mcam"), "restore"), pdm::PdmError,
                              refused("restore"));
    }
    BOOST_TEST(store->revisions("a.mcam").size() == 1u);
    BOOST_TEST(pdm::test::read_text(file) == "first a\nhalf of a save");
    // A reader does not hold up a check-in.
    std::ifstream reader(file);
    BOOST_TEST(record({"a.mcam"}, "alice", "finished")[0].recorded);
#ifdef _WIN32
    // Windows cannot replace a file that a program holds open without
    // sharing its deletion, as most readers do: the restore says so.
    BOOST_CHECK_EXCEPTION(store->write_working_file(store->find("a.mcam", "1"), "restore"), pdm::PdmError,
                          [](const pdm::PdmError& error) { return error.details()["reason"] == "open_elsewhere"; });
    reader.close();
#endif
    store->write_working_file(store->find("a.mcam", "1"), "restore");
    BOOST_TEST(pdm::test::read_text(file) == "first a\n");
}

BOOST_AUTO_TEST_CASE(a_file_with_a_second_name_is_neither_recorded_nor_overwritten) {
    write("link.mcam", "a part");
    store->import({"link.mcam"}, when);
    // Replaced by a second name of a file outside the repository.
    dir.write("elsewhere/target.conf", "not a part file");
    fs::remove(dir / "repo/link.mcam");
    fs::create_hard_link(dir / "elsewhere/target.conf", dir / "repo/link.mcam");
    const auto invalid = [](const pdm::PdmError& error) { return error.code() == pdm::ErrorCode::invalid_path; };
    BOOST_CHECK_EXCEPTION(record({"link.mcam"}, "mallory", "x"), pdm::PdmError, invalid);
    BOOST_CHECK_EXCEPTION(store->write_working_file(*store->newest("link.mcam"), "restore"), pdm::PdmError, invalid);
    BOOST_TEST(store->revisions("link.mcam").size() == 1u);
    BOOST_TEST(pdm::test::read_text(dir / "elsewhere/target.conf") == "not a part file");
}

BOOST_AUTO_TEST_CASE(diff_gives_a_unified_diff_for_text_and_a_summary_for_binary) {
    write("a.mcam", "one\ntwo\nthree\n");
    store->import({"a.mcam", "parts/b.mcam"}, when);
    write("a.mcam", "one\nTWO\nthree\n");
    record({"a.mcam"}, "alice", "2");
    const auto text = store->diff(store->find("a.mcam", "1"), store->find("a.mcam", "2"));
    BOOST_TEST(!text.binary);
    BOOST_TEST(text.patch.find("--- a/a.mcam\n+++ b/a.mcam\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n") != std::string::npos,
               text.patch);
    write("a.mcam", "one\nTWO\nthree\nfour\n");
    const auto working = store->diff(*store->newest("a.mcam"), std::nullopt);
    BOOST_TEST(working.patch.find("+four\n") != std::string::npos, working.patch);
    BOOST_TEST(working.to_size == 19u);
    BOOST_TEST(store->diff(*store->newest("a.mcam"), store->newest("a.mcam")).patch.empty());

    write("parts/b.mcam", std::string("\0binary", 7));
    record({"parts/b.mcam"}, "bob", "bin");
    const auto binary = store->diff(store->find("parts/b.mcam", "1"), store->find("parts/b.mcam", "2"));
    BOOST_TEST(binary.binary);
    BOOST_TEST(binary.patch.empty());
    BOOST_TEST(binary.from_size == 8u);
    BOOST_TEST(binary.to_size == 7u);
    BOOST_TEST(binary.from_sha256 != binary.to_sha256);
}

BOOST_AUTO_TEST_CASE(blame_names_the_revision_that_last_changed_each_line) {
    write("a.mcam", "alpha\nbeta\n");
    store->import({"a.mcam"}, when);
    write("a.mcam", "alpha\nBETA\ngamma\n");
    record({"a.mcam"}, "bob", "2");
    const auto lines = store->blame("a.mcam");
    BOOST_REQUIRE_EQUAL(lines.size(), 3u);
    BOOST_TEST(lines[0].revision.author == "pdmd");
    BOOST_TEST(lines[0].text == "alpha");
    BOOST_TEST(lines[1].revision.author == "bob");
    BOOST_TEST(lines[2].revision.number == 2u);
    write("a.mcam", std::string("\0\1", 2));
    record({"a.mcam"}, "bob", "3");
    BOOST_CHECK_THROW(store->blame("a.mcam"), pdm::PdmError);
}

BOOST_AUTO_TEST_CASE(an_import_deflates_text_and_stores_incompressible_content_readably_for_git_and_pdmd) {
    std::string text;
    while (text.size() < (1u << 20)) text += "N" + std::to_string(text.size()) + " G1 X10.5 Y-3.25 F1200\n";
    std::string noise(1u << 20, '\0');
    std::uint64_t state = 88172645463325252ull;
    for (char& c : noise) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;  // xorshift64: incompressible bytes
        c = static_cast<char>(state);
    }
    write("a.mcam", text);
    write("parts/b.mcam", noise);
    const auto imported = store->import({"a.mcam", "parts/b.mcam"}, when);
    const auto object = [&](const Revision& revision) {
        return dir / "history.git/objects" / revision.blob.substr(0, 2) / revision.blob.substr(2);
    };
    BOOST_TEST(fs::file_size(object(*imported[0].revision)) < text.size() / 4);
    // Deflate's stored blocks: a few bytes more than the content.
    BOOST_TEST(fs::file_size(object(*imported[1].revision)) > noise.size());
    BOOST_TEST(fs::file_size(object(*imported[1].revision)) < noise.size() + 1024);
    BOOST_TEST(read_all(*imported[0].revision) == text);
    BOOST_TEST(read_all(*imported[1].revision) == noise);
    // A later check-in of the same content finds it stored.
    BOOST_TEST(!record({"parts/b.mcam"}, "bob", "unchanged")[0].recorded);
#ifndef _WIN32
    BOOST_TEST(git("fsck --strict").find("error") == std::string::npos);
    BOOST_TEST(git("cat-file -p HEAD:parts/b.mcam") == noise);
#endif
}

BOOST_AUTO_TEST_CASE(a_batch_records_each_request_as_its_own_commit_in_order_and_a_failing_one_alone_fails) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    write("a.mcam", "a two");
    write("parts/b.mcam", "b two");
    dir.write("repo/parts/c.mcam", "c one");
    std::vector<pdm::RevisionRequest> batch = {
        {{"a.mcam"}, "alice", "pocket deeper", when, std::nullopt},
        {{"parts/missing.mcam", "parts/b.mcam"}, "bob", "never", when, std::nullopt},
        {{"parts/b.mcam"}, "bob", "slot wider", when, std::nullopt},
        {{"a.mcam"}, "carol", "nothing new", when, std::nullopt},
    };
    // A file that is there but cannot be read (a folder by that name) fails its request alone.
    fs::create_directories(dir / "repo/parts/missing.mcam");
    const auto outcomes = store->record_batch(batch);
    BOOST_REQUIRE_EQUAL(outcomes.size(), 4u);
    BOOST_TEST(!static_cast<bool>(outcomes[0].error));
    BOOST_TEST(static_cast<bool>(outcomes[1].error));  // refused whole: b was not recorded by it
    BOOST_TEST(!static_cast<bool>(outcomes[2].error));
    BOOST_TEST(!static_cast<bool>(outcomes[3].error));
    BOOST_REQUIRE_EQUAL(outcomes[0].files.size(), 1u);
    BOOST_TEST(outcomes[0].files[0].recorded);
    BOOST_TEST(outcomes[0].files[0].revision->number == 2u);
    BOOST_TEST(outcomes[2].files[0].recorded);
    BOOST_TEST(outcomes[2].files[0].revision->number == 2u);
    BOOST_TEST(outcomes[2].files[0].revision->message == "slot wider");
    BOOST_TEST(!outcomes[3].files[0].recorded);  // the same content as alice's revision 2
    // Two commits, alice's first, each on the one before; durable: a reopened store reads them.
    BOOST_TEST(outcomes[0].files[0].revision->commit != outcomes[2].files[0].revision->commit);
    open();
    BOOST_TEST(store->newest("a.mcam")->author == "alice");
    BOOST_TEST(store->newest("parts/b.mcam")->author == "bob");
    BOOST_TEST(store->newest("parts/b.mcam")->number == 2u);
    BOOST_TEST(read_all(*store->newest("parts/b.mcam")) == "b two");
#ifndef _WIN32
    BOOST_TEST(git("log '--format=%an|%s'") == "bob|slot wider\nalice|pocket deeper\npdmd|initial import\n");
    BOOST_TEST(git("fsck --strict").find("error") == std::string::npos);
#endif
}

BOOST_AUTO_TEST_CASE(a_batch_with_nothing_new_moves_nothing) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    const std::string before = store->newest("a.mcam")->commit;
    const auto outcomes = store->record_batch({{{"a.mcam"}, "alice", "same", when, std::nullopt},
                                               {{"parts/b.mcam"}, "bob", "same", when, std::nullopt}});
    BOOST_TEST(!outcomes[0].files[0].recorded);
    BOOST_TEST(!outcomes[1].files[0].recorded);
    open();
    BOOST_TEST(store->newest("a.mcam")->commit == before);
    BOOST_TEST(store->revisions("a.mcam").size() == 1u);
}

#ifndef _WIN32  // git, the program, is Linux's
BOOST_AUTO_TEST_CASE(git_reads_the_same_history) {
    store->import({"a.mcam", "parts/b.mcam"}, when);
    write("parts/b.mcam", "b two");
    record({"parts/b.mcam"}, "bob", "second b");
    BOOST_TEST(git("log '--format=%an|%cn|%s'") == "bob|pdmd|second b\npdmd|pdmd|initial import\n");
    BOOST_TEST(git("show HEAD:parts/b.mcam") == "b two");
    BOOST_TEST(git("fsck --strict").find("error") == std::string::npos);
}
#endif

BOOST_AUTO_TEST_SUITE_END()

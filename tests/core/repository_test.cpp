// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/error.hpp"
#include "core/repository.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::ErrorCode;
using pdm::PdmError;
using pdm::Repository;
using pdm::test::TempDir;

namespace {

std::vector<std::string> paths_of(const std::vector<pdm::FileStat>& files) {
    std::vector<std::string> paths;
    for (const auto& file : files) paths.push_back(file.path);
    return paths;
}

bool has_code(const PdmError& error, ErrorCode code) { return error.code() == code; }

}  // namespace

BOOST_AUTO_TEST_SUITE(repository)

BOOST_AUTO_TEST_CASE(scan_tracks_regular_files_but_not_hidden_ones_state_or_links) {
    TempDir outside;
    outside.write("secret.txt");
    TempDir dir;
    dir.write("repo/a.mcam", "12345");
    dir.write("repo/parts/b.mcam");
    dir.write("repo/.hidden.mcam");
    dir.write("repo/.git/config");
    dir.write("repo/.pdm/locks.json");
    dir.write("repo/state/locks.json");
    fs::create_symlink(outside / "secret.txt", dir / "repo/link-out.mcam");
    fs::create_symlink(dir / "repo/a.mcam", dir / "repo/link-in.mcam");
    fs::create_directory_symlink(outside.path(), dir / "repo/linked-dir");

    const Repository repository(dir / "repo", dir / "repo/state", {});
    const auto files = repository.scan();
    BOOST_TEST(paths_of(files) == (std::vector<std::string>{"a.mcam", "parts/b.mcam"}),
               boost::test_tools::per_element());
    BOOST_TEST(files[0].size == 5u);
}

BOOST_AUTO_TEST_CASE(include_patterns_limit_what_is_tracked) {
    TempDir dir;
    dir.write("a.mcam");
    dir.write("notes.txt");
    dir.write("sub/c.mcam");
    std::vector<pdm::Glob> include;
    include.emplace_back("*.mcam");
    const Repository repository(dir.path(), dir / ".pdm", std::move(include));
    BOOST_TEST(paths_of(repository.scan()) == (std::vector<std::string>{"a.mcam", "sub/c.mcam"}),
               boost::test_tools::per_element());
    BOOST_CHECK_EXCEPTION(repository.stat("notes.txt"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::not_found); });
}

BOOST_AUTO_TEST_CASE(temp_and_backup_files_of_saving_programs_are_never_tracked) {
    TempDir dir;
    for (const char* name : {"a.mcam", "a.mcam.tmp", "~WRL0001.tmp", "a.mcam.bak", "a.mcam~", "~$a.docx",
                             "sub/b.mcam", "sub/b.mcam~", "backup.mcam"})
        dir.write(name);
    std::vector<pdm::Glob> ignore;
    for (const std::string& pattern : Repository::default_ignore_patterns()) ignore.emplace_back(pattern);
    const Repository repository(dir.path(), dir / ".pdm", {}, std::move(ignore));
    BOOST_TEST(paths_of(repository.scan()) == (std::vector<std::string>{"a.mcam", "backup.mcam", "sub/b.mcam"}),
               boost::test_tools::per_element());
    BOOST_TEST(!repository.is_tracked_name("sub/b.mcam~"));
    BOOST_CHECK_EXCEPTION(repository.stat("a.mcam.bak"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::not_found); });
}

BOOST_AUTO_TEST_CASE(stat_refuses_links_out_of_and_within_the_repository) {
    TempDir outside;
    outside.write("secret.txt");
    TempDir dir;
    dir.write("a.mcam");
    fs::create_symlink(outside / "secret.txt", dir / "out.mcam");
    fs::create_symlink(dir / "a.mcam", dir / "in.mcam");
    fs::create_directory_symlink(outside.path(), dir / "outdir");
    const Repository repository(dir.path(), dir / ".pdm", {});

    BOOST_CHECK_EXCEPTION(repository.stat("out.mcam"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::invalid_path); });
    BOOST_CHECK_EXCEPTION(repository.stat("outdir/secret.txt"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::invalid_path); });
    BOOST_CHECK_EXCEPTION(repository.stat("in.mcam"), PdmError, [](const PdmError& e) {
        return has_code(e, ErrorCode::invalid_path) && e.details()["real_path"] == "a.mcam";
    });
}

BOOST_AUTO_TEST_CASE(stat_of_missing_file_folder_or_hidden_file) {
    TempDir dir;
    dir.write("parts/a.mcam");
    dir.write(".hidden");
    const Repository repository(dir.path(), dir / ".pdm", {});
    BOOST_TEST(!repository.stat("nope.mcam").has_value());
    BOOST_TEST(!repository.stat("parts/a.mcam/x").has_value());
    BOOST_TEST(repository.stat("parts/a.mcam").has_value());
    BOOST_CHECK_EXCEPTION(repository.stat("parts"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::not_found); });
    BOOST_CHECK_EXCEPTION(repository.stat(".hidden"), PdmError,
                          [](const PdmError& e) { return has_code(e, ErrorCode::not_found); });
}

BOOST_AUTO_TEST_CASE(stat_tells_what_the_folder_scan_tells_to_the_nanosecond) {
    TempDir dir;
    dir.write("parts/a.mcam", std::string(1234, 'x'));
    dir.write("b.mcam", "b");
    // A time with nanoseconds the clock's rounding could lose, and a second name.
    const auto when = fs::file_time_type::clock::now() - std::chrono::hours(50) + std::chrono::nanoseconds(123456789);
    fs::last_write_time(dir / "parts/a.mcam", when);
    fs::create_hard_link(dir / "b.mcam", dir / "second-name.mcam");
    const Repository repository(dir.path(), dir / ".pdm", {});
    const auto scanned = repository.scan();
    BOOST_REQUIRE_EQUAL(scanned.size(), 3u);
    for (const pdm::FileStat& seen : scanned) {
        BOOST_TEST_INFO(seen.path);
        const auto stat = repository.stat(seen.path);
        BOOST_REQUIRE(stat.has_value());
        BOOST_TEST(stat->path == seen.path);
        BOOST_TEST(stat->size == seen.size);
        BOOST_TEST((stat->mtime == seen.mtime));
        BOOST_TEST(stat->links == fs::hard_link_count(dir / seen.path));
    }
    const auto a = repository.stat("parts/a.mcam");
    BOOST_TEST(a->size == 1234u);
    BOOST_TEST(a->links == 1u);
    BOOST_TEST(repository.stat("b.mcam")->links == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

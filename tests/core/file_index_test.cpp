// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "core/file_index.hpp"
#include "core/repository.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::FileChange;
using pdm::test::TempDir;

namespace {

struct IndexFixture {
    TempDir dir;
    fs::path made = dir.write("repo/a.mcam", "1");
    pdm::Repository repository{dir / "repo", dir / "state", {}};
    pdm::FileIndex index{repository};

    std::string kinds(const std::vector<FileChange>& changes) const {
        std::string text;
        for (const FileChange& change : changes) {
            text += change.kind == FileChange::Kind::added      ? "+"
                    : change.kind == FileChange::Kind::removed  ? "-"
                                                                : "~";
            text += change.file.path + " ";
        }
        return text;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(file_index, IndexFixture)

BOOST_AUTO_TEST_CASE(a_scan_then_refreshes_say_what_changed_and_keep_the_index_in_step) {
    dir.write("repo/parts/b.mcam", "22");
    dir.write("repo/parts/c.mcam", "333");
    BOOST_TEST(kinds(index.reconcile()) == "+a.mcam +parts/b.mcam +parts/c.mcam ");
    BOOST_TEST(index.files().size() == 3u);
    BOOST_TEST(index.files().find("parts/c.mcam")->size == 3u);

    dir.write("repo/parts/b.mcam", "a longer content");
    BOOST_TEST(kinds(index.refresh("parts/b.mcam")) == "~parts/b.mcam ");
    BOOST_TEST(index.files().find("parts/b.mcam")->size == 16u);
    BOOST_TEST(kinds(index.refresh("parts/b.mcam")).empty());  // read again, unchanged
    BOOST_TEST(kinds(index.refresh("parts/b.mcam", true)) == "~parts/b.mcam ");  // a new file by that name

    fs::remove(dir / "repo/a.mcam");
    BOOST_TEST(kinds(index.refresh("a.mcam")) == "-a.mcam ");
    BOOST_TEST(!index.files().contains("a.mcam"));

    // A folder: everything below it, and nothing beside it, even what sorts
    // between "parts" and "parts/" ('-', '.' and ' ' come before '/').
    dir.write("repo/parts-old/x.mcam");
    dir.write("repo/parts.mcam");
    dir.write("repo/parts2/d.mcam");
    BOOST_TEST(kinds(index.reconcile()) == "+parts-old/x.mcam +parts.mcam +parts2/d.mcam ");
    fs::remove(dir / "repo/parts/c.mcam");
    dir.write("repo/parts/e.mcam");
    BOOST_TEST(kinds(index.refresh("parts")) == "-parts/c.mcam +parts/e.mcam ");
    fs::remove_all(dir / "repo/parts");
    BOOST_TEST(kinds(index.refresh("parts")) == "-parts/b.mcam -parts/e.mcam ");

    std::vector<std::string> in_order;
    for (const pdm::FileStat& file : index.files()) in_order.push_back(file.path);
    BOOST_TEST((in_order == std::vector<std::string>{"parts-old/x.mcam", "parts.mcam", "parts2/d.mcam"}));
}

BOOST_AUTO_TEST_SUITE_END()

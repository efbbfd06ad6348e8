// SPDX-License-Identifier: Apache-2.0
// Opening repository files beneath the root, never through a link: the
// one-call resolution (openat2) and the one-folder-at-a-time walk give the
// same answers, so a kernel without openat2 guards the repository as well.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>

#include "core/open_beneath.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace data = boost::unit_test::data;
using Resolution = pdm::RepositoryRoot::Resolution;

namespace {

const Resolution resolutions[] = {Resolution::fastest, Resolution::one_folder_at_a_time};

struct Repository {
    pdm::test::TempDir dir;
    Repository() {
        dir.write("repo/top.mcam", "top");
        dir.write("repo/parts/deep/a.mcam", "part");
        dir.write("outside/secret.mcam", "secret");
        fs::create_directory_symlink(dir / "outside", dir / "repo/linked");
        fs::create_directory_symlink(dir / "repo/parts", dir / "repo/parts_again");
        fs::create_symlink(dir / "outside/secret.mcam", dir / "repo/parts/link.mcam");
    }
};

bool kernel_at_least(int wanted_major, int wanted_minor) {
    std::ifstream release("/proc/sys/kernel/osrelease");
    int major = 0, minor = 0;
    char dot = 0;
    release >> major >> dot >> minor;
    return major > wanted_major || (major == wanted_major && minor >= wanted_minor);
}

std::errc error_of(const std::function<void()>& open) {
    try {
        open();
    } catch (const std::system_error& error) {
        return static_cast<std::errc>(error.code().value());
    }
    BOOST_FAIL("the open was not refused");
    return {};
}

}  // namespace

namespace pdm {
// For the data-driven cases' names, found by argument-dependent lookup.
std::ostream& operator<<(std::ostream& out, Resolution resolution) {
    return out << (resolution == Resolution::fastest ? "fastest" : "one_folder_at_a_time");
}
}  // namespace pdm

BOOST_AUTO_TEST_SUITE(open_beneath)

BOOST_DATA_TEST_CASE(files_are_opened_at_any_depth, data::make(resolutions), resolution) {
    const Repository repository;
    const pdm::RepositoryRoot root(repository.dir / "repo", resolution);
    for (const char* path : {"top.mcam", "parts/deep/a.mcam"}) {
        const pdm::OpenedFile file = pdm::open_beneath(root, path, pdm::FileAccess::read);
        struct stat expected{};
        BOOST_REQUIRE(::stat((repository.dir / "repo" / path).c_str(), &expected) == 0);
        BOOST_TEST(file.info.regular);
        BOOST_TEST(file.info.size == static_cast<std::uint64_t>(expected.st_size));
        BOOST_TEST(file.info.device == static_cast<std::uint64_t>(expected.st_dev));
        BOOST_TEST(file.info.id == static_cast<std::uint64_t>(expected.st_ino));
    }
    const pdm::OpenedFolder folder = pdm::open_parent_beneath(root, "parts/deep/a.mcam");
    BOOST_TEST(folder.name == "a.mcam");
    BOOST_TEST(pdm::open_parent_beneath(root, "top.mcam").name == "top.mcam");
    BOOST_TEST(pdm::open_folder_beneath(root, "parts/deep").valid());
    BOOST_TEST(pdm::open_folder_beneath(root, "").valid());
}

BOOST_DATA_TEST_CASE(a_link_anywhere_on_the_path_is_refused_as_a_link, data::make(resolutions), resolution) {
    const Repository repository;
    const pdm::RepositoryRoot root(repository.dir / "repo", resolution);
    using pdm::FileAccess;
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "linked/secret.mcam", FileAccess::read); }) ==
                std::errc::too_many_symbolic_link_levels));
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "parts_again/deep/a.mcam", FileAccess::inspect); }) ==
                std::errc::too_many_symbolic_link_levels));
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "parts/link.mcam", FileAccess::write); }) ==
                std::errc::too_many_symbolic_link_levels));
    BOOST_TEST((error_of([&] { pdm::open_parent_beneath(root, "linked/secret.mcam"); }) ==
                std::errc::too_many_symbolic_link_levels));
    BOOST_TEST((error_of([&] { pdm::open_folder_beneath(root, "linked"); }) ==
                std::errc::too_many_symbolic_link_levels));
    BOOST_TEST(pdm::test::read_text(repository.dir / "outside/secret.mcam") == "secret");
}

BOOST_DATA_TEST_CASE(files_folders_and_absent_names_get_their_own_errors, data::make(resolutions), resolution) {
    const Repository repository;
    const pdm::RepositoryRoot root(repository.dir / "repo", resolution);
    using pdm::FileAccess;
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "parts", FileAccess::read); }) == std::errc::invalid_argument));
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "gone.mcam", FileAccess::read); }) ==
                std::errc::no_such_file_or_directory));
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "gone/a.mcam", FileAccess::read); }) ==
                std::errc::no_such_file_or_directory));
    BOOST_TEST((error_of([&] { pdm::open_beneath(root, "top.mcam/a.mcam", FileAccess::read); }) ==
                std::errc::not_a_directory));
    BOOST_TEST((error_of([&] { pdm::open_parent_beneath(root, "top.mcam/a.mcam"); }) == std::errc::not_a_directory));
}

BOOST_AUTO_TEST_CASE(this_kernel_resolves_a_path_in_one_call_unless_told_not_to) {
    const Repository repository;
    BOOST_TEST(!pdm::RepositoryRoot(repository.dir / "repo", Resolution::one_folder_at_a_time).resolves_in_one_call());
#if defined(__linux__)
    // Linux has had openat2 since 5.6 (Debian 12: 6.1); a machine without it takes the walk, tested above.
    if (kernel_at_least(5, 6)) BOOST_TEST(pdm::RepositoryRoot(repository.dir / "repo").resolves_in_one_call());
#endif
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/file_permissions.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using pdm::FilePermissions;
using pdm::test::TempDir;

namespace {

struct PermissionsFixture {
    TempDir dir;
    // The repository exists before the permissions open it.
    bool made = fs::create_directories(dir / "repo");
    FilePermissions permissions{dir / "repo", pdm::Enforcement::mode};
    FilePermissions ownership{dir / "repo", pdm::Enforcement::ownership};
    std::string me = ::getpwuid(::geteuid())->pw_name;

    PermissionsFixture() {
        dir.write("repo/a.mcam");
        dir.write("repo/parts/b.mcam");
        fs::permissions(dir / "repo/a.mcam", fs::perms(0664));
    }

    mode_t mode_of(const std::string& path) const {
        struct stat status {};
        BOOST_REQUIRE(::lstat((dir / "repo" / path).c_str(), &status) == 0);
        return status.st_mode & 07777;
    }
    uid_t owner_of(const std::string& path) const {
        struct stat status {};
        BOOST_REQUIRE(::lstat((dir / "repo" / path).c_str(), &status) == 0);
        return status.st_uid;
    }
    // a.mcam made read-only, then an ACL entry added by hand that lets
    // nobody write; false (and said why) where the file system takes no ACLs.
    bool read_only_with_nobodys_acl_entry() {
        permissions.make_read_only("a.mcam");
        const std::string grant = "setfacl -m u:nobody:rw '" + (dir / "repo/a.mcam").string() + "' 2>/dev/null";
        if (std::system(grant.c_str()) == 0) return true;
        BOOST_TEST_MESSAGE("the temp folder's file system takes no ACLs: nothing to check");
        return false;
    }
};

// For cases that set ACL entries with setfacl for the user nobody.
auto with_setfacl_and_nobody() {
    return boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
        return boost::test_tools::assertion_result(::getpwnam("nobody") != nullptr &&
                                                   std::system("command -v setfacl >/dev/null") == 0);
    });
}

auto errno_is(std::errc expected) {
    return [expected](const std::system_error& error) { return error.code() == expected; };
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(file_permissions, PermissionsFixture)

BOOST_AUTO_TEST_CASE(read_only_clears_every_write_bit_and_keeps_the_rest) {
    permissions.make_read_only("a.mcam");
    BOOST_TEST(mode_of("a.mcam") == 0444u);
    const pdm::WriteAccess access = permissions.inspect("a.mcam", me);
    BOOST_TEST(!access.anyone);
    BOOST_TEST(!access.user);
}

BOOST_AUTO_TEST_CASE(the_files_owner_gets_the_owner_write_bit_only) {
    permissions.make_writable_for("a.mcam", me);
    BOOST_TEST(mode_of("a.mcam") == 0644u);
    BOOST_TEST(permissions.inspect("a.mcam", me).user);
    permissions.make_read_only("parts/b.mcam");
    permissions.make_writable_for("parts/b.mcam", me);
    BOOST_TEST((mode_of("parts/b.mcam") & 0222) == mode_t{S_IWUSR});
}

BOOST_AUTO_TEST_CASE(another_user_gets_an_acl_entry_that_read_only_takes_back,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return boost::test_tools::assertion_result(::geteuid() == 0 && ::getpwnam("nobody"));
                     })) {
    permissions.make_read_only("a.mcam");
    permissions.make_writable_for("a.mcam", "nobody");
    pdm::WriteAccess access = permissions.inspect("a.mcam", "nobody");
    BOOST_TEST(access.user);
    BOOST_TEST(!permissions.inspect("a.mcam", me).user);  // root owns it but may not write by its bits
    BOOST_TEST((mode_of("a.mcam") & S_IWUSR) == 0u);
    permissions.make_read_only("a.mcam", "nobody");
    access = permissions.inspect("a.mcam", "nobody");
    BOOST_TEST(!access.user);
    BOOST_TEST(!access.anyone);
}

BOOST_AUTO_TEST_CASE(each_call_says_what_it_changed_and_nothing_when_the_file_matched) {
    const pdm::PermissionChanges changes = permissions.make_read_only("a.mcam");
    BOOST_REQUIRE(changes.size() == 1u);
    BOOST_TEST(changes[0] == "mode 0664 -> 0444");
    BOOST_TEST(permissions.make_read_only("a.mcam").empty());
}

BOOST_AUTO_TEST_CASE(with_ownership_the_lock_holder_owns_the_file_and_the_daemon_takes_it_back,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return boost::test_tools::assertion_result(::geteuid() == 0 && ::getpwnam("nobody"));
                     })) {
    const uid_t nobody = ::getpwnam("nobody")->pw_uid;
    pdm::PermissionChanges changes = ownership.make_writable_for("a.mcam", "nobody");
    BOOST_TEST(owner_of("a.mcam") == nobody);
    BOOST_TEST(mode_of("a.mcam") == 0644u);  // owner write only: group write went
    BOOST_REQUIRE(changes.size() == 2u);
    BOOST_TEST(changes[0] == "owner root -> nobody");
    BOOST_TEST(ownership.inspect("a.mcam", "nobody").user);
    BOOST_TEST(ownership.inspect("a.mcam", "nobody").owner == "nobody");
    changes = ownership.make_read_only("a.mcam", "nobody");
    BOOST_TEST(owner_of("a.mcam") == ::geteuid());
    BOOST_TEST(mode_of("a.mcam") == 0444u);
    BOOST_TEST(changes[0] == "owner nobody -> root");
}

BOOST_AUTO_TEST_CASE(a_folder_others_may_write_gets_the_sticky_bit) {
    fs::permissions(dir / "repo/parts", fs::perms(0777));
    BOOST_TEST(permissions.make_folder_sticky("parts"));
    BOOST_TEST(mode_of("parts") == 01777u);
    BOOST_TEST(!permissions.make_folder_sticky("parts"));
    fs::permissions(dir / "repo", fs::perms(0755));
    BOOST_TEST(!permissions.make_folder_sticky(""));  // only its owner writes it: nothing to protect
    BOOST_TEST(mode_of("") == 0755u);
}

BOOST_AUTO_TEST_CASE(links_folders_and_absent_files_are_refused) {
    fs::create_symlink(dir / "repo/a.mcam", dir / "repo/link.mcam");
    fs::create_directory_symlink(dir / "repo/parts", dir / "repo/linked");
    BOOST_CHECK_EXCEPTION(permissions.make_read_only("link.mcam"), std::system_error,
                          errno_is(std::errc::too_many_symbolic_link_levels));
    BOOST_CHECK_EXCEPTION(permissions.make_read_only("linked/b.mcam"), std::system_error,
                          errno_is(std::errc::too_many_symbolic_link_levels));
    BOOST_CHECK_EXCEPTION(permissions.make_read_only("parts"), std::system_error,
                          errno_is(std::errc::invalid_argument));
    BOOST_CHECK_EXCEPTION(permissions.make_read_only("gone.mcam"), std::system_error,
                          errno_is(std::errc::no_such_file_or_directory));
    BOOST_CHECK_THROW(permissions.make_writable_for("a.mcam", "no-such-user-here"), std::system_error);
    BOOST_TEST(mode_of("a.mcam") == 0664u);  // the link's target was never touched
}

BOOST_AUTO_TEST_CASE(the_watchers_report_of_its_own_change_is_told_apart_from_anyone_elses) {
    permissions.make_read_only("a.mcam");
    BOOST_TEST(permissions.is_as_left("a.mcam"));
    BOOST_TEST(!permissions.is_as_left("a.mcam"));  // one report per change

    // Someone else's change after the daemon's, before its report is read.
    permissions.make_writable_for("a.mcam", me);
    fs::permissions(dir / "repo/a.mcam", fs::perms(0666));
    BOOST_TEST(!permissions.is_as_left("a.mcam"));

    // Another file under the same name, with the same mode (the first one
    // kept, so that its inode number cannot be reused).
    permissions.make_read_only("a.mcam");
    fs::rename(dir / "repo/a.mcam", dir / "a-before.mcam");
    dir.write("repo/a.mcam");
    fs::permissions(dir / "repo/a.mcam", fs::perms(0444));
    BOOST_TEST(!permissions.is_as_left("a.mcam"));

    // A second name for it.
    permissions.make_writable_for("a.mcam", me);
    fs::create_hard_link(dir / "repo/a.mcam", dir / "a-elsewhere.mcam");
    BOOST_TEST(!permissions.is_as_left("a.mcam"));
    fs::remove(dir / "a-elsewhere.mcam");

    // A call that found nothing to change forgets what an earlier one left:
    // the file may since have been changed and changed back.
    permissions.make_read_only("parts/b.mcam");
    permissions.make_read_only("parts/b.mcam");
    BOOST_TEST(!permissions.is_as_left("parts/b.mcam"));
}

BOOST_AUTO_TEST_CASE(an_acl_entry_that_lets_someone_write_shows_in_the_mode, *with_setfacl_and_nobody()) {
    if (!read_only_with_nobodys_acl_entry()) return;
    BOOST_TEST(mode_of("a.mcam") != 0444u);  // the mask's write shows as the group bits
    BOOST_TEST(!permissions.is_as_left("a.mcam"));
}

BOOST_AUTO_TEST_CASE(an_acl_entry_lets_its_user_write_only_while_the_mask_does, *with_setfacl_and_nobody()) {
    if (!read_only_with_nobodys_acl_entry()) return;
    BOOST_TEST(permissions.inspect("a.mcam", "nobody").user);
    BOOST_TEST(permissions.inspect("a.mcam", "nobody").anyone);
    // chmod g-w takes write out of the mask; nobody's entry stays, and no longer writes.
    fs::permissions(dir / "repo/a.mcam", fs::perms::group_write, fs::perm_options::remove);
    BOOST_TEST(!permissions.inspect("a.mcam", "nobody").user);
    BOOST_TEST(!permissions.inspect("a.mcam", "nobody").anyone);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
// The Windows platform files, on what Windows itself reports: share modes,
// attributes, security descriptors, byte-range locks.
#include <boost/test/unit_test.hpp>

#include <windows.h>
#include <aclapi.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "core/file_handle_win.hpp"
#include "core/file_permissions.hpp"
#include "core/name_rules.hpp"
#include "core/open_beneath.hpp"
#include "core/state_dir.hpp"
#include "core/win_security.hpp"
#include "core/working_file.hpp"
#include "core/writer_check.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

// A program holding a file open, as a CAD program does while it saves.
struct OpenByProgram {
    HANDLE handle;
    OpenByProgram(const fs::path& path, DWORD access,
                  DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        : handle(CreateFileW(path.c_str(), access, share, nullptr, OPEN_EXISTING, 0, nullptr)) {}
    ~OpenByProgram() {
        if (handle != INVALID_HANDLE_VALUE) CloseHandle(handle);
    }
};

bool can_open_for_writing(const fs::path& path) {
    const OpenByProgram program(path, GENERIC_WRITE);
    return program.handle != INVALID_HANDLE_VALUE;
}

// Wine emulates Windows on Linux files: it keeps no share mode against a
// folder's rename and, run as root, lets root write read-only files. What
// only real Windows shows is checked there.
bool under_wine() {
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

std::string this_user() {
    const pdm::win::Sid sid = pdm::win::process_user_sid();
    return pdm::win::account_of(pdm::win::sid_pointer(sid));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(windows_files)

BOOST_AUTO_TEST_CASE(a_file_open_for_writing_is_seen_and_a_held_lease_keeps_writers_out) {
    pdm::test::TempDir dir;
    dir.write("repo/parts/a.mcam", "v1");
    const pdm::RepositoryRoot root(dir / "repo");
    {
        const OpenByProgram writer(dir / "repo/parts/a.mcam", GENERIC_WRITE);
        BOOST_REQUIRE(writer.handle != INVALID_HANDLE_VALUE);
        const pdm::OpenedFile file = pdm::open_beneath(root, "parts/a.mcam", pdm::FileAccess::read);
        const pdm::ReadLease lease(file);
        BOOST_TEST((lease.outcome() == pdm::ReadLease::Outcome::writer_present));
        BOOST_TEST(pdm::open_for_writing_now(root, "parts/a.mcam", false));
    }
    const pdm::OpenedFile file = pdm::open_beneath(root, "parts/a.mcam", pdm::FileAccess::read);
    {
        const pdm::ReadLease lease(file);
        BOOST_TEST((lease.outcome() == pdm::ReadLease::Outcome::held));
        BOOST_TEST(lease.still_held());
        BOOST_TEST(!can_open_for_writing(dir / "repo/parts/a.mcam"));
    }
    BOOST_TEST(can_open_for_writing(dir / "repo/parts/a.mcam"));
    BOOST_TEST(!pdm::open_for_writing_now(root, "parts/a.mcam", false));
}

BOOST_AUTO_TEST_CASE(open_beneath_reads_a_file_and_refuses_folders_and_missing_files) {
    pdm::test::TempDir dir;
    dir.write("repo/parts/a.mcam", "content");
    const pdm::RepositoryRoot root(dir / "repo");
    const pdm::OpenedFile file = pdm::open_beneath(root, "parts/a.mcam", pdm::FileAccess::read);
    BOOST_TEST(file.info.size == 7u);
    BOOST_TEST(file.info.regular);
    BOOST_TEST(file.info.links == 1u);
    char bytes[16] = {};
    BOOST_TEST(pdm::read_at(file.handle, 3, bytes, sizeof bytes) == 4u);
    BOOST_TEST(std::string(bytes, 4) == "tent");
    try {
        pdm::open_beneath(root, "parts", pdm::FileAccess::read);
        BOOST_FAIL("a folder opened as a file");
    } catch (const std::system_error& error) {
        BOOST_TEST((error.code() == std::errc::invalid_argument));
    }
    try {
        pdm::open_beneath(root, "parts/missing.mcam", pdm::FileAccess::read);
        BOOST_FAIL("a missing file opened");
    } catch (const std::system_error& error) {
        BOOST_TEST((error.code() == std::errc::no_such_file_or_directory));
    }
}

BOOST_AUTO_TEST_CASE(the_repository_root_cannot_be_renamed_while_it_is_held) {
    pdm::test::TempDir dir;
    dir.write("repo/a.mcam", "v1");
    {
        const pdm::RepositoryRoot root(dir / "repo");
        BOOST_TEST(!MoveFileExW((dir / "repo").c_str(), (dir / "moved").c_str(), 0));
    }
    BOOST_TEST(MoveFileExW((dir / "repo").c_str(), (dir / "moved").c_str(), 0));
}

BOOST_AUTO_TEST_CASE(a_new_state_dir_is_private_and_one_process_holds_it) {
    pdm::test::TempDir dir;
    pdm::StateDir state(dir / "state");
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    BOOST_REQUIRE(GetNamedSecurityInfoW((dir / "state").c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                        nullptr, &dacl, nullptr, &descriptor) == ERROR_SUCCESS);
    BOOST_REQUIRE(dacl != nullptr);
    const pdm::win::Sid self = pdm::win::process_user_sid();
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* entry = nullptr;
        BOOST_REQUIRE(GetAce(dacl, i, &entry));
        const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(entry);
        const PSID sid = const_cast<DWORD*>(&allowed->SidStart);
        BOOST_TEST((EqualSid(sid, pdm::win::sid_pointer(self)) || IsWellKnownSid(sid, WinLocalSystemSid) ||
                    IsWellKnownSid(sid, WinBuiltinAdministratorsSid)),
                   "entry " << i << " is for " << pdm::win::account_of(sid));
    }
    LocalFree(descriptor);

    state.lock_for_this_process("pdmd.pid");
    pdm::StateDir second(dir / "state");
    try {
        second.lock_for_this_process("pdmd.pid");
        BOOST_FAIL("two holders of one state dir");
    } catch (const std::runtime_error& error) {
        BOOST_TEST(std::string(error.what()).find("pid " + std::to_string(GetCurrentProcessId())) != std::string::npos,
                   error.what());
    }
}

BOOST_AUTO_TEST_CASE(state_files_are_replaced_whole_and_appends_are_cut_back_never_torn) {
    pdm::test::TempDir dir;
    pdm::StateDir state(dir / "state");
    state.replace_file("locks.json", "{}\n");
    state.replace_file("locks.json", "{\"a\": 1}\n");
    BOOST_TEST(state.read_file("locks.json") == "{\"a\": 1}\n");
    BOOST_TEST(!fs::exists(dir / "state/locks.json.tmp"));
    try {
        state.read_file("missing.json");
        BOOST_FAIL("a missing file read");
    } catch (const std::system_error& error) {
        BOOST_TEST((error.code() == std::errc::no_such_file_or_directory));
    }
    {
        pdm::DurableAppendFile log(state, "audit.log");
        log.append("one\n");
        log.append("two");  // a crash left it without its newline
    }
    pdm::DurableAppendFile log(state, "audit.log");
    log.append("three\n");
    BOOST_TEST(log.read_at(0, 100) == "one\ntwo\nthree\n");
    BOOST_TEST(log.size() == 14u);
}

// A file server's deduplicated files and a synced folder's placeholders are
// reparse points too: reading them through their filter is what every
// program does. Only links that name another file are refused. (Wine makes
// neither kind; real Windows shows the rest.)
BOOST_AUTO_TEST_CASE(only_reparse_points_that_name_another_file_are_refused) {
    using pdm::win::reparse_kind;
    using pdm::win::ReparseKind;
    BOOST_TEST((reparse_kind(FILE_ATTRIBUTE_ARCHIVE, 0) == ReparseKind::none));
    BOOST_TEST((reparse_kind(FILE_ATTRIBUTE_REPARSE_POINT, IO_REPARSE_TAG_SYMLINK) == ReparseKind::name_surrogate));
    BOOST_TEST((reparse_kind(FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY, IO_REPARSE_TAG_MOUNT_POINT) ==
                ReparseKind::name_surrogate));
    for (const DWORD stored_elsewhere : {static_cast<DWORD>(IO_REPARSE_TAG_DEDUP), static_cast<DWORD>(IO_REPARSE_TAG_WOF),
                                         static_cast<DWORD>(IO_REPARSE_TAG_CLOUD_6)}) {
        BOOST_TEST((reparse_kind(FILE_ATTRIBUTE_REPARSE_POINT, stored_elsewhere) == ReparseKind::stored_elsewhere));
    }
    // An ordinary file, opened as every repository file is, is not taken for one.
    pdm::test::TempDir dir;
    dir.write("a.mcam", "part");
    const pdm::FileHandle file = pdm::win::open_path((dir / "a.mcam").native(), GENERIC_READ, pdm::win::share_all,
                                                     OPEN_EXISTING, pdm::win::no_follow);
    BOOST_REQUIRE(file.valid());
    BOOST_TEST((pdm::win::reparse_kind_of(file) == ReparseKind::none));
    BOOST_TEST(pdm::info_of(file).regular);
}

// A scanner or indexer holds a file a moment without sharing its deletion:
// the replace waits it out; a program that keeps holding it gets the error.
BOOST_AUTO_TEST_CASE(a_state_file_held_a_moment_by_a_scanner_is_still_replaced) {
    pdm::test::TempDir dir;
    pdm::StateDir state(dir / "state");
    state.replace_file("locks.json", "{}\n");
    {
        auto scanner = std::make_unique<OpenByProgram>(dir / "state/locks.json", GENERIC_READ, FILE_SHARE_READ);
        BOOST_REQUIRE(scanner->handle != INVALID_HANDLE_VALUE);
        std::thread done_scanning([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            scanner.reset();
        });
        state.replace_file("locks.json", "{\"a\": 1}\n");
        done_scanning.join();
    }
    BOOST_TEST(state.read_file("locks.json") == "{\"a\": 1}\n");

    const OpenByProgram keeps_it(dir / "state/locks.json", GENERIC_READ, FILE_SHARE_READ);
    const auto started = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(state.replace_file("locks.json", "{}\n"), std::system_error);
    BOOST_TEST((std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(1000)));
    BOOST_TEST(state.read_file("locks.json") == "{\"a\": 1}\n");
}

BOOST_AUTO_TEST_CASE(read_only_enforcement_uses_the_attribute_and_an_entry_for_the_lock_owner) {
    pdm::test::TempDir dir;
    dir.write("repo/a.mcam", "v1");
    const pdm::FilePermissions permissions(dir / "repo", pdm::Enforcement::mode);
    const std::string user = this_user();

    BOOST_TEST(permissions.make_read_only("a.mcam") == pdm::PermissionChanges{"attribute read-only"});
    BOOST_TEST(permissions.make_read_only("a.mcam").empty());
    BOOST_TEST((GetFileAttributesW((dir / "repo/a.mcam").c_str()) & FILE_ATTRIBUTE_READONLY));
    BOOST_TEST(!permissions.inspect("a.mcam", user).anyone);
    if (!under_wine()) BOOST_TEST(!can_open_for_writing(dir / "repo/a.mcam"));

    const pdm::PermissionChanges opened = permissions.make_writable_for("a.mcam", user);
    BOOST_TEST((opened == pdm::PermissionChanges{"attribute writable", "ACL"}));
    const pdm::WriteAccess access = permissions.inspect("a.mcam", user);
    BOOST_TEST(access.anyone);
    BOOST_TEST(access.user);
    BOOST_TEST(can_open_for_writing(dir / "repo/a.mcam"));

    BOOST_TEST((permissions.make_read_only("a.mcam", user) == pdm::PermissionChanges{"ACL", "attribute read-only"}));
    BOOST_TEST(!permissions.inspect("a.mcam", user).user);
}

BOOST_AUTO_TEST_CASE(a_restored_file_keeps_its_attribute_and_a_writer_stops_the_restore) {
    pdm::test::TempDir dir;
    dir.write("repo/a.mcam", "old");
    const pdm::FilePermissions permissions(dir / "repo", pdm::Enforcement::mode);
    permissions.make_read_only("a.mcam");
    const pdm::RepositoryRoot root(dir / "repo");
    const auto fill = [](const std::string& text) {
        return [text](const pdm::WriteBytes& write) { write(text.data(), text.size()); };
    };
    pdm::replace_working_file(root, "a.mcam", "restore it", false, fill("new content"));
    BOOST_TEST(pdm::test::read_text(dir / "repo/a.mcam") == "new content");
    BOOST_TEST((GetFileAttributesW((dir / "repo/a.mcam").c_str()) & FILE_ATTRIBUTE_READONLY));
    BOOST_TEST(!(GetFileAttributesW((dir / "repo/a.mcam").c_str()) & FILE_ATTRIBUTE_HIDDEN));

    permissions.make_writable_for("a.mcam", this_user());
    {
        const OpenByProgram writer(dir / "repo/a.mcam", GENERIC_WRITE);
        BOOST_REQUIRE(writer.handle != INVALID_HANDLE_VALUE);
        try {
            pdm::replace_working_file(root, "a.mcam", "restore it", false, fill("lost"));
            BOOST_FAIL("a file open for writing was replaced");
        } catch (const pdm::PdmError& error) {
            BOOST_TEST(error.details().at("reason") == "open_for_writing");
        }
    }
    BOOST_TEST(pdm::test::read_text(dir / "repo/a.mcam") == "new content");
    for (const auto& entry : fs::directory_iterator(dir / "repo"))
        BOOST_TEST(entry.path().filename() == "a.mcam", "left behind: " << entry.path());
}

BOOST_AUTO_TEST_CASE(a_file_held_by_a_reader_stops_an_undo_of_several_files_before_any_changes) {
    pdm::test::TempDir dir;
    dir.write("repo/a.mcam", "a old");
    dir.write("repo/b.mcam", "b old");
    const pdm::RepositoryRoot root(dir / "repo");
    const auto fill = [](const std::string& text) {
        return [text](const pdm::WriteBytes& write) { write(text.data(), text.size()); };
    };
    // A viewer that reads b.mcam and, like most programs, does not share its deletion.
    const OpenByProgram viewer(dir / "repo/b.mcam", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE);
    BOOST_REQUIRE(viewer.handle != INVALID_HANDLE_VALUE);
    try {
        pdm::replace_working_files(root, {{"a.mcam", false, fill("a new")}, {"b.mcam", false, fill("b new")}}, "undo");
        BOOST_FAIL("a file held by a viewer was replaced");
    } catch (const pdm::PdmError& error) {
        BOOST_TEST(error.details().at("reason") == "open_elsewhere");
        BOOST_TEST(error.details().at("path") == "b.mcam");
    }
    BOOST_TEST(pdm::test::read_text(dir / "repo/a.mcam") == "a old");
    BOOST_TEST(pdm::test::read_text(dir / "repo/b.mcam") == "b old");
}

BOOST_AUTO_TEST_CASE(a_short_8_3_name_is_spelled_as_the_long_name_it_stands_for) {
    pdm::test::TempDir dir;
    dir.write("repo/Long Folder Name/part number one.mcam");
    const std::wstring long_folder = (dir / "repo" / "Long Folder Name").native();
    std::wstring short_folder(MAX_PATH, L'\0');
    const DWORD length = GetShortPathNameW(long_folder.c_str(), short_folder.data(), MAX_PATH);
    BOOST_REQUIRE(length > 0 && length < MAX_PATH);
    short_folder.resize(length);
    const std::string short_name = std::filesystem::path(short_folder).filename().string();
    if (short_name == "Long Folder Name") {
        BOOST_TEST_MESSAGE("this volume makes no short names: nothing to check");
        return;
    }
    BOOST_TEST(pdm::spelled_on_disk(dir / "repo", short_name + "/part number one.mcam") ==
               "Long Folder Name/part number one.mcam");
    BOOST_TEST(pdm::spelled_on_disk(dir / "repo", "long folder name/PART NUMBER ONE.MCAM") ==
               "Long Folder Name/part number one.mcam");
}

BOOST_AUTO_TEST_SUITE_END()

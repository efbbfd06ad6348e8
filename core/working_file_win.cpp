// SPDX-License-Identifier: Apache-2.0
// Windows twin of working_file_posix.cpp: the new content goes to a hidden
// temp file beside the old one, with the old one's DACL and attributes,
// flushed, then MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
// puts it in place. The old file is held open denying writers (ReadLease)
// until just before the rename. A program holding it open without
// FILE_SHARE_DELETE (most readers do) makes the rename fail: the refusal
// (open_elsewhere) leaves the file as it was.
#include <windows.h>
#include <aclapi.h>

#include <memory>
#include <optional>
#include <random>
#include <system_error>

#include "core/file_handle_win.hpp"
#include "core/open_beneath.hpp"
#include "core/win_retry.hpp"
#include "core/win_text.hpp"
#include "core/working_file.hpp"
#include "core/writer_check.hpp"

namespace pdm {
namespace {

// A hidden name beside the file: never tracked, never announced.
std::wstring temp_name(const std::string& name) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return win::wide(".pdm-restore-" + std::to_string(random() % 1000000000) + "-" + name);
}

// Gives the temp file the replaced one's DACL (its owner stays the daemon's
// account: taking another owner needs a privilege the service does not hold).
void copy_access(const FileHandle& from, const FileHandle& to, const std::string& where) {
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    DWORD result = GetSecurityInfo(win::raw(from), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl,
                                   nullptr, &descriptor);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot read who may use " + where);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    GetSecurityDescriptorControl(descriptor, &control, &revision);
    const DWORD protection =
        (control & SE_DACL_PROTECTED) ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION;
    if (dacl)
        result = SetSecurityInfo(win::raw(to), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | protection, nullptr, nullptr,
                                 dacl, nullptr);
    LocalFree(descriptor);
    if (result != ERROR_SUCCESS) throw win::error(result, "cannot give the new " + where + " its permissions");
}

void write_all(const FileHandle& file, const char* data, std::size_t length, const std::string& where) {
    while (length > 0) {
        DWORD written = 0;
        const DWORD piece = static_cast<DWORD>(length < (1u << 30) ? length : (1u << 30));
        if (!WriteFile(win::raw(file), data, piece, &written, nullptr)) win::throw_last_error("cannot write " + where);
        data += written;
        length -= written;
    }
}

// One file's new version, written and flushed beside the old one, not yet in
// place. Removes its temp file unless committed.
class StagedFile {
public:
    StagedFile(const RepositoryRoot& root, const WorkingFileReplacement& file, const std::string& then_what)
        : path_(file.path), then_what_(then_what) {
        const std::string where = "'" + path_ + "'";
        try {
            old_.emplace(open_beneath(root, path_, FileAccess::read));
        } catch (const std::system_error& error) {
            // A program holds it open letting nobody else read it.
            if (error.code() == std::errc::device_or_resource_busy) throw open_for_writing(path_, {}, then_what_);
            if (error.code() != std::errc::no_such_file_or_directory) throw;
        }
        if (old_) {
            require_single_name(*old_, path_);
            lease_.emplace(*old_);
            if (lease_->outcome() == ReadLease::Outcome::writer_present ||
                (lease_->outcome() == ReadLease::Outcome::unsupported && file.seen_open))
                throw open_for_writing(path_, writers_of(*old_), then_what_);
            old_attributes_ = old_->info.mode == 0444 ? FILE_ATTRIBUTE_READONLY : FILE_ATTRIBUTE_NORMAL;
        }
        // Held until the end, denying renames: Windows then refuses to rename
        // it or any folder above it, so the paths below keep reaching it.
        folder_.emplace(open_parent_beneath(root, path_));
        const std::wstring folder_path = win::path_of(folder_->handle);
        target_ = folder_path + L"\\" + win::wide(folder_->name);
        temp_ = folder_path + L"\\" + temp_name(folder_->name);
        const FileHandle out = win::open_path(temp_, GENERIC_WRITE | WRITE_DAC, 0, CREATE_NEW,
                                              FILE_ATTRIBUTE_HIDDEN | old_attributes_);
        if (!out.valid()) win::throw_last_error("cannot create a temp file beside " + where);
        created_ = true;
        if (old_) copy_access(old_->handle, out, where);
        file.fill([&](const char* data, std::size_t length) { write_all(out, data, length, where); });
        flush(out);
    }
    ~StagedFile() {
        if (created_) {
            SetFileAttributesW(temp_.c_str(), FILE_ATTRIBUTE_NORMAL);
            DeleteFileW(temp_.c_str());
        }
    }
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    // The share mode holds writers off for as long as it is open: nobody got
    // in. And no program holds the file without sharing its deletion, which
    // would stop the rename: asked for every file before the first is
    // renamed, so such a refusal changes nothing.
    void check_still_alone() {
        if (lease_ && lease_->outcome() == ReadLease::Outcome::held && !lease_->still_held())
            throw open_for_writing(path_, writers_of(*old_), then_what_);
        if (!old_) return;
        replaceable_ = win::open_path(target_, DELETE, win::share_all, OPEN_EXISTING, win::no_follow);
        if (!replaceable_.valid() && GetLastError() == ERROR_SHARING_VIOLATION) throw open_elsewhere(path_, then_what_);
    }

    void put_in_place() {
        lease_.reset();
        old_.reset();  // nothing of ours may hold the old file while it is replaced
        replaceable_ = FileHandle();
        // A read-only file cannot be replaced; the new one carries the attribute already.
        if (old_attributes_ & FILE_ATTRIBUTE_READONLY) SetFileAttributesW(target_.c_str(), FILE_ATTRIBUTE_NORMAL);
        const bool replaced = win::retry_while_in_use([&] {
            return MoveFileExW(temp_.c_str(), target_.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
        });
        if (!replaced) {
            const DWORD error = GetLastError();
            if (old_attributes_ & FILE_ATTRIBUTE_READONLY) SetFileAttributesW(target_.c_str(), old_attributes_);
            if (error == ERROR_SHARING_VIOLATION || error == ERROR_ACCESS_DENIED)
                throw open_elsewhere(path_, then_what_);
            throw win::error(error, "cannot put the new '" + path_ + "' in place");
        }
        created_ = false;
        // Hidden only while it was a temp file.
        SetFileAttributesW(target_.c_str(), old_attributes_);
    }

private:
    std::string path_;
    std::string then_what_;
    std::optional<OpenedFile> old_;
    std::optional<ReadLease> lease_;
    DWORD old_attributes_ = FILE_ATTRIBUTE_NORMAL;
    std::optional<OpenedFolder> folder_;
    FileHandle replaceable_;
    std::wstring target_;
    std::wstring temp_;
    bool created_ = false;
};

}  // namespace

void replace_working_files(const RepositoryRoot& root, const std::vector<WorkingFileReplacement>& files,
                           const std::string& then_what) {
    std::vector<std::unique_ptr<StagedFile>> staged;
    for (const WorkingFileReplacement& file : files) staged.push_back(std::make_unique<StagedFile>(root, file, then_what));
    for (const auto& file : staged) file->check_still_alone();
    // MOVEFILE_WRITE_THROUGH: each rename is on disk when it returns.
    for (const auto& file : staged) file->put_in_place();
}

}  // namespace pdm

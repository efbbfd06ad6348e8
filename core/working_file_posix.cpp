// SPDX-License-Identifier: Apache-2.0
#include "core/working_file.hpp"

#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <random>
#include <system_error>

#include "core/open_beneath.hpp"
#include "core/writer_check.hpp"

namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

// A hidden name beside the file: never tracked, never announced.
std::string temp_name(const std::string& name) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return ".pdm-restore-" + std::to_string(random() % 1000000000) + "-" + name;
}

// Gives the temp file what the replaced one had: owner, group, mode, ACL.
void copy_access(int from, int to, const FileInfo& status, const std::string& where) {
    if (::fchown(to, status.owner, status.group) != 0) fail("cannot give the new " + where + " its owner");
    if (::fchmod(to, status.mode & 07777) != 0) fail("cannot give the new " + where + " its mode");
    acl_t acl = acl_get_fd(from);
    if (!acl) return;  // no ACL support here: the mode is all there is
    const bool extended = acl_equiv_mode(acl, nullptr) != 0;
    const int result = extended ? acl_set_fd(to, acl) : 0;
    acl_free(acl);
    if (result != 0) fail("cannot give the new " + where + " its ACL");
}

void write_all(int fd, const char* data, std::size_t length, const std::string& where) {
    while (length > 0) {
        const ssize_t written = ::write(fd, data, length);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) fail("cannot write " + where);
        data += written;
        length -= static_cast<std::size_t>(written);
    }
}

}  // namespace

namespace {

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
            if (error.code() != std::errc::no_such_file_or_directory) throw;
        }
        if (old_) {
            require_single_name(*old_, path_);
            // Held until the new file is in place: no program can open the old
            // one for writing meanwhile, so nothing it writes is lost under the rename.
            lease_.emplace(*old_);
            if (lease_->outcome() == ReadLease::Outcome::writer_present ||
                (lease_->outcome() == ReadLease::Outcome::unsupported && file.seen_open))
                throw open_for_writing(path_, writers_of(*old_), then_what_);
        }
        folder_.emplace(open_parent_beneath(root, path_));
        temp_ = temp_name(folder_->name);
        const FileHandle out(
            ::openat(folder(), temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!out.valid()) fail("cannot create a temp file beside " + where);
        const int fd = static_cast<int>(out.native());
        created_ = true;
        if (old_) copy_access(static_cast<int>(old_->handle.native()), fd, old_->info, where);
        file.fill([&](const char* data, std::size_t length) { write_all(fd, data, length, where); });
        if (::fsync(fd) != 0) fail("cannot flush the new " + where);
    }
    ~StagedFile() {
        if (created_) ::unlinkat(folder(), temp_.c_str(), 0);
    }
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    // Still nobody writing the old file (a writer that waited out the lease-break time got in)?
    void check_still_alone() const {
        if (lease_ && lease_->outcome() == ReadLease::Outcome::held && !lease_->still_held())
            throw open_for_writing(path_, writers_of(*old_), then_what_);
    }

    void put_in_place() {
        if (::renameat(folder(), temp_.c_str(), folder(), folder_->name.c_str()) != 0)
            fail("cannot put the new '" + path_ + "' in place");
        created_ = false;
    }

    void flush_folder() const {
        if (::fsync(folder()) != 0) fail("cannot flush the folder of '" + path_ + "'");
    }

private:
    int folder() const { return static_cast<int>(folder_->handle.native()); }

    std::string path_;
    std::string then_what_;
    std::optional<OpenedFile> old_;
    std::optional<ReadLease> lease_;
    std::optional<OpenedFolder> folder_;
    std::string temp_;
    bool created_ = false;
};

}  // namespace

void replace_working_files(const RepositoryRoot& root, const std::vector<WorkingFileReplacement>& files,
                           const std::string& then_what) {
    std::vector<std::unique_ptr<StagedFile>> staged;
    for (const WorkingFileReplacement& file : files) staged.push_back(std::make_unique<StagedFile>(root, file, then_what));
    for (const auto& file : staged) file->check_still_alone();
    for (const auto& file : staged) file->put_in_place();
    for (const auto& file : staged) file->flush_folder();
}

}  // namespace pdm

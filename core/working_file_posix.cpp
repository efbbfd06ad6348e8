#include "core/working_file.hpp"

#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
void copy_access(int from, int to, const struct stat& status, const std::string& where) {
    if (::fchown(to, status.st_uid, status.st_gid) != 0) fail("cannot give the new " + where + " its owner");
    if (::fchmod(to, status.st_mode & 07777) != 0) fail("cannot give the new " + where + " its mode");
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

void replace_working_file(const std::filesystem::path& root, const std::string& path, const std::string& then_what,
                          bool seen_open, const std::function<void(const WriteBytes& write)>& fill) {
    const std::string where = "'" + path + "'";
    std::optional<OpenedFile> old;
    try {
        old.emplace(open_beneath(root, path, O_RDONLY));
    } catch (const std::system_error& error) {
        if (error.code() != std::errc::no_such_file_or_directory) throw;
    }
    std::optional<ReadLease> lease;
    if (old) {
        require_single_name(*old, path);
        // Held until the new file is in place: no program can open the old
        // one for writing meanwhile, so nothing it writes is lost under the rename.
        lease.emplace(*old);
        if (lease->outcome() == ReadLease::Outcome::writer_present ||
            (lease->outcome() == ReadLease::Outcome::unsupported && seen_open))
            throw open_for_writing(path, writers_of(*old), then_what);
    }
    const OpenedFolder folder = open_parent_beneath(root, path);
    const std::string temp = temp_name(folder.name);
    const FileDescriptor file(::openat(folder.fd.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (file.get() < 0) fail("cannot create a temp file beside " + where);
    try {
        if (old) copy_access(old->fd.get(), file.get(), old->status, where);
        fill([&](const char* data, std::size_t length) { write_all(file.get(), data, length, where); });
        if (::fsync(file.get()) != 0) fail("cannot flush the new " + where);
        if (lease && lease->outcome() == ReadLease::Outcome::held && !lease->still_held())
            throw open_for_writing(path, writers_of(*old), then_what);
        if (::renameat(folder.fd.get(), temp.c_str(), folder.fd.get(), folder.name.c_str()) != 0)
            fail("cannot put the new " + where + " in place");
    } catch (...) {
        ::unlinkat(folder.fd.get(), temp.c_str(), 0);
        throw;
    }
    if (::fsync(folder.fd.get()) != 0) fail("cannot flush the folder of " + where);
}

}  // namespace pdm

#include "core/open_beneath.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace pdm {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

FileDescriptor::~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
}

OpenedFile open_beneath(const std::filesystem::path& root, const std::string& path, int flags) {
    const std::string where = "'" + path + "'";
    FileDescriptor folder(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0) fail("cannot open the repository " + root.string());
    std::size_t start = 0;
    for (std::size_t slash; (slash = path.find('/', start)) != std::string::npos; start = slash + 1) {
        const std::string name = path.substr(start, slash - start);
        FileDescriptor next(::openat(folder.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (next.get() < 0) fail("cannot open the folder of " + where);
        folder = std::move(next);
    }
    const std::string name = path.substr(start);
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the open.
    OpenedFile file{FileDescriptor(::openat(folder.get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)), {}};
    if (file.fd.get() < 0) fail("cannot open " + where);
    if (::fstat(file.fd.get(), &file.status) != 0) fail("cannot stat " + where);
    if (!S_ISREG(file.status.st_mode)) {
        errno = S_ISLNK(file.status.st_mode) ? ELOOP : EINVAL;
        fail(where + " is not a regular file");
    }
    if ((flags & O_PATH) == 0 && ::fcntl(file.fd.get(), F_SETFL, flags & O_APPEND) != 0) {
        fail("cannot set up " + where);
    }
    return file;
}

}  // namespace pdm

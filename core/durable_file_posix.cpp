#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/durable_file.hpp"

namespace fs = std::filesystem;

namespace pdm {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    // Closes now so that a close() error is reported, not lost in a destructor.
    void close(const std::string& what) {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) throw_errno(what);
    }

private:
    int fd_;
};

void write_all(int fd, std::string_view bytes, const std::string& what) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

void sync_folder(const fs::path& folder) {
    const fs::path name = folder.empty() ? fs::path(".") : folder;
    FileDescriptor dir(::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) throw_errno("cannot open folder " + name.string());
    if (::fsync(dir.get()) != 0) throw_errno("cannot flush folder " + name.string());
}

}  // namespace

void replace_file_durably(const fs::path& target, std::string_view contents) {
    fs::path temp = target;
    temp += ".tmp";
    FileDescriptor file(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (file.get() < 0) throw_errno("cannot create " + temp.string());
    write_all(file.get(), contents, "cannot write " + temp.string());
    if (::fsync(file.get()) != 0) throw_errno("cannot flush " + temp.string());
    file.close("cannot close " + temp.string());
    if (::rename(temp.c_str(), target.c_str()) != 0) throw_errno("cannot replace " + target.string());
    try {
        sync_folder(target.parent_path());
    } catch (const std::system_error& error) {
        throw RenamedButNotFlushed(error.code(), error.what());
    }
}

std::string read_file(const fs::path& path) {
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) throw_errno("cannot open " + path.string());
    std::string contents;
    char buffer[65536];
    for (;;) {
        const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot read " + path.string());
        }
        if (got == 0) break;
        contents.append(buffer, static_cast<std::size_t>(got));
    }
    return contents;
}

DurableAppendFile::DurableAppendFile(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_errno("cannot open " + path.string());
    struct stat info {};
    char last = '\n';
    if (::fstat(fd_, &info) == 0 && info.st_size > 0 &&
        ::pread(fd_, &last, 1, info.st_size - 1) == 1 && last != '\n') {
        append("\n");
    }
    sync_folder(path.parent_path());
}

DurableAppendFile::~DurableAppendFile() {
    if (fd_ >= 0) ::close(fd_);
}

void DurableAppendFile::append(std::string_view bytes) {
    struct stat before {};
    const bool known_size = ::fstat(fd_, &before) == 0;
    try {
        write_all(fd_, bytes, "cannot append to " + path_.string());
        if (::fdatasync(fd_) != 0) throw_errno("cannot flush " + path_.string());
    } catch (const std::system_error&) {
        // Cut off a partial append so the next one does not continue a torn line.
        if (known_size && ::ftruncate(fd_, before.st_size) != 0) {
            // Nothing more to do: readers skip lines that do not parse.
        }
        throw;
    }
}

void create_directories_durably(const fs::path& folder) {
    std::error_code ec;
    if (fs::is_directory(folder, ec)) return;
    fs::create_directories(folder);
    sync_folder(folder.parent_path());
}

}  // namespace pdm

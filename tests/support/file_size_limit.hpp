// SPDX-License-Identifier: Apache-2.0
#pragma once
// A real write failure on demand (Linux): while one of these lives, a process
// (this one, or the pdmd under test) may not grow any file past `bytes`
// (RLIMIT_FSIZE, set with prlimit), so its writes fail with EFBIG as they
// would on a full disk. pdmd ignores SIGXFSZ; in this process it is ignored
// meanwhile.

#include <sys/resource.h>
#include <sys/types.h>

#include <csignal>
#include <cstdint>
#include <system_error>

namespace pdm::test {

class FileSizeLimit {
public:
    explicit FileSizeLimit(std::uint64_t bytes, pid_t process = 0) : process_(process) {
        if (process_ == 0) saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{};
        if (::prlimit(process_, RLIMIT_FSIZE, nullptr, &saved_) != 0)
            throw std::system_error(errno, std::generic_category(), "prlimit");
        limit = saved_;
        limit.rlim_cur = static_cast<rlim_t>(bytes);
        if (::prlimit(process_, RLIMIT_FSIZE, &limit, nullptr) != 0)
            throw std::system_error(errno, std::generic_category(), "prlimit");
    }
    ~FileSizeLimit() {
        ::prlimit(process_, RLIMIT_FSIZE, &saved_, nullptr);
        if (process_ == 0) std::signal(SIGXFSZ, saved_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    pid_t process_;
    rlimit saved_{};
    void (*saved_handler_)(int) = nullptr;
};

}  // namespace pdm::test

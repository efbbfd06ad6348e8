// SPDX-License-Identifier: Apache-2.0
#include "tests/support/own_account.hpp"

#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

namespace pdm::test {

std::string own_account_name() {
    const passwd* account = ::getpwuid(::geteuid());
    if (!account) throw std::runtime_error("this process' uid has no passwd entry");
    return account->pw_name;
}

bool own_account_is_superuser() { return ::geteuid() == 0; }

}  // namespace pdm::test

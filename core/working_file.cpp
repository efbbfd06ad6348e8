// SPDX-License-Identifier: Apache-2.0
#include "core/working_file.hpp"

namespace pdm {

void replace_working_file(const RepositoryRoot& root, const std::string& path, const std::string& then_what,
                          bool seen_open, const std::function<void(const WriteBytes& write)>& fill) {
    replace_working_files(root, {{path, seen_open, fill}}, then_what);
}

}  // namespace pdm

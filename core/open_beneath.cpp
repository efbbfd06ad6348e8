// SPDX-License-Identifier: Apache-2.0
#include "core/open_beneath.hpp"

#include "core/error.hpp"

namespace pdm {

void require_single_name(const OpenedFile& file, const std::string& path) {
    if (file.info.links <= 1) return;
    throw PdmError(ErrorCode::invalid_path,
                   "'" + path + "' has " + std::to_string(file.info.links) +
                       " names (hard links); pdmd guards files that have one name only, since another name may "
                       "lie outside the repository or be checked out by someone else",
                   {{"path", path}, {"links", file.info.links}});
}

}  // namespace pdm

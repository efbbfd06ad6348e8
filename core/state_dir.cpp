// SPDX-License-Identifier: Apache-2.0
#include "core/state_dir.hpp"

namespace pdm {

DurableAppendFile::DurableAppendFile(const StateDir& dir, const std::string& name)
    : path_(dir.path() / name), file_(dir.open_for_append(name)) {
    const std::uint64_t size = this->size();
    if (size > 0 && read_at(size - 1, 1) != "\n") append("\n");
}

DurableAppendFile::~DurableAppendFile() = default;

std::uint64_t DurableAppendFile::size() const { return info_of(file_).size; }

std::string DurableAppendFile::read_at(std::uint64_t offset, std::size_t length) const {
    std::string bytes(length, '\0');
    std::size_t got_total = 0;
    while (got_total < length) {
        const std::size_t got = pdm::read_at(file_, offset + got_total, bytes.data() + got_total, length - got_total);
        if (got == 0) break;
        got_total += got;
    }
    bytes.resize(got_total);
    return bytes;
}

}  // namespace pdm

// SPDX-License-Identifier: Apache-2.0
#include "core/state_dir.hpp"

namespace pdm {

DurableAppendFile::DurableAppendFile(const StateDir& dir, const std::string& name, TornLine torn)
    : path_(dir.path() / name), file_(dir.open_for_append(name)), size_(info_of(file_).size) {
    const std::uint64_t size = this->size();
    if (torn == TornLine::close && size > 0 && read_at(size - 1, 1) != "\n") append("\n");
}

void DurableAppendFile::append(std::string_view bytes) {
    const std::uint64_t before = size();
    write(bytes);
    try {
        flush();
    } catch (const std::system_error&) {
        // Not on disk, perhaps never to be (a failed flush may drop the
        // pages): the bytes must not stay for a later flush to make durable.
        try {
            truncate(before);
        } catch (const std::system_error&) {
            broken_ = true;
        }
        throw;
    }
}

void DurableAppendFile::require_whole() const {
    if (broken_) {
        throw std::system_error(EIO, std::generic_category(),
                                path_.string() + ": an earlier write failed and could not be cut off again; "
                                                 "restart pdmd to recover");
    }
}

DurableAppendFile::~DurableAppendFile() = default;

std::uint64_t DurableAppendFile::size() const { return size_; }

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

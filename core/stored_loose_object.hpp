// SPDX-License-Identifier: Apache-2.0
#pragma once
// One git loose object written with deflate's stored blocks: a valid zlib
// stream that any git reader inflates, at the speed of a copy. For content
// that would not shrink (most part files are compressed already), where
// libgit2's own writer spends most of an import deflating for a percent or
// two, and cannot be told not to (its level 0 writes no zlib stream at all).
//
// Written under a temp name in the objects folder and renamed into place by
// finish(); not flushed: the caller's bulk flush (BulkObjectWrites) makes it
// durable with the rest of its batch.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace pdm {

// Where the loose object `id` (hex) lives in the objects folder: "ab/cdef...".
std::string loose_object_name(const std::string& id);

// Whether the loose object `file` is object `id` (hex) whole: a complete
// zlib stream holding git's header and exactly the bytes it announces,
// hashing to `id`. Read with zlib itself: libgit2 1.5 can loop forever on
// a damaged loose object. Throws std::runtime_error when the file cannot be
// opened or read (only its content may condemn it), or zlib cannot start.
bool loose_object_reads_back(const std::filesystem::path& file, const std::string& id);

// A tree, commit or tag announcing more is taken as damaged: 100,000 files
// in one folder make a tree of about 4 MB.
constexpr std::uint64_t max_small_object_bytes = 256u << 20;

// Removes the loose object `file`, read-only as git leaves it, so that it
// can be written again. Throws std::system_error.
void remove_loose_object(const std::filesystem::path& file);

class StoredLooseObject {
public:
    // A blob of `size` bytes, to be written into `objects_dir`. Throws std::runtime_error.
    StoredLooseObject(const std::filesystem::path& objects_dir, std::uint64_t size);
    ~StoredLooseObject();  // removes the temp file unless finish() ran
    StoredLooseObject(const StoredLooseObject&) = delete;
    StoredLooseObject& operator=(const StoredLooseObject&) = delete;

    // Throws std::runtime_error.
    void write(const char* data, std::size_t length);
    // Ends the stream and moves the object to its name (`blob`, the hex id
    // of what was written), read-only as git leaves objects; the file's
    // path. An object already there is kept. Throws std::runtime_error.
    std::filesystem::path finish(const std::string& blob);

private:
    void deflate_into_file(int flush);

    struct Stream;
    std::filesystem::path objects_dir_;
    std::filesystem::path temp_;
    std::ofstream out_;
    std::unique_ptr<Stream> stream_;
    bool finished_ = false;
};

}  // namespace pdm

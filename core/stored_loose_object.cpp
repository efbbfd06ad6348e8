// SPDX-License-Identifier: Apache-2.0
#include "core/stored_loose_object.hpp"

#include <git2.h>
#include <zlib.h>

#include "core/content_digest.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace pdm {

namespace {

constexpr std::size_t longest_header = 32;  // git's own bound: "commit 18446744073709551615"

// The id of a whole object of `type` holding `content`.
std::string object_id(const std::string& type, const std::string& content) {
    git_oid id;
    if (git_odb_hash(&id, content.data(), content.size(), git_object_string2type(type.c_str())) != 0) return {};
    char text[GIT_OID_HEXSZ + 1];
    git_oid_tostr(text, sizeof text, &id);
    return text;
}

}  // namespace

std::string loose_object_name(const std::string& id) { return id.substr(0, 2) + '/' + id.substr(2); }

bool loose_object_reads_back(const std::filesystem::path& file, const std::string& id) {
    std::ifstream in(file, std::ios::binary);
    // Only what the file holds may condemn it: a passing failure to read
    // (no descriptor left, say) must not remove a whole object.
    if (!in) throw std::runtime_error("cannot read the object " + file.string());
    z_stream z{};
    if (inflateInit(&z) != Z_OK) throw std::runtime_error("cannot start zlib");
    // Ended on every way out, a failed read's exception included.
    const struct EndInflate {
        z_stream& z;
        ~EndInflate() { inflateEnd(&z); }
    } end_inflate{z};
    std::vector<char> input(1 << 16);
    std::vector<char> output(1 << 20);
    std::string header;
    bool header_read = false;
    std::string type;
    std::uint64_t announced = 0;
    std::uint64_t content = 0;
    // A blob may be of any size: hashed as it is read. Trees, commits and
    // tags are small: kept, and hashed whole.
    std::unique_ptr<ContentDigest> blob_digest;
    std::string kept;
    bool well_formed = true;
    int result = Z_OK;
    while (well_formed && result != Z_STREAM_END) {
        if (z.avail_in == 0) {
            in.read(input.data(), static_cast<std::streamsize>(input.size()));
            if (in.bad()) throw std::runtime_error("cannot read the object " + file.string());
            if (in.gcount() == 0) break;  // the stream ended early
            z.next_in = reinterpret_cast<Bytef*>(input.data());
            z.avail_in = static_cast<uInt>(in.gcount());
        }
        z.next_out = reinterpret_cast<Bytef*>(output.data());
        z.avail_out = static_cast<uInt>(output.size());
        result = inflate(&z, Z_NO_FLUSH);
        if (result != Z_OK && result != Z_STREAM_END) break;
        std::size_t at = 0;
        const std::size_t produced = output.size() - z.avail_out;
        for (; well_formed && !header_read && at < produced; ++at) {
            if (output[at] != '\0') {
                header += output[at];
                well_formed = header.size() <= longest_header;
                continue;
            }
            header_read = true;
            const std::size_t space = header.find(' ');
            type = header.substr(0, space);
            well_formed = space != std::string::npos &&
                          (type == "blob" || type == "tree" || type == "commit" || type == "tag") &&
                          space + 1 < header.size() && header.size() - space - 1 <= 19;  // no overflow
            for (std::size_t digit = space + 1; well_formed && digit < header.size(); ++digit) {
                well_formed = header[digit] >= '0' && header[digit] <= '9';
                announced = announced * 10 + static_cast<std::uint64_t>(header[digit] - '0');
            }
            if (!well_formed) break;
            if (type == "blob") {
                blob_digest = std::make_unique<ContentDigest>(announced);
            } else if (announced > max_small_object_bytes) {
                well_formed = false;
            } else {
                kept.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, 1 << 20)));  // grows as it reads
            }
        }
        if (!well_formed || !header_read || at == produced) continue;
        content += produced - at;
        if (content > announced) {
            well_formed = false;
        } else if (blob_digest) {
            blob_digest->update(output.data() + at, produced - at);
        } else {
            kept.append(output.data() + at, produced - at);
        }
    }
    if (!well_formed || result != Z_STREAM_END || !header_read || content != announced) return false;
    return (blob_digest ? blob_digest->finish().first : object_id(type, kept)) == id;
}

void remove_loose_object(const std::filesystem::path& file) {
    std::error_code error;
    // Objects are read-only, as git leaves them: Windows removes no read-only file.
    std::filesystem::permissions(file, std::filesystem::perms::owner_write, std::filesystem::perm_options::add, error);
    std::filesystem::remove(file, error);
    if (error) throw std::system_error(error, "cannot remove the damaged object " + file.string());
}

namespace {

// Unique within the process; the state dir is the daemon's alone.
std::string temp_name() {
    static std::atomic<std::uint64_t> next{0};
    return "tmp_object_pdmd_" + std::to_string(next++);
}

}  // namespace

struct StoredLooseObject::Stream {
    z_stream z{};
    std::array<unsigned char, 256 * 1024> out{};
};

StoredLooseObject::StoredLooseObject(const std::filesystem::path& objects_dir, std::uint64_t size)
    : objects_dir_(objects_dir), temp_(objects_dir / temp_name()), stream_(std::make_unique<Stream>()) {
    if (deflateInit(&stream_->z, Z_NO_COMPRESSION) != Z_OK) throw std::runtime_error("cannot start zlib");
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) {
        deflateEnd(&stream_->z);
        throw std::runtime_error("cannot create " + temp_.string());
    }
    const std::string header = "blob " + std::to_string(size) + std::string(1, '\0');
    write(header.data(), header.size());
}

StoredLooseObject::~StoredLooseObject() {
    deflateEnd(&stream_->z);
    if (!finished_) {
        out_.close();
        std::error_code ignored;
        std::filesystem::remove(temp_, ignored);
    }
}

void StoredLooseObject::deflate_into_file(int flush) {
    z_stream& z = stream_->z;
    do {
        z.next_out = stream_->out.data();
        z.avail_out = static_cast<uInt>(stream_->out.size());
        const int result = deflate(&z, flush);
        if (result == Z_STREAM_ERROR) throw std::runtime_error("zlib failed writing " + temp_.string());
        const std::size_t produced = stream_->out.size() - z.avail_out;
        out_.write(reinterpret_cast<const char*>(stream_->out.data()), static_cast<std::streamsize>(produced));
        if (!out_) throw std::runtime_error("cannot write " + temp_.string());
        if (flush == Z_FINISH && result == Z_STREAM_END) return;
    } while (z.avail_out == 0 || (flush == Z_FINISH));
}

void StoredLooseObject::write(const char* data, std::size_t length) {
    constexpr std::size_t most = 1u << 30;  // zlib counts in 32 bits
    while (length > 0) {
        const std::size_t piece = length < most ? length : most;
        stream_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
        stream_->z.avail_in = static_cast<uInt>(piece);
        while (stream_->z.avail_in > 0) deflate_into_file(Z_NO_FLUSH);
        data += piece;
        length -= piece;
    }
}

std::filesystem::path StoredLooseObject::finish(const std::string& blob) {
    deflate_into_file(Z_FINISH);
    out_.close();
    if (!out_) throw std::runtime_error("cannot write " + temp_.string());
    const std::filesystem::path target = objects_dir_ / loose_object_name(blob);
    const std::filesystem::path folder = target.parent_path();
    std::error_code error;
    std::filesystem::create_directory(folder, error);
    if (error) throw std::runtime_error("cannot create " + folder.string() + ": " + error.message());
    std::filesystem::permissions(temp_, std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                                            std::filesystem::perms::others_read,
                                 error);
    if (std::filesystem::exists(target)) {
        std::filesystem::remove(temp_, error);  // the same content, already stored
    } else {
        std::filesystem::rename(temp_, target, error);
        if (error) throw std::runtime_error("cannot store " + target.string() + ": " + error.message());
    }
    finished_ = true;
    return target;
}

}  // namespace pdm

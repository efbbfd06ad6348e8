// SPDX-License-Identifier: Apache-2.0
#pragma once
// A file's git blob id (SHA-1 of "blob SIZE\0" and the bytes) and its SHA-256,
// computed in one pass over its bytes. One implementation per platform:
// OpenSSL (content_digest_openssl.cpp), Windows' CNG (content_digest_win.cpp).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace pdm {

class ContentDigest {
public:
    // `size`: how many bytes update() will be given in all (git's header
    // names it). Throws std::runtime_error when hashing cannot be set up.
    explicit ContentDigest(std::uint64_t size);
    ~ContentDigest();
    ContentDigest(const ContentDigest&) = delete;
    ContentDigest& operator=(const ContentDigest&) = delete;

    void update(const char* data, std::size_t length);
    // {blob id, sha256}, both lowercase hex.
    std::pair<std::string, std::string> finish();

private:
    struct Hashes;
    std::unique_ptr<Hashes> hashes_;
};

// Lowercase hex of `length` bytes.
inline std::string hex_of(const unsigned char* bytes, std::size_t length) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(length * 2);
    for (std::size_t i = 0; i < length; ++i) {
        text += digits[bytes[i] >> 4];
        text += digits[bytes[i] & 15];
    }
    return text;
}

}  // namespace pdm

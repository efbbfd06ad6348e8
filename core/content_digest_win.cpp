// SPDX-License-Identifier: Apache-2.0
#include <windows.h>
#include <bcrypt.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "core/content_digest.hpp"

namespace pdm {

namespace {

// One CNG hash object; the algorithm provider is opened per object, which
// costs microseconds against the megabytes hashed.
class CngHash {
public:
    explicit CngHash(const wchar_t* algorithm) {
        if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&provider_, algorithm, nullptr, 0)))
            throw std::runtime_error("cannot set up hashing");
        if (!BCRYPT_SUCCESS(BCryptCreateHash(provider_, &hash_, nullptr, 0, nullptr, 0, 0))) {
            BCryptCloseAlgorithmProvider(provider_, 0);  // the destructor of a half-made object never runs
            throw std::runtime_error("cannot set up hashing");
        }
    }
    ~CngHash() {
        if (hash_) BCryptDestroyHash(hash_);
        if (provider_) BCryptCloseAlgorithmProvider(provider_, 0);
    }
    CngHash(const CngHash&) = delete;
    CngHash& operator=(const CngHash&) = delete;

    void update(const char* data, std::size_t length) {
        while (length > 0) {  // BCryptHashData takes a ULONG count
            const ULONG piece = static_cast<ULONG>(std::min<std::size_t>(length, 1u << 30));
            auto* bytes = reinterpret_cast<PUCHAR>(const_cast<char*>(data));
            if (!BCRYPT_SUCCESS(BCryptHashData(hash_, bytes, piece, 0))) throw std::runtime_error("cannot hash");
            data += piece;
            length -= piece;
        }
    }
    std::string finish_hex() {
        DWORD length = 0;
        ULONG got = 0;
        if (!BCRYPT_SUCCESS(BCryptGetProperty(hash_, BCRYPT_HASH_LENGTH, reinterpret_cast<PUCHAR>(&length),
                                              sizeof length, &got, 0)))
            throw std::runtime_error("cannot finish hashing");
        std::vector<unsigned char> digest(length);
        if (!BCRYPT_SUCCESS(BCryptFinishHash(hash_, digest.data(), length, 0)))
            throw std::runtime_error("cannot finish hashing");
        return hex_of(digest.data(), digest.size());
    }

private:
    BCRYPT_ALG_HANDLE provider_ = nullptr;
    BCRYPT_HASH_HANDLE hash_ = nullptr;
};

}  // namespace

struct ContentDigest::Hashes {
    CngHash sha1{BCRYPT_SHA1_ALGORITHM};
    CngHash sha256{BCRYPT_SHA256_ALGORITHM};
};

ContentDigest::ContentDigest(std::uint64_t size) : hashes_(std::make_unique<Hashes>()) {
    const std::string header = "blob " + std::to_string(size);
    hashes_->sha1.update(header.c_str(), header.size() + 1);  // with its NUL
}

ContentDigest::~ContentDigest() = default;

void ContentDigest::update(const char* data, std::size_t length) {
    hashes_->sha1.update(data, length);
    hashes_->sha256.update(data, length);
}

std::pair<std::string, std::string> ContentDigest::finish() {
    return {hashes_->sha1.finish_hex(), hashes_->sha256.finish_hex()};
}

}  // namespace pdm

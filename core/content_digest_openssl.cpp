// SPDX-License-Identifier: Apache-2.0
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

#include "core/content_digest.hpp"

namespace pdm {

struct ContentDigest::Hashes {
    struct FreeContext {
        void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, FreeContext> sha1{EVP_MD_CTX_new()};
    std::unique_ptr<EVP_MD_CTX, FreeContext> sha256{EVP_MD_CTX_new()};

    static std::string final_hex(EVP_MD_CTX* context) {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        if (EVP_DigestFinal_ex(context, digest.data(), &length) != 1) throw std::runtime_error("cannot finish hashing");
        return hex_of(digest.data(), length);
    }
};

ContentDigest::ContentDigest(std::uint64_t size) : hashes_(std::make_unique<Hashes>()) {
    if (!hashes_->sha1 || !hashes_->sha256 || EVP_DigestInit_ex(hashes_->sha1.get(), EVP_sha1(), nullptr) != 1 ||
        EVP_DigestInit_ex(hashes_->sha256.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("cannot set up hashing");
    const std::string header = "blob " + std::to_string(size);
    EVP_DigestUpdate(hashes_->sha1.get(), header.c_str(), header.size() + 1);  // with its NUL
}

ContentDigest::~ContentDigest() = default;

void ContentDigest::update(const char* data, std::size_t length) {
    EVP_DigestUpdate(hashes_->sha1.get(), data, length);
    EVP_DigestUpdate(hashes_->sha256.get(), data, length);
}

std::pair<std::string, std::string> ContentDigest::finish() {
    return {Hashes::final_hex(hashes_->sha1.get()), Hashes::final_hex(hashes_->sha256.get())};
}

}  // namespace pdm

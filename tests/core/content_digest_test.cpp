// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <string>

#include "core/content_digest.hpp"

BOOST_AUTO_TEST_SUITE(content_digest)

// The figures git and sha256sum print for the same bytes.
BOOST_AUTO_TEST_CASE(gives_gits_blob_id_and_the_sha256_of_the_bytes) {
    const std::string text = "hello";
    pdm::ContentDigest digest(text.size());
    digest.update(text.data(), 2);
    digest.update(text.data() + 2, text.size() - 2);
    const auto [blob, sha256] = digest.finish();
    BOOST_TEST(blob == "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0");  // printf hello | git hash-object --stdin
    BOOST_TEST(sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_gits_empty_blob_id) {
    pdm::ContentDigest digest(0);
    const auto [blob, sha256] = digest.finish();
    BOOST_TEST(blob == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");  // git hash-object /dev/null
    BOOST_TEST(sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_SUITE_END()

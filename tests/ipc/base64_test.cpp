// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <random>

#include "ipc/base64.hpp"

using pdm::ipc::base64_decode;
using pdm::ipc::base64_encode;

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(encodes_the_rfc_4648_test_vectors) {
    BOOST_TEST(base64_encode("") == "");
    BOOST_TEST(base64_encode("f") == "Zg==");
    BOOST_TEST(base64_encode("fo") == "Zm8=");
    BOOST_TEST(base64_encode("foo") == "Zm9v");
    BOOST_TEST(base64_encode("foob") == "Zm9vYg==");
    BOOST_TEST(base64_encode("fooba") == "Zm9vYmE=");
    BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(every_byte_value_survives_the_round_trip) {
    std::mt19937 random(7);
    for (std::size_t length = 0; length < 300; ++length) {
        std::string bytes(length, '\0');
        for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
        const auto decoded = base64_decode(base64_encode(bytes));
        BOOST_REQUIRE(decoded);
        BOOST_TEST(*decoded == bytes);
    }
}

BOOST_AUTO_TEST_CASE(text_that_is_not_canonical_base64_is_refused) {
    BOOST_TEST(!base64_decode("Zg="));       // length not a multiple of 4
    BOOST_TEST(!base64_decode("Z==="));      // too much padding
    BOOST_TEST(!base64_decode("Zg==Zm8="));  // padding before the end
    BOOST_TEST(!base64_decode("Zh=="));      // leftover bits set
    BOOST_TEST(!base64_decode("Zm9v\n"));
    BOOST_TEST(!base64_decode("Zm-v"));
    BOOST_TEST(!base64_decode("Z=9v"));
}

BOOST_AUTO_TEST_SUITE_END()

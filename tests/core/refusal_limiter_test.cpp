// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/refusal_limiter.hpp"

BOOST_AUTO_TEST_SUITE(refusal_limiter)

BOOST_AUTO_TEST_CASE(at_most_n_refusals_a_minute_are_audited_and_the_rest_counted_in_the_next) {
    pdm::RefusalLimiter limiter(3);
    const pdm::TimePoint start(std::chrono::seconds(1795428000));
    std::uint64_t suppressed = 99;
    int audited = 0;
    for (int i = 0; i < 10; ++i) audited += limiter.admit("mallory", start + std::chrono::seconds(i), suppressed) ? 1 : 0;
    BOOST_TEST(audited == 3);
    BOOST_TEST(suppressed == 0u);
    // Someone else is not held back by mallory.
    BOOST_TEST(limiter.admit("alice", start, suppressed));
    // A minute later the next one is audited, and says how many were not.
    BOOST_TEST(limiter.admit("mallory", start + std::chrono::seconds(61), suppressed));
    BOOST_TEST(suppressed == 7u);
    BOOST_TEST(limiter.admit("mallory", start + std::chrono::seconds(62), suppressed));
    BOOST_TEST(suppressed == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

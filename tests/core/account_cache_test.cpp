// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "core/account_cache.hpp"

using namespace std::chrono_literals;
using pdm::AccountCache;

BOOST_AUTO_TEST_SUITE(account_cache)

BOOST_AUTO_TEST_CASE(an_answer_is_kept_both_ways_until_it_is_too_old) {
    AccountCache cache(10s);
    const AccountCache::Clock::time_point start{};
    BOOST_TEST(!cache.id_of("alice", start).has_value());
    cache.remember("alice", 1001, start);
    BOOST_TEST(cache.id_of("alice", start + 9s).value() == 1001u);
    BOOST_TEST(cache.name_of(1001, start + 9s).value() == "alice");
    BOOST_TEST(!cache.id_of("alice", start + 10s).has_value());
    BOOST_TEST(!cache.name_of(1001, start + 10s).has_value());
    BOOST_TEST(!cache.id_of("bob", start).has_value());
}

BOOST_AUTO_TEST_CASE(a_renumbered_account_replaces_what_was_kept) {
    AccountCache cache(10s);
    const AccountCache::Clock::time_point start{};
    cache.remember("alice", 1001, start);
    cache.remember("alice", 1002, start + 1s);
    BOOST_TEST(cache.id_of("alice", start + 2s).value() == 1002u);
    BOOST_TEST(cache.name_of(1002, start + 2s).value() == "alice");
    BOOST_TEST(!cache.name_of(1001, start + 2s).has_value());
}

BOOST_AUTO_TEST_CASE(past_its_size_it_forgets_everything_rather_than_grow) {
    AccountCache cache(10s, 3);
    const AccountCache::Clock::time_point start{};
    cache.remember("a", 1, start);
    cache.remember("b", 2, start);
    cache.remember("c", 3, start);
    cache.remember("d", 4, start);
    BOOST_TEST(!cache.id_of("a", start).has_value());
    BOOST_TEST(cache.id_of("d", start).value() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <deque>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/flat_text_map.hpp"
#include "core/revision_index.hpp"
#include "core/text_arena.hpp"

using pdm::RevisionIndex;
using pdm::TextArena;

namespace {

// What each revision is, as a number the test can follow.
std::vector<int> numbers(const RevisionIndex<int>& index, const std::string& path) { return index.of(path); }

}  // namespace

BOOST_AUTO_TEST_SUITE(revision_index)

BOOST_AUTO_TEST_CASE(each_path_lists_its_own_revisions_oldest_first_however_they_interleave) {
    RevisionIndex<int> index;
    index.append("parts/a.mcam", 1);
    index.append("parts/b.mcam", 2);
    index.append("parts/a.mcam", 3);
    index.append("parts/c.mcam", 4);
    index.append("parts/a.mcam", 5);
    BOOST_TEST(numbers(index, "parts/a.mcam") == (std::vector<int>{1, 3, 5}), boost::test_tools::per_element());
    BOOST_TEST(numbers(index, "parts/b.mcam") == std::vector<int>{2}, boost::test_tools::per_element());
    BOOST_TEST(index.count("parts/a.mcam") == 3u);
    BOOST_TEST(index.count("parts/c.mcam") == 1u);
    BOOST_TEST(index.count("parts/none.mcam") == 0u);
    BOOST_TEST(index.of("parts/none.mcam").empty());
    BOOST_TEST(index.of("parts/a").empty());  // a prefix is another path
}

BOOST_AUTO_TEST_CASE(taking_back_the_newest_revisions_leaves_the_older_ones_and_forgets_a_path_left_with_none) {
    RevisionIndex<int> index;
    index.append("a", 1);
    index.append("b", 2);
    index.append("a", 3);
    index.append("c", 4);
    // As a commit that never became the history is taken back: newest first.
    index.remove_newest("c");
    index.remove_newest("a");
    BOOST_TEST(numbers(index, "a") == std::vector<int>{1}, boost::test_tools::per_element());
    BOOST_TEST(index.count("c") == 0u);
    index.append("c", 5);
    index.append("a", 6);
    BOOST_TEST(numbers(index, "a") == (std::vector<int>{1, 6}), boost::test_tools::per_element());
    BOOST_TEST(numbers(index, "c") == std::vector<int>{5}, boost::test_tools::per_element());
    BOOST_TEST(numbers(index, "b") == std::vector<int>{2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_revision_taken_back_out_of_order_is_no_longer_listed) {
    RevisionIndex<int> index;
    index.append("a", 1);
    index.append("b", 2);
    index.remove_newest("a");  // not the table's last
    BOOST_TEST(index.count("a") == 0u);
    index.append("a", 3);
    BOOST_TEST(numbers(index, "a") == std::vector<int>{3}, boost::test_tools::per_element());
    BOOST_TEST(numbers(index, "b") == std::vector<int>{2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_newest_revisions_are_walked_back_from_the_newest_with_their_positions) {
    RevisionIndex<int> index;
    for (int i = 1; i <= 5; ++i) {
        index.append("parts/a.mcam", i * 10);
        index.append("parts/b.mcam", i);
    }
    BOOST_TEST(*index.newest("parts/a.mcam") == 50);
    BOOST_TEST(!index.newest("parts/none.mcam"));
    std::vector<std::pair<int, std::size_t>> walked;
    index.newest_first("parts/a.mcam", 2, [&](int revision, std::size_t position) { walked.emplace_back(revision, position); });
    BOOST_REQUIRE(walked.size() == 2u);
    BOOST_TEST(walked[0].first == 50);
    BOOST_TEST(walked[0].second == 4u);
    BOOST_TEST(walked[1].first == 40);
    BOOST_TEST(walked[1].second == 3u);
    walked.clear();
    index.newest_first("parts/b.mcam", 0, [&](int revision, std::size_t position) { walked.emplace_back(revision, position); });
    BOOST_REQUIRE(walked.size() == 5u);
    BOOST_TEST(walked.back().first == 1);
    BOOST_TEST(walked.back().second == 0u);
    index.remove_newest("parts/a.mcam");
    BOOST_TEST(*index.newest("parts/a.mcam") == 40);
}

BOOST_AUTO_TEST_CASE(thousands_of_paths_keep_their_text_across_the_arenas_blocks) {
    RevisionIndex<int> index;
    const auto path_of = [](int i) { return "folder" + std::to_string(i % 97) + "/part-" + std::to_string(i) + ".mcam"; };
    for (int i = 0; i < 20000; ++i) index.append(path_of(i), i);
    for (int i = 0; i < 20000; ++i) index.append(path_of(i), -i);
    index.shrink_to_fit();
    for (int i = 0; i < 20000; i += 7) {
        BOOST_TEST_INFO("path " << path_of(i));
        BOOST_TEST(numbers(index, path_of(i)) == (std::vector<int>{i, -i}), boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(text_arena)

BOOST_AUTO_TEST_CASE(stored_texts_keep_their_content_and_address_as_more_are_stored) {
    TextArena arena;
    std::vector<std::string_view> stored;
    std::vector<std::string> expected;
    for (int i = 0; i < 5000; ++i) {
        // Mostly short, now and then one longer than a block's quarter, or a whole block.
        const std::size_t length = i % 500 == 0 ? 70000 : i % 250 == 0 ? 20000 : static_cast<std::size_t>(i % 40);
        expected.push_back(std::string(length, static_cast<char>('a' + i % 26)));
        stored.push_back(arena.store(expected.back()));
    }
    for (std::size_t i = 0; i < stored.size(); ++i) {
        BOOST_TEST_INFO("text " << i);
        BOOST_TEST(stored[i] == expected[i]);
    }
    BOOST_TEST(arena.bytes_reserved() >= 10u * 70000u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(flat_text_map)

// Random adds and removes, checked step by step against std::map: probing
// runs that wrap round the table's end, removals from the middle of a run,
// and the table growing while entries are being removed.
BOOST_AUTO_TEST_CASE(finds_what_std_map_finds_through_any_mix_of_adds_and_removes) {
    std::deque<std::string> texts;  // the keys' storage: a deque never moves what it holds
    for (int i = 0; i < 3000; ++i) texts.push_back("parts/" + std::to_string(i) + ".mcam");
    pdm::FlatTextMap<int> map;
    std::map<std::string, int> expected;
    std::mt19937 random(18);
    for (int step = 0; step < 40000; ++step) {
        const std::string& key = texts[random() % (step < 20000 ? texts.size() : texts.size() / 10)];
        if (random() % 3 == 0) {
            map.erase(key);
            expected.erase(key);
        } else {
            map.find_or_add(key) += 1;
            expected[key] += 1;
        }
        if (step % 997 == 0) {
            for (const std::string& text : texts) {
                const int* found = map.find(text);
                const auto wanted = expected.find(text);
                BOOST_REQUIRE_EQUAL(found != nullptr, wanted != expected.end());
                if (found) BOOST_REQUIRE_EQUAL(*found, wanted->second);
            }
        }
    }
    BOOST_TEST(map.size() == expected.size());
    for (const auto& [text, count] : expected) BOOST_TEST(*map.find(text) == count);
    map.erase("not there");
    BOOST_TEST(map.size() == expected.size());
}

BOOST_AUTO_TEST_CASE(an_empty_text_is_a_key_like_any_other) {
    pdm::FlatTextMap<int> map;
    BOOST_TEST(!map.find(""));
    map.find_or_add(std::string_view()) = 7;
    BOOST_TEST(*map.find("") == 7);
    map.erase("");
    BOOST_TEST(!map.find(""));
    BOOST_TEST(map.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

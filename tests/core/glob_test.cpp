// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/error.hpp"
#include "core/glob.hpp"

using pdm::Glob;

BOOST_AUTO_TEST_SUITE(glob)

BOOST_AUTO_TEST_CASE(pattern_without_slash_matches_the_file_name_in_any_folder) {
    const Glob glob("*.mcam");
    BOOST_TEST(glob.matches("a.mcam"));
    BOOST_TEST(glob.matches("parts/brackets/a.mcam"));
    BOOST_TEST(!glob.matches("parts/a.nc"));
}

BOOST_AUTO_TEST_CASE(pattern_with_slash_matches_the_whole_path) {
    BOOST_TEST(Glob("parts/*.mcam").matches("parts/a.mcam"));
    BOOST_TEST(!Glob("parts/*.mcam").matches("parts/sub/a.mcam"));
    BOOST_TEST(Glob("parts/**").matches("parts/sub/deeper/a.mcam"));
    BOOST_TEST(Glob("parts/**/a.mcam").matches("parts/a.mcam"));
    BOOST_TEST(Glob("parts/**/a.mcam").matches("parts/x/y/a.mcam"));
    BOOST_TEST(!Glob("parts/**/a.mcam").matches("other/a.mcam"));
    BOOST_TEST(Glob("**/PN20*").matches("parts/housings/PN2040.mcam"));
}

BOOST_AUTO_TEST_CASE(question_mark_and_brackets) {
    BOOST_TEST(Glob("PN100?.mcam").matches("PN1001.mcam"));
    BOOST_TEST(!Glob("PN100?.mcam").matches("PN10011.mcam"));
    BOOST_TEST(Glob("PN[12]*.mcam").matches("PN2040.mcam"));
    BOOST_TEST(!Glob("PN[!12]*.mcam").matches("PN2040.mcam"));
    BOOST_TEST(Glob("PN[0-9][0-9]*").matches("PN42"));
    BOOST_TEST(Glob("a[b").matches("a[b"));  // an unclosed bracket is literal
}

BOOST_AUTO_TEST_CASE(single_star_never_crosses_a_folder) {
    BOOST_TEST(!Glob("a*b/c").matches("a/x/b/c"));
    BOOST_TEST(Glob("a*/c").matches("abc/c"));
}

BOOST_AUTO_TEST_CASE(star_runs_and_folder_globs_combine) {
    BOOST_TEST(Glob("a***b").matches("axxb"));
    BOOST_TEST(!Glob("a***b").matches("ax/xb"));
    BOOST_TEST(Glob("**/**/c.mcam").matches("c.mcam"));
    BOOST_TEST(Glob("**/**/c.mcam").matches("a/b/c.mcam"));
    BOOST_TEST(Glob("a/**").matches("a/"));
    BOOST_TEST(Glob("a/**b").matches("a/x/yb"));
    BOOST_TEST(!Glob("a/*/c").matches("a/c"));
}

BOOST_AUTO_TEST_CASE(hostile_patterns_on_long_paths_give_correct_answers) {
    // Worst cases for a backtracking matcher; this one answers in
    // tokens x length steps. A regression to exponential or cubic time shows
    // as this test hanging under ctest's timeout.
    std::string long_path;
    for (int i = 0; i < 40; ++i) long_path += "folder" + std::to_string(i) + "/";
    long_path += std::string(300, 'a');
    std::string folders;  // "**/**/**/...": each may match no folder at all
    while (folders.size() + 5 <= Glob::max_pattern_length) folders += "**/";
    BOOST_TEST(Glob(folders + "*").matches(long_path));
    BOOST_TEST(!Glob(folders + "*b").matches(long_path));
    std::string segments;  // "*/*/*/..." with more segments than the path has
    while (segments.size() + 3 <= Glob::max_pattern_length) segments += "*/";
    BOOST_TEST(!Glob(segments + "*").matches(long_path));
    std::string alternating;
    while (alternating.size() + 2 <= Glob::max_pattern_length - 1) alternating += "*a";
    BOOST_TEST(!Glob(alternating + "b").matches(std::string(1000, 'a')));
    for (int i = 0; i < 10000; ++i) BOOST_REQUIRE(!Glob("**a**a**a**a**a**a**b/x").matches(long_path));
}

BOOST_AUTO_TEST_CASE(empty_or_huge_pattern_is_a_bad_request) {
    BOOST_CHECK_THROW(Glob(""), pdm::PdmError);
    BOOST_CHECK_THROW(Glob(std::string(Glob::max_pattern_length + 1, '*')), pdm::PdmError);
}

BOOST_AUTO_TEST_SUITE_END()

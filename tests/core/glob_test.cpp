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

BOOST_AUTO_TEST_CASE(hostile_pattern_finishes) {
    const std::string text(200, 'a');
    BOOST_TEST(!Glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b").matches(text));
    BOOST_TEST(!Glob("**a**a**a**a**a**a**a**a**a**a**b/x").matches(text));
}

BOOST_AUTO_TEST_CASE(empty_or_huge_pattern_is_a_bad_request) {
    BOOST_CHECK_THROW(Glob(""), pdm::PdmError);
    BOOST_CHECK_THROW(Glob(std::string(Glob::max_pattern_length + 1, '*')), pdm::PdmError);
}

BOOST_AUTO_TEST_SUITE_END()

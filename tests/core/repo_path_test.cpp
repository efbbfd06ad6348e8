// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "core/error.hpp"
#include "core/repo_path.hpp"

using pdm::ErrorCode;
using pdm::PdmError;

BOOST_AUTO_TEST_SUITE(repo_path)

BOOST_AUTO_TEST_CASE(normalizes_redundant_separators_and_dot_segments) {
    BOOST_TEST(pdm::normalize_repo_path("parts/PN1001.mcam") == "parts/PN1001.mcam");
    BOOST_TEST(pdm::normalize_repo_path("parts//./PN1001.mcam/") == "parts/PN1001.mcam");
    BOOST_TEST(pdm::normalize_repo_path("./a/b") == "a/b");
    BOOST_TEST(pdm::normalize_repo_path("Überteil ø.mcam") == "Überteil ø.mcam");
}

BOOST_AUTO_TEST_CASE(rejects_every_unsafe_form_as_invalid_path) {
    const char* hostile[] = {"",          "/etc/passwd", "../secret",    "parts/../../x", "a/..",
                             "parts\\x",  "C:/x",        "a\tb",         ".",             "./",
                             "a/\x1b[2J", "x\x7f"};
    for (const char* path : hostile) {
        BOOST_TEST_CONTEXT("path '" << path << "'") {
            BOOST_CHECK_EXCEPTION(pdm::normalize_repo_path(path), PdmError,
                                  [](const PdmError& e) { return e.code() == ErrorCode::invalid_path; });
        }
    }
    const std::string with_nul("a\0b", 3);
    BOOST_CHECK_THROW(pdm::normalize_repo_path(with_nul), PdmError);
    // Found by fuzzing (tests/fuzz/repo_path_fuzz.cpp): a drive letter behind "./", which
    // normalised to a name that normalising again refused; bytes that are not UTF-8.
    BOOST_CHECK_EXCEPTION(pdm::normalize_repo_path("./c:a./b"), PdmError,
                          [](const PdmError& e) { return e.code() == ErrorCode::invalid_path; });
    BOOST_CHECK_EXCEPTION(pdm::normalize_repo_path("dIr\xa9.mc/"), PdmError,
                          [](const PdmError& e) { return e.code() == ErrorCode::invalid_path; });
}

BOOST_AUTO_TEST_CASE(names_the_offending_path_in_details) {
    try {
        pdm::normalize_repo_path("../x");
        BOOST_FAIL("no error");
    } catch (const PdmError& error) {
        BOOST_TEST(error.details()["path"] == "../x");
    }
}

BOOST_AUTO_TEST_CASE(spots_hidden_segments_anywhere) {
    BOOST_TEST(pdm::has_hidden_segment(".pdm/locks.json"));
    BOOST_TEST(pdm::has_hidden_segment("parts/.~lock.x.mcam"));
    BOOST_TEST(!pdm::has_hidden_segment("parts/x.mcam"));
    BOOST_TEST(!pdm::has_hidden_segment("parts/x.v2.mcam"));
}

BOOST_AUTO_TEST_CASE(accepts_only_well_formed_utf8) {
    BOOST_TEST(pdm::is_valid_utf8("plain"));
    BOOST_TEST(pdm::is_valid_utf8("Überteil €𝄞"));
    BOOST_TEST(!pdm::is_valid_utf8("\xff"));
    BOOST_TEST(!pdm::is_valid_utf8("\xc0\xaf"));          // overlong '/'
    BOOST_TEST(!pdm::is_valid_utf8("\xed\xa0\x80"));      // surrogate
    BOOST_TEST(!pdm::is_valid_utf8("\xe2\x82"));          // truncated
    BOOST_TEST(!pdm::is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

BOOST_AUTO_TEST_SUITE_END()

// SPDX-License-Identifier: Apache-2.0
#pragma once
// File-name patterns for `list --match` and `--include`.
//
//   *    any run of characters except '/'
//   **   any run of characters, '/' included ("parts/**" is everything below parts/)
//   **/  no folder or any number of folders ("a/**/b" matches "a/b" and "a/x/y/b")
//   ?    one character except '/'
//   [..] one character from a set or range; [!..] or [^..] negates; never '/'
//
// A pattern without '/' is matched against the file name alone, in every
// folder ("*.mcam"); a pattern with '/' is matched against the whole path.
// Matching costs at most (pattern tokens) x (path length) steps, whatever the
// pattern: a client cannot make it slow.

#include <string>
#include <string_view>
#include <vector>

namespace pdm {

class Glob {
public:
    static constexpr std::size_t max_pattern_length = 1024;

    // Throws PdmError(bad_request) for an empty or over-long pattern.
    explicit Glob(std::string pattern);

    bool matches(std::string_view path) const;
    const std::string& pattern() const { return pattern_; }

private:
    enum class Kind { literal, any_char, set, star, globstar, globstar_folders };
    struct Token {
        Kind kind = Kind::literal;
        char literal = 0;
        std::string set;  // for Kind::set: the characters and "a-z" ranges
        bool negated = false;
        bool accepts(char c) const;
    };

    std::string pattern_;
    bool match_basename_;
    std::vector<Token> tokens_;
};

}  // namespace pdm

#pragma once
// File-name patterns for `list --match` and `--include`.
//
//   *    any run of characters except '/'
//   **   any run of characters, '/' included ("parts/**" is everything below parts/)
//   ?    one character except '/'
//   [..] one character from a set or range; [!..] or [^..] negates
//
// A pattern without '/' is matched against the file name alone, in every
// folder ("*.mcam"); a pattern with '/' is matched against the whole path.

#include <string>
#include <string_view>

namespace pdm {

class Glob {
public:
    static constexpr std::size_t max_pattern_length = 1024;

    // Throws PdmError(bad_request) for an empty or over-long pattern.
    explicit Glob(std::string pattern);

    bool matches(std::string_view path) const;
    const std::string& pattern() const { return pattern_; }

private:
    std::string pattern_;
    bool match_basename_;
};

}  // namespace pdm

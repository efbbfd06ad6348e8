#include "core/glob.hpp"

#include <vector>

#include "core/error.hpp"

namespace pdm {
namespace {

// Matches `text` against a bracket expression starting at pattern[p] == '['.
// Sets `next` to the index after the closing ']'. An unterminated '[' is a literal.
bool match_bracket(std::string_view pattern, std::size_t p, char c, std::size_t& next) {
    std::size_t i = p + 1;
    bool negate = false;
    if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        negate = true;
        ++i;
    }
    bool matched = false;
    bool first = true;
    for (; i < pattern.size() && (first || pattern[i] != ']'); ++i, first = false) {
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            if (pattern[i] <= c && c <= pattern[i + 2]) matched = true;
            i += 2;
        } else if (pattern[i] == c) {
            matched = true;
        }
    }
    if (i >= pattern.size()) {  // no closing bracket: '[' stands for itself
        next = p + 1;
        return c == '[';
    }
    next = i + 1;
    return matched != negate && c != '/';
}

// Backtracking matcher. Failed (pattern, text) positions are remembered, so a
// hostile pattern ("*a*a*a*a*b") costs at most pattern x text steps, never
// exponential time; recursion depth is bounded by the number of stars.
class Matcher {
public:
    Matcher(std::string_view pattern, std::string_view text)
        : pattern_(pattern), text_(text), failed_((pattern.size() + 1) * (text.size() + 1), false) {}

    bool run(std::size_t p, std::size_t t) {
        while (p < pattern_.size()) {
            const char pc = pattern_[p];
            if (pc == '*') return match_star(p, t);
            if (t == text_.size()) return false;
            if (pc == '?') {
                if (text_[t] == '/') return false;
                ++p;
            } else if (pc == '[') {
                std::size_t next = 0;
                if (!match_bracket(pattern_, p, text_[t], next)) return false;
                p = next;
            } else {
                if (pc != text_[t]) return false;
                ++p;
            }
            ++t;
        }
        return t == text_.size();
    }

private:
    bool match_star(std::size_t p, std::size_t t) {
        const bool crosses_slash = p + 1 < pattern_.size() && pattern_[p + 1] == '*';
        const std::size_t rest = p + (crosses_slash ? 2 : 1);
        // "**/" also matches no folder at all: "a/**/b" matches "a/b".
        if (crosses_slash && rest < pattern_.size() && pattern_[rest] == '/' && attempt(rest + 1, t))
            return true;
        for (std::size_t k = t;; ++k) {
            if (attempt(rest, k)) return true;
            if (k == text_.size() || (!crosses_slash && text_[k] == '/')) return false;
        }
    }

    bool attempt(std::size_t p, std::size_t t) {
        const std::size_t cell = p * (text_.size() + 1) + t;
        if (failed_[cell]) return false;
        if (run(p, t)) return true;
        failed_[cell] = true;
        return false;
    }

    std::string_view pattern_;
    std::string_view text_;
    std::vector<bool> failed_;
};

}  // namespace

Glob::Glob(std::string pattern)
    : pattern_(std::move(pattern)), match_basename_(pattern_.find('/') == std::string::npos) {
    if (pattern_.empty()) throw PdmError(ErrorCode::bad_request, "the pattern is empty");
    if (pattern_.size() > max_pattern_length)
        throw PdmError(ErrorCode::bad_request,
                       "the pattern is longer than " + std::to_string(max_pattern_length) + " characters");
}

bool Glob::matches(std::string_view path) const {
    if (match_basename_) {
        const std::size_t slash = path.rfind('/');
        if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    }
    return Matcher(pattern_, path).run(0, 0);
}

}  // namespace pdm

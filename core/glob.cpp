// SPDX-License-Identifier: Apache-2.0
#include "core/glob.hpp"

#include "core/error.hpp"

namespace pdm {

bool Glob::Token::accepts(char c) const {
    switch (kind) {
        case Kind::literal:
            return c == literal;
        case Kind::any_char:
            return c != '/';
        case Kind::set: {
            if (c == '/') return false;
            bool found = false;
            for (std::size_t i = 0; i < set.size() && !found; ++i) {
                if (i + 2 < set.size() && set[i + 1] == '-') {
                    found = set[i] <= c && c <= set[i + 2];
                    i += 2;
                } else {
                    found = set[i] == c;
                }
            }
            return found != negated;
        }
        default:
            return false;
    }
}

namespace {

template <typename Token, typename Kind>
Token make_token(Kind kind, char literal = 0) {
    Token token;
    token.kind = kind;
    token.literal = literal;
    return token;
}

}  // namespace

Glob::Glob(std::string pattern)
    : pattern_(std::move(pattern)), match_basename_(pattern_.find('/') == std::string::npos) {
    if (pattern_.empty()) throw PdmError(ErrorCode::bad_request, "the pattern is empty");
    if (pattern_.size() > max_pattern_length) {
        throw PdmError(ErrorCode::bad_request,
                       "the pattern is longer than " + std::to_string(max_pattern_length) + " characters");
    }
    for (std::size_t p = 0; p < pattern_.size();) {
        const char c = pattern_[p];
        if (c == '*') {
            const bool double_star = p + 1 < pattern_.size() && pattern_[p + 1] == '*';
            if (!double_star) {
                tokens_.push_back(make_token<Token>(Kind::star));
                p += 1;
            } else if (p + 2 < pattern_.size() && pattern_[p + 2] == '/') {
                tokens_.push_back(make_token<Token>(Kind::globstar_folders));
                p += 3;
            } else {
                tokens_.push_back(make_token<Token>(Kind::globstar));
                p += 2;
            }
            // Runs of stars mean no more than one star: keep the token list short.
            while (tokens_.size() >= 2 && tokens_.back().kind == tokens_[tokens_.size() - 2].kind &&
                   tokens_.back().kind != Kind::globstar_folders)
                tokens_.pop_back();
            continue;
        }
        if (c == '?') {
            tokens_.push_back(make_token<Token>(Kind::any_char));
            ++p;
            continue;
        }
        if (c == '[') {
            std::size_t i = p + 1;
            Token token = make_token<Token>(Kind::set);
            if (i < pattern_.size() && (pattern_[i] == '!' || pattern_[i] == '^')) {
                token.negated = true;
                ++i;
            }
            const std::size_t first = i;
            while (i < pattern_.size() && (i == first || pattern_[i] != ']')) ++i;
            if (i < pattern_.size()) {  // closed: a set; an unclosed '[' is a literal
                token.set = pattern_.substr(first, i - first);
                tokens_.push_back(std::move(token));
                p = i + 1;
                continue;
            }
        }
        tokens_.push_back(make_token<Token>(Kind::literal, c));
        ++p;
    }
}

bool Glob::matches(std::string_view path) const {
    if (match_basename_) {
        const std::size_t slash = path.rfind('/');
        if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    }
    // next[t]: do the tokens after the current one match path[t..]? Built from
    // the last token backwards, one row per token.
    const std::size_t length = path.size();
    std::vector<char> next(length + 1, 0), row(length + 1, 0);
    next[length] = 1;
    for (auto token = tokens_.rbegin(); token != tokens_.rend(); ++token) {
        switch (token->kind) {
            case Kind::star:
            case Kind::globstar: {
                const bool crosses = token->kind == Kind::globstar;
                row[length] = next[length];
                for (std::size_t t = length; t-- > 0;)
                    row[t] = next[t] || ((crosses || path[t] != '/') && row[t + 1]);
                break;
            }
            case Kind::globstar_folders: {
                // Either nothing, or any run that ends with '/'.
                bool run_to_slash = false;  // some k >= t with path[k] == '/' and next[k + 1]
                row[length] = next[length];
                for (std::size_t t = length; t-- > 0;) {
                    if (path[t] == '/' && next[t + 1]) run_to_slash = true;
                    row[t] = next[t] || run_to_slash;
                }
                break;
            }
            default:
                row[length] = 0;
                for (std::size_t t = 0; t < length; ++t) row[t] = token->accepts(path[t]) && next[t + 1];
                break;
        }
        std::swap(row, next);
    }
    return next[0] != 0;
}

}  // namespace pdm

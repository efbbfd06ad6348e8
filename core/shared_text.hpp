// SPDX-License-Identifier: Apache-2.0
#pragma once
// An immutable string that every copy shares: a check-out of 1,000 files
// holds its message once, not once per lock.

#include <memory>
#include <ostream>
#include <string>

namespace pdm {

class SharedText {
public:
    SharedText() : text_(empty()) {}
    SharedText(std::string text) : text_(std::make_shared<const std::string>(std::move(text))) {}  // NOLINT: implicit by design
    SharedText(const char* text) : SharedText(std::string(text)) {}                                  // NOLINT

    const std::string& str() const { return *text_; }
    operator const std::string&() const { return *text_; }  // NOLINT: reads like the string it is
    bool operator==(const SharedText& other) const { return *text_ == *other.text_; }
    // The same stored text (not merely equal text).
    bool shares_with(const SharedText& other) const { return text_ == other.text_; }
    friend std::ostream& operator<<(std::ostream& out, const SharedText& text) { return out << *text.text_; }

private:
    static const std::shared_ptr<const std::string>& empty() {
        static const auto none = std::make_shared<const std::string>();
        return none;
    }

    std::shared_ptr<const std::string> text_;
};

}  // namespace pdm

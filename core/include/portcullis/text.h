// Portcullis core: UTF-8 facts every validator relies on.
//
// All text in the core is UTF-8 in a std::string_view. These functions never allocate and never
// fail loudly: malformed input is reported through their return values.

#ifndef PORTCULLIS_TEXT_H_
#define PORTCULLIS_TEXT_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace portcullis {

// Returns true if `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
bool is_valid_utf8(std::string_view text);

// Returns the length of `text` in UTF-16 code units, which is how JavaScript's String.length and
// BetterAuth count characters (a code point above U+FFFF counts 2), or std::nullopt if `text` is
// not well-formed UTF-8.
std::optional<std::size_t> utf16_length(std::string_view text);

// Decodes the code point that starts at `text[pos]` and advances `pos` past it. Returns the code
// point, or std::nullopt (with `pos` unchanged) if the bytes there are not well-formed UTF-8.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos);

}  // namespace portcullis

#endif  // PORTCULLIS_TEXT_H_

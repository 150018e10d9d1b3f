// Internal: the JavaScript string semantics the zxcvbn port depends on. Strings are UTF-16
// (std::u16string), indexed by code unit as JS strings are.

#ifndef PORTCULLIS_SRC_STRENGTH_JS_STRING_H_
#define PORTCULLIS_SRC_STRENGTH_JS_STRING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace portcullis::strength {

// UTF-8 -> UTF-16 as the WHATWG decoder (TextDecoder) does: each maximal ill-formed subsequence
// becomes one U+FFFD.
std::u16string utf8_to_utf16(std::string_view utf8);

// UTF-16 -> UTF-8 as TextEncoder does: a lone surrogate becomes U+FFFD.
std::string utf16_to_utf8(std::u16string_view utf16);

// String.prototype.toLowerCase as Node 20 (V8 with ICU, root locale) computes it, for every code
// point: the full default lowercase mapping of Unicode 17 (including U+0130 -> "i" U+0307, the
// only mapping that changes the length) and the context-dependent Final_Sigma rule for U+03A3.
// Lone surrogates are unchanged. The tables are generated from Node itself
// (tools/gen-strength-tables.mjs -> unicode_case.inc).
std::u16string js_to_lower(std::u16string_view s);

// \s in a JS regex: WhiteSpace and LineTerminator.
bool js_is_space(char16_t c);

// . in a JS regex (no s flag): anything but a line terminator.
inline bool js_dot_matches(char16_t c) {
  return c != u'\n' && c != u'\r' && c != u'\u2028' && c != u'\u2029';
}

// \d in a JS regex: ASCII digits only.
inline bool js_is_digit(char16_t c) { return c >= u'0' && c <= u'9'; }

// [A-Z] and [a-z] in a JS regex (no i flag).
inline bool is_ascii_upper(char16_t c) { return c >= u'A' && c <= u'Z'; }
inline bool is_ascii_lower(char16_t c) { return c >= u'a' && c <= u'z'; }

// How many code units of `s` are [A-Z] and how many [a-z]: what zxcvbn's capitalisation
// patterns (START_UPPER, ALL_UPPER, ...) test.
struct AsciiCaseCount {
  std::size_t upper = 0;
  std::size_t lower = 0;
};
inline AsciiCaseCount count_ascii_case(std::u16string_view s) {
  AsciiCaseCount n;
  for (const char16_t c : s) {
    if (is_ascii_upper(c)) ++n.upper;
    if (is_ascii_lower(c)) ++n.lower;
  }
  return n;
}

}  // namespace portcullis::strength

#endif  // PORTCULLIS_SRC_STRENGTH_JS_STRING_H_

// Internal: the few Unicode character classes the validators need, without ICU (the same code runs
// in the browser, where ICU would cost megabytes).
#ifndef PORTCULLIS_SRC_UNICODE_CLASSES_H_
#define PORTCULLIS_SRC_UNICODE_CLASSES_H_

namespace portcullis::internal {

// General category Cc: U+0000..U+001F and U+007F..U+009F.
constexpr bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// The characters JavaScript's String.prototype.trim() removes (WhiteSpace and LineTerminator).
constexpr bool is_js_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// Bidirectional embedding, override and isolate controls: they let a name display as something
// other than what it is (U+202A..U+202E, U+2066..U+2069).
constexpr bool is_bidi_control(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace portcullis::internal

#endif  // PORTCULLIS_SRC_UNICODE_CLASSES_H_

#include "portcullis/text.h"

namespace portcullis {

std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos) {
  if (pos >= text.size()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t n;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return std::nullopt;  // a continuation byte or 0xF8..0xFF
  }
  if (text.size() - pos < n) return std::nullopt;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  pos += n;
  return cp;
}

std::optional<std::size_t> utf16_length(std::string_view text) {
  std::size_t units = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto cp = next_code_point(text, pos);
    if (!cp) return std::nullopt;
    units += *cp > 0xFFFF ? 2 : 1;
  }
  return units;
}

bool is_valid_utf8(std::string_view text) { return utf16_length(text).has_value(); }

}  // namespace portcullis

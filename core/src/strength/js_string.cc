#include "strength/js_string.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace portcullis::strength {
namespace {

struct LowerRun {
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t stride;
  std::int32_t delta;
};

struct LowerSpecial {
  std::uint32_t code_point;
  std::uint32_t count;
  std::uint32_t lower[3];
};

struct CodeRange {
  std::uint32_t first;
  std::uint32_t last;
};

#include "strength/unicode_case.inc"

bool in_ranges(const CodeRange* begin, const CodeRange* end, std::uint32_t cp) {
  const CodeRange* it = std::upper_bound(begin, end, cp, [](std::uint32_t c, const CodeRange& r) {
    return c < r.first;
  });
  if (it == begin) return false;
  --it;
  return cp <= it->last;
}

bool is_cased(std::uint32_t cp) { return in_ranges(std::begin(kCased), std::end(kCased), cp); }

bool is_case_ignorable(std::uint32_t cp) {
  return in_ranges(std::begin(kCaseIgnorable), std::end(kCaseIgnorable), cp);
}

std::uint32_t simple_lower(std::uint32_t cp) {
  const LowerRun* begin = std::begin(kLowerRuns);
  const LowerRun* end = std::end(kLowerRuns);
  const LowerRun* it =
      std::upper_bound(begin, end, cp, [](std::uint32_t c, const LowerRun& r) { return c < r.first; });
  if (it == begin) return cp;
  --it;
  if (cp > it->last || (cp - it->first) % it->stride != 0) return cp;
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(cp) + it->delta);
}

bool is_high(char16_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low(char16_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

// The code point at s[i] (a lone surrogate stands for itself) and its length in code units.
std::uint32_t code_point_at(std::u16string_view s, std::size_t i, std::size_t& units) {
  if (is_high(s[i]) && i + 1 < s.size() && is_low(s[i + 1])) {
    units = 2;
    return 0x10000 + ((static_cast<std::uint32_t>(s[i]) - 0xD800) << 10) +
           (static_cast<std::uint32_t>(s[i + 1]) - 0xDC00);
  }
  units = 1;
  return s[i];
}

// The code point that ends just before s[end].
std::uint32_t code_point_before(std::u16string_view s, std::size_t end, std::size_t& units) {
  if (is_low(s[end - 1]) && end >= 2 && is_high(s[end - 2])) {
    units = 2;
    return 0x10000 + ((static_cast<std::uint32_t>(s[end - 2]) - 0xD800) << 10) +
           (static_cast<std::uint32_t>(s[end - 1]) - 0xDC00);
  }
  units = 1;
  return s[end - 1];
}

// Unicode's Final_Sigma condition for the sigma at s[i], as ICU evaluates it: case-ignorable code
// points are skipped (even when also cased), then a cased one must precede and none may follow.
bool is_final_sigma(std::u16string_view s, std::size_t i) {
  bool preceded = false;
  for (std::size_t pos = i; pos > 0;) {
    std::size_t units = 0;
    const std::uint32_t cp = code_point_before(s, pos, units);
    pos -= units;
    if (is_case_ignorable(cp)) continue;
    preceded = is_cased(cp);
    break;
  }
  if (!preceded) return false;
  for (std::size_t pos = i + 1; pos < s.size();) {
    std::size_t units = 0;
    const std::uint32_t cp = code_point_at(s, pos, units);
    pos += units;
    if (is_case_ignorable(cp)) continue;
    return !is_cased(cp);
  }
  return true;
}

void append_utf16(std::u16string& out, std::uint32_t cp) {
  if (cp < 0x10000) {
    out.push_back(static_cast<char16_t>(cp));
  } else {
    cp -= 0x10000;
    out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
    out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::u16string utf8_to_utf16(std::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  std::uint32_t cp = 0;
  int needed = 0;
  int seen = 0;
  unsigned lower = 0x80;
  unsigned upper = 0xBF;
  for (std::size_t i = 0; i < utf8.size();) {
    const unsigned b = static_cast<unsigned char>(utf8[i]);
    if (needed == 0) {
      ++i;
      if (b < 0x80) {
        out.push_back(static_cast<char16_t>(b));
      } else if (b >= 0xC2 && b <= 0xDF) {
        needed = 1;
        cp = b & 0x1F;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower = 0xA0;
        if (b == 0xED) upper = 0x9F;
        needed = 2;
        cp = b & 0x0F;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower = 0x90;
        if (b == 0xF4) upper = 0x8F;
        needed = 3;
        cp = b & 0x07;
      } else {
        out.push_back(u'\uFFFD');
      }
      continue;
    }
    if (b < lower || b > upper) {
      // The byte is not consumed: it starts the next sequence.
      cp = 0;
      needed = seen = 0;
      lower = 0x80;
      upper = 0xBF;
      out.push_back(u'\uFFFD');
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
    if (++seen == needed) {
      append_utf16(out, cp);
      cp = 0;
      needed = seen = 0;
    }
  }
  if (needed != 0) out.push_back(u'\uFFFD');
  return out;
}

std::string utf16_to_utf8(std::u16string_view utf16) {
  std::string out;
  out.reserve(utf16.size());
  for (std::size_t i = 0; i < utf16.size();) {
    std::size_t units = 0;
    std::uint32_t cp = code_point_at(utf16, i, units);
    i += units;
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    append_utf8(out, cp);
  }
  return out;
}

std::u16string js_to_lower(std::u16string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char16_t c = s[i];
    if (c < 0x80) {
      out.push_back(c >= u'A' && c <= u'Z' ? static_cast<char16_t>(c + 32) : c);
      ++i;
      continue;
    }
    std::size_t units = 0;
    const std::uint32_t cp = code_point_at(s, i, units);
    if (cp == 0x3A3) {
      out.push_back(is_final_sigma(s, i) ? u'\u03C2' : u'\u03C3');
    } else {
      const LowerSpecial* special = std::find_if(std::begin(kLowerSpecials), std::end(kLowerSpecials),
                                                 [cp](const LowerSpecial& x) { return x.code_point == cp; });
      if (special != std::end(kLowerSpecials)) {
        for (std::uint32_t k = 0; k < special->count; ++k) append_utf16(out, special->lower[k]);
      } else {
        append_utf16(out, simple_lower(cp));
      }
    }
    i += units;
  }
  return out;
}

bool js_is_space(char16_t c) {
  switch (c) {
    case u'\t':
    case u'\n':
    case u'\v':
    case u'\f':
    case u'\r':
    case u' ':
    case u'\u00A0':
    case u'\u1680':
    case u'\u2028':
    case u'\u2029':
    case u'\u202F':
    case u'\u205F':
    case u'\u3000':
    case u'\uFEFF':
      return true;
    default:
      return c >= u'\u2000' && c <= u'\u200A';
  }
}

}  // namespace portcullis::strength

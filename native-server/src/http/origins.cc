#include "http/origins.h"

#include <algorithm>

namespace portcullis::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Glob match with '*' (any run) and '?' (one character).
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string origin_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return "";
  const std::string_view scheme = url.substr(0, scheme_end);
  if (!std::all_of(scheme.begin(), scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      })) {
    return "";
  }
  const auto host_end = url.find_first_of("/?#\\", scheme_end + 3);
  const std::string_view authority = url.substr(scheme_end + 3, host_end - (scheme_end + 3));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return "";
  return lower(url.substr(0, scheme_end + 3)) + lower(authority);
}

TrustedOrigins::TrustedOrigins(std::string own_origin, std::vector<std::string> patterns)
    : own_(lower(own_origin)) {
  for (const std::string& p : patterns) {
    std::string q = lower(p);
    while (!q.empty() && q.back() == '/') q.pop_back();
    if (!q.empty()) patterns_.push_back(std::move(q));
  }
}

bool TrustedOrigins::trusts_origin(std::string_view origin) const {
  const std::string o = lower(origin);
  if (o.empty() || o == "null") return false;
  if (o == own_) return true;
  const auto scheme_end = o.find("://");
  const std::string host = scheme_end == std::string::npos ? o : o.substr(scheme_end + 3);
  for (const std::string& p : patterns_) {
    const bool has_scheme = p.find("://") != std::string::npos;
    if (glob(p, has_scheme ? o : host)) return true;
  }
  return false;
}

bool TrustedOrigins::trusts_url(std::string_view url) const {
  if (url.empty()) return false;
  if (url.front() == '/') {
    const std::string l = lower(url);
    return url.size() < 2 || (url[1] != '/' && url.find('\\') == std::string_view::npos &&
                              l.find("%2f") == std::string::npos && l.find("%5c") == std::string::npos);
  }
  const std::string o = origin_of(url);
  return !o.empty() && trusts_origin(o);
}

}  // namespace portcullis::http

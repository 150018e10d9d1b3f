#include "http/cookies.h"

namespace portcullis::http {

CookieNames::CookieNames(std::string_view prefix, bool secure) {
  const std::string base = std::string(secure ? "__Secure-" : "") + std::string(prefix) + ".";
  session_token = base + "session_token";
  session_data = base + "session_data";
  dont_remember = base + "dont_remember";
  two_factor = base + "two_factor";
  trust_device = base + "trust_device";
  admin_session = base + "admin_session";
  passkey = base + "better-auth-passkey";
  last_login_method = std::string(prefix) + ".last_used_login_method";
}

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (key != name) continue;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

namespace {

std::string attributes(const CookieAttributes& attrs) {
  std::string out;
  if (!attrs.domain.empty()) out += "; Domain=" + attrs.domain;
  out += "; Path=/";
  if (attrs.http_only) out += "; HttpOnly";
  if (attrs.secure || attrs.same_site == "None") out += "; Secure";
  out += "; SameSite=" + attrs.same_site;
  if (attrs.partitioned) out += "; Partitioned";
  return out;
}

}  // namespace

std::string make_set_cookie(std::string_view name, std::string_view value,
                            std::optional<std::chrono::seconds> max_age, const CookieAttributes& attrs) {
  std::string out(name);
  out += '=';
  out += value;
  if (max_age) out += "; Max-Age=" + std::to_string(max_age->count());
  return out + attributes(attrs);
}

std::string make_delete_cookie(std::string_view name, const CookieAttributes& attrs) {
  return std::string(name) + "=; Max-Age=0" + attributes(attrs);
}

}  // namespace portcullis::http

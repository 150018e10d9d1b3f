// Portcullis server: cookies as BetterAuth writes and reads them (contract §3).

#ifndef PORTCULLIS_HTTP_COOKIES_H_
#define PORTCULLIS_HTTP_COOKIES_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace portcullis::http {

struct CookieAttributes {
  bool secure = false;              // adds Secure (always, when same_site is "None")
  std::string domain;               // adds Domain= when not empty
  std::string same_site = "Lax";    // "Lax", "Strict" or "None"
  bool partitioned = false;         // adds Partitioned (CHIPS: a cross-site cookie kept per top site)
  bool http_only = true;            // adds HttpOnly (false: the page's scripts may read it)
};

// The names of the cookies: "[__Secure-]<prefix>.<key>".
struct CookieNames {
  CookieNames(std::string_view prefix, bool secure);
  std::string session_token;
  std::string session_data;
  std::string dont_remember;
  std::string two_factor;    // a sign-in waiting for its second factor (the two-factor plugin)
  std::string trust_device;  // a browser trusted to skip the second factor for 30 days
  // While an administrator impersonates a user (the admin plugin): the administrator's own session
  // token and dont_remember value, "<token>:<true or empty>", to return to.
  std::string admin_session;
  // A passkey ceremony under way (the passkey plugin's "better-auth-passkey"): the token naming
  // its stored challenge.
  std::string passkey;
  // The method of the last sign-in in this browser (the last-login-method plugin's
  // "last_used_login_method"; never __Secure-: the page reads it, and it is no credential).
  std::string last_login_method;
};

// Returns the value of the first cookie called `name` in a Cookie header, with surrounding double
// quotes stripped, or std::nullopt if there is none.
std::optional<std::string> find_cookie(std::string_view cookie_header, std::string_view name);

// Returns a Set-Cookie value: "name=value; Max-Age=N; Domain=D; Path=/; HttpOnly; Secure;
// SameSite=Lax[; Partitioned]", without Max-Age when `max_age` is empty (a browser-session cookie).
std::string make_set_cookie(std::string_view name, std::string_view value,
                            std::optional<std::chrono::seconds> max_age, const CookieAttributes& attrs);

// Returns the Set-Cookie value that deletes cookie `name` ("name=; Max-Age=0; ...").
std::string make_delete_cookie(std::string_view name, const CookieAttributes& attrs);

}  // namespace portcullis::http

#endif  // PORTCULLIS_HTTP_COOKIES_H_

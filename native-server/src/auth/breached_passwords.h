// Portcullis server: is a new password one that data breaches have made public?
//
// The list is Have I Been Pwned's Pwned Passwords (the SHA-1 of every password seen in a breach,
// with how many times it was seen), in either of the two forms it comes in:
// - its range API (k-anonymity): the first 5 hex digits of the password's SHA-1 are sent, and the
//   answer lists the remaining 35 of every listed hash with that prefix (padded with made-up ones,
//   "Add-Padding"), so neither the password nor its hash leaves the server;
// - its downloaded file (the PwnedPasswordsDownloader's single file, "ordered by hash": one
//   "SHA1:COUNT" line per hash, 40 hex digits, sorted), looked up in place by binary search, with
//   no network at all. A file of fewer lines in the same form (say, the hashes seen 10 times or
//   more) works as well.
//
// AuthService asks it about every new password that passed the length and strength rules (sign-up,
// change-password, reset-password, and the command line's user create / set-password), and refuses
// one seen often enough with PASSWORD_COMPROMISED, as BetterAuth's haveIBeenPwned plugin does.

#ifndef PORTCULLIS_AUTH_BREACHED_PASSWORDS_H_
#define PORTCULLIS_AUTH_BREACHED_PASSWORDS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis::auth {

// The public range API, what the setting "hibp" stands for.
inline constexpr std::string_view kHibpRangeApi = "https://api.pwnedpasswords.com/range/";

class BreachedPasswords {
 public:
  virtual ~BreachedPasswords() = default;

  // Returns how many times `password` was seen in breaches (0: never). Safe to call from many
  // threads at once. Errors: PASSWORD_CHECK_UNAVAILABLE when the list could not be asked (the
  // API did not answer in time, answered another status than 200 or something that is not a
  // range answer; the file could not be read, or is not in the form where it was read); a JSON
  // line saying why (never the password or its hash) then goes to stderr.
  Result<std::uint64_t> times_seen(std::string_view password);

  // Counts of the answers given so far, for the metrics.
  struct Counts {
    std::uint64_t clean = 0;       // never seen (or fewer times than a caller's threshold: not known here)
    std::uint64_t seen = 0;        // seen at least once
    std::uint64_t unavailable = 0; // PASSWORD_CHECK_UNAVAILABLE
  };
  Counts counts() const;

 protected:
  // How many times the password with this SHA-1 (40 upper-case hex digits) was seen; the same
  // errors as times_seen(), whose logging is the implementation's.
  virtual Result<std::uint64_t> times_seen_hash(const std::string& sha1) = 0;

 private:
  std::atomic<std::uint64_t> clean_{0};
  std::atomic<std::uint64_t> seen_{0};
  std::atomic<std::uint64_t> unavailable_{0};
};

// Opens the list a `breachedPasswords` setting names:
// - "hibp": the public range API (kHibpRangeApi);
// - an "https://" URL: a range API whose URL the 5 digits are appended to (a mirror); "http://"
//   only to a loopback host (127.0.0.0/8, ::1, localhost), since an answer that can be tampered
//   with could let any password through;
// - anything else: the path of a downloaded file, which must be readable and start with a
//   "SHA1:COUNT" line.
// The API is not called here (the server may start before the network is up); `timeout` bounds
// each of its requests' connect, send and every read. Certificates are verified against the
// system's trust store (OpenSSL's default paths, which SSL_CERT_FILE and SSL_CERT_DIR change).
// Errors: VALIDATION_ERROR, with a message saying what is wrong with `source`.
Result<std::unique_ptr<BreachedPasswords>> open_breached_passwords(const std::string& source,
                                                                   std::chrono::seconds timeout);

// The password's SHA-1, as 40 upper-case hex digits (the form both lists use); "" if libcrypto
// cannot compute SHA-1 (a FIPS-only provider).
std::string sha1_hex(std::string_view password);

// Reads a range API's answer: the count on the line for `suffix` (the 35 hex digits after the
// prefix; either case), 0 when it has none. Returns std::nullopt when `body` is not a range
// answer: a line that is not "35 hex digits:decimal count" (CRLF or LF line ends; a last line
// without one).
std::optional<std::uint64_t> count_in_range_answer(std::string_view body, std::string_view suffix);

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_BREACHED_PASSWORDS_H_

// Portcullis server: API keys (--api-key; BetterAuth's API-key plugin, keys owned by users, one
// configuration).
//
// A signed-in user makes keys, each shown once, in full, when it is made: the prefix asked for
// (or the configured one) and api_key_length random letters. Only the key's SHA-256 is stored
// (base64url, as the plugin stores it, so keys made by a BetterAuth server work here and the
// other way round), with its first six characters to tell keys apart. A program sends the key in
// a header (x-api-key) instead of a session cookie, and get-session answers for the key's user:
// that is how a backend learns who is calling. Each use counts against the key's rate limit
// (by default 10 requests in a day, counted from the key's last request, as the plugin's) and, if
// it has one, its remaining uses.
//
// Differences from the plugin, each to be safer: a key stands for its user on get-session only
// (the plugin takes it on every route, so a key could change the password or make more keys); a
// banned user's keys are refused; a user's keys go with the user; a request refused by the rate
// limit spends none of the key's uses; each user has at most api_key_limit keys; get-session does
// not echo the key back. Nothing here knows about HTTP: errors are Status values with the plugin's
// codes, which the routes turn into statuses.

#ifndef PORTCULLIS_AUTH_API_KEYS_H_
#define PORTCULLIS_AUTH_API_KEYS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/service.h"

namespace portcullis::auth {

// What a user may ask for in a new key.
struct NewApiKey {
  std::optional<std::string> name;
  std::optional<std::string> prefix;                // none: the configured default prefix
  std::optional<double> expires_in_seconds;         // none: the configured default expiry
  std::optional<std::string> metadata;              // JSON text of an object
};

// The fields update changes; the ones not given stay.
struct ApiKeyChanges {
  std::optional<std::string> name;
  std::optional<bool> enabled;
  std::optional<std::optional<double>> expires_in_seconds;  // a value, or null: never expires
  std::optional<std::string> metadata;                      // JSON text of an object, or "null"
};

struct CreatedApiKey {
  store::ApiKey key;
  std::string secret;  // the key itself; it is never stored, nor shown again
};

// A key that was let through, and its user.
struct KeyUse {
  store::ApiKey key;
  User user;
};

class ApiKeys {
 public:
  // `service` keeps the audit log. All must outlive this object.
  ApiKeys(const Config& config, store::Store& store, AuthService& service);

  // Makes a key for the caller and returns it with the key itself. Errors: INVALID_NAME_LENGTH
  // (a name over 32 characters, as JavaScript counts them); INVALID_NAME (a name with control
  // characters or bidirectional overrides); NAME_REQUIRED (none, with api_key_require_name);
  // VALIDATION_ERROR (a prefix of other characters than a-z, A-Z, 0-9, _ and -; metadata over 4
  // KiB); INVALID_PREFIX_LENGTH (over 32); KEY_DISABLED_EXPIRATION (an expiry asked for, with
  // api_key_disable_custom_expiry); EXPIRES_IN_IS_TOO_SMALL, EXPIRES_IN_IS_TOO_LARGE (outside
  // api_key_min_expires_in..api_key_max_expires_in); METADATA_DISABLED (without api_key_metadata);
  // API_KEY_LIMIT_REACHED; INTERNAL_SERVER_ERROR.
  Result<CreatedApiKey> create(const Authenticated& auth, const NewApiKey& request, const Caller& caller);

  // The caller's key `id`. Errors: KEY_NOT_FOUND (none, or another user's); INTERNAL_SERVER_ERROR.
  Result<store::ApiKey> get(const Authenticated& auth, const std::string& id);

  // Changes the caller's key `id` (and its updatedAt) and returns it. Errors: KEY_NOT_FOUND;
  // NO_VALUES_TO_UPDATE; create()'s about the name, the expiry and the metadata;
  // INTERNAL_SERVER_ERROR.
  Result<store::ApiKey> update(const Authenticated& auth, const std::string& id, const ApiKeyChanges& changes,
                               const Caller& caller);

  // Deletes the caller's key `id`. Errors: KEY_NOT_FOUND; INTERNAL_SERVER_ERROR.
  Status remove(const Authenticated& auth, const std::string& id, const Caller& caller);

  // The caller's keys in `order`, at most `limit` (none: all) after skipping `offset`, and how
  // many there are in all. Errors: INTERNAL_SERVER_ERROR.
  Result<store::ApiKeyPage> list(const Authenticated& auth, const store::ApiKeyOrder& order,
                                 std::optional<std::size_t> limit, std::size_t offset);

  // Lets a request made with key `secret` through, counting it against the key's rate limit and
  // remaining uses, and returns the key (as counted) and its user. Errors: INVALID_API_KEY (no
  // such key: shorter than api_key_length, or unknown); KEY_DISABLED; KEY_EXPIRED; INVALID_REFERENCE_ID_FROM_API_KEY (its user is gone);
  // BANNED_USER; RATE_LIMITED (`try_again_in` is then set: how long until the key may be used
  // again); USAGE_EXCEEDED (no uses left); INTERNAL_SERVER_ERROR. Refusals count nothing, and
  // go to the audit log.
  Result<KeyUse> use(std::string_view secret, const Caller& caller, std::chrono::milliseconds& try_again_in);

 private:
  // The caller's key `id`, or KEY_NOT_FOUND.
  Result<store::ApiKey> find_own(const Authenticated& auth, const std::string& id);
  // Checks a name, an expiry or metadata against the settings (create()'s errors).
  Status check_name(const std::optional<std::string>& name, bool creating) const;
  Result<std::optional<store::TimePoint>> expiry(std::optional<double> seconds, TimePoint now) const;
  Status check_metadata(const std::optional<std::string>& metadata) const;

  const Config& config_;
  store::Store& store_;
  AuthService& service_;
};

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_API_KEYS_H_

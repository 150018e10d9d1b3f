// Portcullis server: API keys (auth/api_keys.h).

#include "auth/api_keys.h"

#include <sodium.h>

#include <cmath>
#include <utility>

#include "auth/one_time_codes.h"
#include "portcullis/name.h"
#include "portcullis/text.h"
#include "portcullis/token.h"

namespace portcullis::auth {

namespace {

using std::chrono::milliseconds;

constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kPrefixCharacters =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
constexpr std::size_t kMaxNameLength = 32;    // the plugin's maximumNameLength, in UTF-16 units
constexpr std::size_t kMaxPrefixLength = 32;  // the plugin's maximumPrefixLength
constexpr std::size_t kStartLength = 6;       // the plugin's startingCharactersConfig
constexpr std::size_t kMaxMetadataBytes = 4096;
constexpr std::size_t kMaxKeyBytes = 1024;    // longer is no key of ours: refused unhashed

// The column "key": base64url(SHA-256(key)) without padding, the plugin's defaultKeyHasher.
std::string key_hash(std::string_view secret) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Status not_found_as(const Status& s, ErrorCode code) {
  return s.code() == ErrorCode::kNotFound ? Status(code) : s;
}

}  // namespace

ApiKeys::ApiKeys(const Config& config, store::Store& store, AuthService& service)
    : config_(config), store_(store), service_(service) {}

Status ApiKeys::check_name(const std::optional<std::string>& name, bool creating) const {
  if (name && !name->empty()) {
    // No control characters or bidirectional overrides (Portcullis; the plugin takes any text).
    if (auto checked = validate_name(*name, NamePolicy{.allow_empty = true, .max_length = name->size()}); !checked) {
      return checked.status();
    }
    const auto length = utf16_length(*name);
    if (!length || *length > kMaxNameLength) return Status(ErrorCode::kInvalidNameLength);
    return Status::OK();
  }
  // update: the plugin refuses an empty name (under its minimum length of 1)
  if (name && !creating) return Status(ErrorCode::kInvalidNameLength);
  if (creating && config_.api_key_require_name) return Status(ErrorCode::kNameRequired);
  return Status::OK();
}

Result<std::optional<store::TimePoint>> ApiKeys::expiry(std::optional<double> seconds, TimePoint now) const {
  if (!seconds) {
    if (config_.api_key_default_expires_in.count() == 0) return std::optional<store::TimePoint>();
    return std::optional<store::TimePoint>(now + duration_cast<milliseconds>(config_.api_key_default_expires_in));
  }
  if (config_.api_key_disable_custom_expiry) return Status(ErrorCode::kKeyDisabledExpiration);
  if (!std::isfinite(*seconds) || *seconds < static_cast<double>(config_.api_key_min_expires_in.count())) {
    return Status(ErrorCode::kExpiresInIsTooSmall);
  }
  if (*seconds > static_cast<double>(config_.api_key_max_expires_in.count())) {
    return Status(ErrorCode::kExpiresInIsTooLarge);
  }
  return std::optional<store::TimePoint>(now + milliseconds(std::llround(*seconds * 1000)));
}

Status ApiKeys::check_metadata(const std::optional<std::string>& metadata) const {
  if (!metadata) return Status::OK();
  if (!config_.api_key_metadata) return Status(ErrorCode::kMetadataDisabled);
  if (metadata->size() > kMaxMetadataBytes) {
    return Status(ErrorCode::kValidationError, "[body.metadata] Too big: at most 4096 bytes of JSON");
  }
  return Status::OK();
}

Result<CreatedApiKey> ApiKeys::create(const Authenticated& auth, const NewApiKey& request, const Caller& caller) {
  if (Status s = check_name(request.name, /*creating=*/true); !s.ok()) return s;
  std::string prefix = request.prefix.value_or(config_.api_key_default_prefix);
  if (request.prefix) {
    if (request.prefix->empty() || request.prefix->find_first_not_of(kPrefixCharacters) != std::string::npos) {
      return Status(ErrorCode::kValidationError,
                    "[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens.");
    }
    if (request.prefix->size() > kMaxPrefixLength) return Status(ErrorCode::kInvalidPrefixLength);
  }
  auto expires_at = expiry(request.expires_in_seconds, caller.now);
  if (!expires_at) return expires_at.status();
  if (Status s = check_metadata(request.metadata); !s.ok()) return s;

  CreatedApiKey out;
  out.secret = prefix;
  out.secret.append(random_string(kLetters, config_.api_key_length));
  store::ApiKey& key = out.key;
  key.id = generate_token();
  key.name = request.name;
  key.start = out.secret.substr(0, kStartLength);
  key.reference_id = auth.user.id;
  if (!prefix.empty()) key.prefix = prefix;
  key.key_hash = key_hash(out.secret);
  key.enabled = true;
  key.rate_limit_enabled = config_.api_key_rate_limit;
  key.rate_limit_time_window_ms = duration_cast<milliseconds>(config_.api_key_rate_limit_window).count();
  key.rate_limit_max = static_cast<std::int64_t>(config_.api_key_rate_limit_max);
  key.expires_at = *expires_at;
  key.created_at = caller.now;
  key.updated_at = caller.now;
  key.metadata = request.metadata.value_or("null");
  auto created = store_.create_api_key(key, config_.api_key_limit);
  if (!created) return created.status();
  if (!*created) return Status(ErrorCode::kApiKeyLimitReached);
  service_.audit("api-key-created", &auth.user, caller, {{"key", key.id}});
  return out;
}

Result<store::ApiKey> ApiKeys::find_own(const Authenticated& auth, const std::string& id) {
  auto key = store_.find_api_key(id);
  if (!key) return not_found_as(key.status(), ErrorCode::kKeyNotFound);
  if (key->reference_id != auth.user.id || key->config_id != "default") return Status(ErrorCode::kKeyNotFound);
  return key;
}

Result<store::ApiKey> ApiKeys::get(const Authenticated& auth, const std::string& id) { return find_own(auth, id); }

Result<store::ApiKey> ApiKeys::update(const Authenticated& auth, const std::string& id, const ApiKeyChanges& changes,
                                      const Caller& caller) {
  if (!changes.name && !changes.enabled && !changes.expires_in_seconds && !changes.metadata) {
    return Status(ErrorCode::kNoValuesToUpdate);
  }
  if (Status s = check_name(changes.name, /*creating=*/false); !s.ok()) return s;
  std::optional<std::optional<store::TimePoint>> expires_at;
  if (changes.expires_in_seconds) {
    if (!*changes.expires_in_seconds) {
      if (config_.api_key_disable_custom_expiry) return Status(ErrorCode::kKeyDisabledExpiration);
      expires_at.emplace();
    } else {
      auto at = expiry(*changes.expires_in_seconds, caller.now);
      if (!at) return at.status();
      expires_at = *at;
    }
  }
  if (Status s = check_metadata(changes.metadata); !s.ok()) return s;
  const std::string& owner = auth.user.id;
  auto key = store_.change_api_key(id, [&](store::ApiKey& k) {
    if (k.reference_id != owner || k.config_id != "default") return Status(ErrorCode::kKeyNotFound);
    if (changes.name) k.name = *changes.name;
    if (changes.enabled) k.enabled = *changes.enabled;
    if (expires_at) k.expires_at = *expires_at;
    if (changes.metadata) k.metadata = *changes.metadata;
    k.updated_at = caller.now;
    return Status::OK();
  });
  if (!key) return not_found_as(key.status(), ErrorCode::kKeyNotFound);
  service_.audit("api-key-updated", &auth.user, caller, {{"key", id}});
  return key;
}

Status ApiKeys::remove(const Authenticated& auth, const std::string& id, const Caller& caller) {
  auto key = find_own(auth, id);
  if (!key) return key.status();
  if (Status s = store_.delete_api_key(id, auth.user.id); !s.ok()) return not_found_as(s, ErrorCode::kKeyNotFound);
  service_.audit("api-key-deleted", &auth.user, caller, {{"key", id}});
  return Status::OK();
}

Result<store::ApiKeyPage> ApiKeys::list(const Authenticated& auth, const store::ApiKeyOrder& order,
                                        std::optional<std::size_t> limit, std::size_t offset) {
  return store_.list_api_keys(auth.user.id, order, limit.value_or(config_.api_key_limit), offset);
}

Result<KeyUse> ApiKeys::use(std::string_view secret, const Caller& caller, milliseconds& try_again_in) {
  const auto refuse = [&](ErrorCode code, const User* user, std::string_view reason) {
    service_.audit("api-key-refused", user, caller, {{"reason", reason}});
    return Status(code);
  };
  if (secret.size() < config_.api_key_length || secret.size() > kMaxKeyBytes) {
    return refuse(ErrorCode::kInvalidApiKey, nullptr, "unknown");
  }
  auto found = store_.find_api_key_by_hash(key_hash(secret));
  if (!found) {
    if (found.status().code() != ErrorCode::kNotFound) return found.status();
    return refuse(ErrorCode::kInvalidApiKey, nullptr, "unknown");
  }
  if (found->config_id != "default") return refuse(ErrorCode::kInvalidApiKey, nullptr, "unknown");
  const TimePoint now = caller.now;
  User owner;  // for the audit log, which names the user by id
  owner.id = found->reference_id;
  if (!found->enabled) return refuse(ErrorCode::kKeyDisabled, &owner, "disabled");
  if (found->expires_at && now > *found->expires_at) return refuse(ErrorCode::kKeyExpired, &owner, "expired");
  auto user = store_.find_user_by_id(found->reference_id);
  if (!user) {
    if (user.status().code() != ErrorCode::kNotFound) return user.status();
    return refuse(ErrorCode::kInvalidReferenceIdFromApiKey, nullptr, "no-user");
  }
  if (user->ban && (!user->ban->expires || *user->ban->expires > now)) {
    return refuse(ErrorCode::kBannedUser, &*user, "banned");
  }
  // Counted on the locked row: concurrent requests with one key each see the others' counts.
  auto used = store_.change_api_key(found->id, [&](store::ApiKey& k) {
    if (!k.enabled) return Status(ErrorCode::kKeyDisabled);
    if (k.expires_at && now > *k.expires_at) return Status(ErrorCode::kKeyExpired);
    // The rate limit first, so that a refused request spends none of the remaining uses (the
    // plugin spends one). The window runs from the last request let through, as the plugin's.
    if (k.rate_limit_enabled && k.rate_limit_time_window_ms && k.rate_limit_max) {
      const milliseconds window(*k.rate_limit_time_window_ms);
      if (!k.last_request || now - *k.last_request > window) {
        k.request_count = 1;
      } else if (k.request_count >= *k.rate_limit_max) {
        try_again_in = window - (now - *k.last_request);
        return Status(ErrorCode::kRateLimited);
      } else {
        k.request_count += 1;
      }
    }
    if (k.remaining) {
      const TimePoint last_refill = k.last_refill_at.value_or(k.created_at);
      if (k.refill_interval_ms && k.refill_amount && now - last_refill > milliseconds(*k.refill_interval_ms)) {
        k.remaining = *k.refill_amount - 1;
        k.last_refill_at = now;
      } else if (*k.remaining <= 0) {
        return Status(ErrorCode::kUsageExceeded);
      } else {
        *k.remaining -= 1;
      }
    }
    k.last_request = now;
    k.updated_at = now;
    return Status::OK();
  });
  if (!used) {
    switch (used.status().code()) {
      case ErrorCode::kNotFound: return refuse(ErrorCode::kInvalidApiKey, &*user, "unknown");
      case ErrorCode::kKeyDisabled: return refuse(ErrorCode::kKeyDisabled, &*user, "disabled");
      case ErrorCode::kKeyExpired: return refuse(ErrorCode::kKeyExpired, &*user, "expired");
      case ErrorCode::kRateLimited: return refuse(ErrorCode::kRateLimited, &*user, "rate-limited");
      case ErrorCode::kUsageExceeded: return refuse(ErrorCode::kUsageExceeded, &*user, "usage-exceeded");
      default: return used.status();
    }
  }
  return KeyUse{std::move(used).value(), std::move(user).value()};
}

}  // namespace portcullis::auth

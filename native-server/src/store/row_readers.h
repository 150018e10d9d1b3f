// Portcullis server: the tables' rows, read the same way by every storage backend.
//
// A backend selects a table's columns in the order below (its *_COLUMNS lists) and hands its
// result row to these readers through a small view of its own, with:
//   std::string text(int col) const;                    // a non-null text column
//   std::optional<std::string> optional_text(int col) const;
//   bool is_null(int col) const;
//   bool flag(int col) const;                           // a non-null boolean column
//   std::int64_t integer(int col, bool& bad) const;     // a non-null integer; an unreadable one sets `bad`
//   TimePoint time(int col, bool& bad) const;           // a date; an unreadable one sets `bad`
// The plugins' columns may be NULL (BetterAuth declares them optional, and a column added to a
// table that had rows leaves them NULL where it has no default): the readers give NULL the value
// BetterAuth reads it as.
// `first` is the row's column of the table's first column (a join reads two tables from one row).
// A date that cannot be read sets `bad` and leaves the field at the epoch: the caller reports the
// row as corrupt.
//
// Also here: what both backends' query_users() compute alike from a UserQuery (whether it can run,
// the LIKE pattern of a search, the value of a boolean filter).

#ifndef PORTCULLIS_STORE_ROW_READERS_H_
#define PORTCULLIS_STORE_ROW_READERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace portcullis::store::rows {

// What a verification row's JSON value holds when it belongs to user `id` (see
// Store::delete_user): the text `"userId":"<id>"`, as the JSON writer spells it.
inline std::string user_id_in_json(std::string_view id) {
  return "\"userId\":" + nlohmann::json(std::string(id)).dump();
}

// "banned", "banReason", "banExpires" (BetterAuth's admin plugin; NULL "banned" reads as false)
template <class Row>
std::optional<Ban> read_ban(const Row& r, int first, bool& bad) {
  if (r.is_null(first) || !r.flag(first)) return std::nullopt;
  Ban ban;
  ban.reason = r.optional_text(first + 1);
  if (!r.is_null(first + 2)) ban.expires = r.time(first + 2, bad);
  return ban;
}

// "id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt", "twoFactorEnabled", "role",
// "banned", "banReason", "banExpires", "username", "displayUsername" (BetterAuth's username plugin;
// NULL: none)
template <class Row>
User read_user(const Row& r, int first, bool& bad) {
  User u;
  u.id = r.text(first);
  u.name = r.text(first + 1);
  u.email = r.text(first + 2);
  u.email_verified = r.flag(first + 3);
  u.image = r.optional_text(first + 4);
  u.created_at = r.time(first + 5, bad);
  u.updated_at = r.time(first + 6, bad);
  u.two_factor_enabled = !r.is_null(first + 7) && r.flag(first + 7);  // NULL: false
  u.role = r.optional_text(first + 8);                                  // NULL: none ("user")
  u.ban = read_ban(r, first + 9, bad);
  u.username = r.optional_text(first + 12);
  u.display_username = r.optional_text(first + 13);
  return u;
}

// "id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent",
// "impersonatedBy" (BetterAuth's admin plugin; NULL: not an impersonation), "activeOrganizationId"
// (BetterAuth's organization plugin; NULL: none)
inline constexpr int kSessionColumns = 10;  // how many columns read_session() reads
template <class Row>
Session read_session(const Row& r, int first, bool& bad) {
  Session s;
  s.id = r.text(first);
  s.token = r.text(first + 1);
  s.user_id = r.text(first + 2);
  s.expires_at = r.time(first + 3, bad);
  s.created_at = r.time(first + 4, bad);
  s.updated_at = r.time(first + 5, bad);
  s.ip_address = r.optional_text(first + 6);
  s.user_agent = r.optional_text(first + 7);
  s.impersonated_by = r.optional_text(first + 8);
  s.active_organization_id = r.optional_text(first + 9);
  return s;
}

// "id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt", "scope"
template <class Row>
Account read_account(const Row& r, bool& bad) {
  Account a;
  a.id = r.text(0);
  a.account_id = r.text(1);
  a.provider_id = r.text(2);
  a.user_id = r.text(3);
  a.password = r.optional_text(4);
  a.created_at = r.time(5, bad);
  a.updated_at = r.time(6, bad);
  a.scope = r.optional_text(7);
  return a;
}

// "id", "identifier", "value", "expiresAt", "createdAt", "updatedAt"
template <class Row>
Verification read_verification(const Row& r, bool& bad) {
  Verification v;
  v.id = r.text(0);
  v.identifier = r.text(1);
  v.value = r.text(2);
  v.expires_at = r.time(3, bad);
  v.created_at = r.time(4, bad);
  v.updated_at = r.time(5, bad);
  return v;
}

// "id", "userId", "secret", "backupCodes", "verified", "failedVerificationCount", "lockedUntil"
template <class Row>
TwoFactor read_two_factor(const Row& r, bool& bad) {
  TwoFactor t;
  t.id = r.text(0);
  t.user_id = r.text(1);
  t.secret = r.text(2);
  t.backup_codes = r.text(3);
  t.verified = r.is_null(4) || r.flag(4);                                // NULL: true
  t.failed_verification_count = r.is_null(5) ? 0 : r.integer(5, bad);    // NULL: 0
  if (!r.is_null(6)) t.locked_until = r.time(6, bad);
  return t;
}

// "id", "publicKey", "privateKey", "createdAt", "expiresAt", "alg", "crv" (NULL "expiresAt":
// never; NULL "alg" and "crv" are kept as none: the caller reads them as the plugin's default)
template <class Row>
Jwk read_jwk(const Row& r, bool& bad) {
  Jwk k;
  k.id = r.text(0);
  k.public_key = r.text(1);
  k.private_key = r.text(2);
  k.created_at = r.time(3, bad);
  if (!r.is_null(4)) k.expires_at = r.time(4, bad);
  k.alg = r.optional_text(5);
  k.crv = r.optional_text(6);
  return k;
}

// "id", "name", "publicKey", "userId", "credentialID", "counter", "deviceType", "backedUp",
// "transports", "createdAt", "aaguid" (NULL "backedUp" reads as false; NULL "name", "transports",
// "createdAt" and "aaguid" as none)
template <class Row>
Passkey read_passkey(const Row& r, bool& bad) {
  Passkey p;
  p.id = r.text(0);
  p.name = r.optional_text(1);
  p.public_key = r.text(2);
  p.user_id = r.text(3);
  p.credential_id = r.text(4);
  p.counter = r.integer(5, bad);
  p.device_type = r.text(6);
  p.backed_up = !r.is_null(7) && r.flag(7);
  p.transports = r.optional_text(8);
  if (!r.is_null(9)) p.created_at = r.time(9, bad);
  p.aaguid = r.optional_text(10);
  return p;
}

// "id", "name", "slug", "logo", "createdAt", "metadata" (NULL "logo" and "metadata": none)
template <class Row>
Organization read_organization(const Row& r, bool& bad) {
  Organization o;
  o.id = r.text(0);
  o.name = r.text(1);
  o.slug = r.text(2);
  o.logo = r.optional_text(3);
  o.created_at = r.time(4, bad);
  o.metadata = r.optional_text(5);
  return o;
}

// "id", "organizationId", "userId", "role", "createdAt"
inline constexpr int kMemberColumns = 5;  // how many columns read_member() reads
template <class Row>
Member read_member(const Row& r, int first, bool& bad) {
  Member m;
  m.id = r.text(first);
  m.organization_id = r.text(first + 1);
  m.user_id = r.text(first + 2);
  m.role = r.text(first + 3);
  m.created_at = r.time(first + 4, bad);
  return m;
}

// "id", "organizationId", "email", "role", "status", "expiresAt", "createdAt", "inviterId" (NULL
// "role": none, which the plugin reads as "member")
template <class Row>
Invitation read_invitation(const Row& r, bool& bad) {
  Invitation i;
  i.id = r.text(0);
  i.organization_id = r.text(1);
  i.email = r.text(2);
  i.role = r.optional_text(3);
  i.status = r.text(4);
  i.expires_at = r.time(5, bad);
  i.created_at = r.time(6, bad);
  i.inviter_id = r.text(7);
  return i;
}

// "id", "configId", "name", "start", "referenceId", "prefix", "key", "refillInterval",
// "refillAmount", "lastRefillAt", "enabled", "rateLimitEnabled", "rateLimitTimeWindow",
// "rateLimitMax", "requestCount", "remaining", "lastRequest", "expiresAt", "createdAt",
// "updatedAt", "permissions", "metadata" (BetterAuth's API-key plugin, in its table's order; NULL
// "enabled" and "rateLimitEnabled" read as true, NULL "requestCount" as 0, the other optional
// columns' NULL as none)
template <class Row>
ApiKey read_api_key(const Row& r, bool& bad) {
  const auto optional_integer = [&](int col) -> std::optional<std::int64_t> {
    if (r.is_null(col)) return std::nullopt;
    return r.integer(col, bad);
  };
  const auto optional_time = [&](int col) -> std::optional<TimePoint> {
    if (r.is_null(col)) return std::nullopt;
    return r.time(col, bad);
  };
  ApiKey k;
  k.id = r.text(0);
  k.config_id = r.text(1);
  k.name = r.optional_text(2);
  k.start = r.optional_text(3);
  k.reference_id = r.text(4);
  k.prefix = r.optional_text(5);
  k.key_hash = r.text(6);
  k.refill_interval_ms = optional_integer(7);
  k.refill_amount = optional_integer(8);
  k.last_refill_at = optional_time(9);
  k.enabled = r.is_null(10) || r.flag(10);             // NULL: true
  k.rate_limit_enabled = r.is_null(11) || r.flag(11);  // NULL: true
  k.rate_limit_time_window_ms = optional_integer(12);
  k.rate_limit_max = optional_integer(13);
  k.request_count = r.is_null(14) ? 0 : r.integer(14, bad);  // NULL: 0
  k.remaining = optional_integer(15);
  k.last_request = optional_time(16);
  k.expires_at = optional_time(17);
  k.created_at = r.time(18, bad);
  k.updated_at = r.time(19, bad);
  k.permissions = r.optional_text(20);
  k.metadata = r.optional_text(21);
  return k;
}

// --- query_users(): what both backends check and bind alike ----------------------------------

// The LIKE pattern (for `LIKE ... ESCAPE '\'`) that finds `text` by `match`, every character of
// `text` taken literally: its '\', '%' and '_' are escaped.
inline std::string like_pattern(std::string_view text, TextMatch match) {
  std::string p;
  p.reserve(text.size() + 2);
  if (match != TextMatch::kStartsWith) p += '%';
  for (const char ch : text) {
    if (ch == '\\' || ch == '%' || ch == '_') p += '\\';
    p += ch;
  }
  if (match != TextMatch::kEndsWith) p += '%';
  return p;
}

// The ORDER BY of a query_users(): the field (as the backend's `field_sql` spells it), then the
// id, both in the asked direction.
inline std::string user_order_sql(const UserQuery& q, const char* (*field_sql)(UserField)) {
  const char* direction = q.descending ? " DESC" : " ASC";
  std::string sql = " ORDER BY ";
  if (q.sort_by != UserField::kId) {
    sql += field_sql(q.sort_by);
    sql += direction;
    sql += ", ";
  }
  sql += "\"id\"";
  sql += direction;
  return sql;
}

// The value of a filter on a boolean field: "true" or "false"; nothing for any other text.
inline std::optional<bool> filter_flag(std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return std::nullopt;
}

// Why `query` cannot be run, or null if it can: a search on a field other than the name or the
// e-mail, a filter on a date, a filter on a boolean field whose value is not "true" or "false" or
// that matches text, or a text match that is negated. (The message never holds the query's values.)
inline const char* user_query_problem(const UserQuery& query) {
  if (query.search && query.search_field != UserField::kName && query.search_field != UserField::kEmail) {
    return "only the name or the e-mail can be searched";
  }
  if (query.filter_value) {
    if (query.filter_match && query.filter_negate) return "a filter's text match cannot be negated";
    switch (query.filter_field) {
      case UserField::kCreatedAt:
      case UserField::kUpdatedAt:
        return "dates cannot be filtered on";
      case UserField::kEmailVerified:
      case UserField::kBanned:
        if (!filter_flag(*query.filter_value)) return "a boolean filter's value is \"true\" or \"false\"";
        if (query.filter_match) return "a boolean field cannot match text";
        break;
      case UserField::kId:
      case UserField::kName:
      case UserField::kEmail:
      case UserField::kRole:
        break;
    }
  }
  return nullptr;
}

}  // namespace portcullis::store::rows

#endif  // PORTCULLIS_STORE_ROW_READERS_H_

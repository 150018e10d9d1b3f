// Portcullis server: the storage interface.
//
// One interface for every backend (store/sqlite_store.h, store/postgres_store.h). The tables and
// columns are BetterAuth's (contract §7: "user", "session", "account", "verification", and
// "rateLimit"; its two-factor plugin's "twoFactor" and "user"."twoFactorEnabled"; its admin
// plugin's "role" and ban columns of "user" and "session"."impersonatedBy"; its jwt plugin's
// "jwks"; its passkey plugin's "passkey"; its organization plugin's "organization", "member",
// "invitation" and "session"."activeOrganizationId"), so a BetterAuth database is served as it is. Every
// backend must pass tests/store/conformance.cc.
//
// All methods are safe to call from many threads at once. Errors are Status values:
//   NOT_FOUND                              the row does not exist
//   USER_ALREADY_EXISTS                    a unique e-mail (or token, or id) is already taken
//   INTERNAL_SERVER_ERROR                  anything else (I/O, busy beyond the timeout, corrupt
//                                          data); the message says what, and never holds secrets
// A failed write changes nothing.

#ifndef PORTCULLIS_STORE_STORE_H_
#define PORTCULLIS_STORE_STORE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/error.h"

namespace portcullis::store {

using Clock = std::chrono::system_clock;
// Instants are kept to the millisecond, as BetterAuth stores them (ISO-8601 with milliseconds).
using TimePoint = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// Returns the current time, truncated to milliseconds.
inline TimePoint now_ms() { return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now()); }

// A user barred from signing in: BetterAuth's admin plugin's columns ("banned", "banReason",
// "banExpires"), so either server honours a ban the other wrote.
struct Ban {
  std::optional<std::string> reason;
  std::optional<TimePoint> expires;  // none: until lifted

  bool operator==(const Ban&) const = default;
};

struct User {
  std::string id;
  std::string name;
  std::string email;  // stored normalised (lower case)
  bool email_verified = false;
  std::optional<std::string> image;
  TimePoint created_at{};
  TimePoint updated_at{};
  // BetterAuth's two-factor plugin's column ("twoFactorEnabled"; NULL reads as false). Written
  // only by set_two_factor_enabled() (update_user() leaves it).
  bool two_factor_enabled = false;
  // BetterAuth's admin plugin's "role": one role or several, comma-separated ("admin",
  // "user,admin"); none (NULL) reads as the default role, "user". Written only by create_user()
  // and set_role() (update_user() leaves it).
  std::optional<std::string> role;
  // BetterAuth's admin plugin's ban columns, as find_ban() reads them (none: not banned). Written
  // only by set_ban() (create_user() and update_user() leave them).
  std::optional<Ban> ban;
  // BetterAuth's username plugin's columns: the name to sign in with, stored normalised (lower
  // case; unique among users), and as the user typed it ("displayUsername"). Written by
  // create_user() and update_user().
  std::optional<std::string> username;
  std::optional<std::string> display_username;

  bool operator==(const User&) const = default;
};

inline constexpr std::string_view kCredentialProvider = "credential";

struct Account {
  std::string id;
  std::string account_id;   // for credentials: the user's id
  std::string provider_id;  // "credential" for e-mail/password
  std::string user_id;
  std::optional<std::string> password;  // PHC string (Argon2id) or BetterAuth's "salt:key" scrypt
  // OAuth scopes, comma-separated, of an account a BetterAuth server linked (a social sign-in);
  // none for credentials.
  std::optional<std::string> scope;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct Session {
  std::string id;
  std::string token;
  std::string user_id;
  TimePoint expires_at{};
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<std::string> ip_address;
  std::optional<std::string> user_agent;
  std::optional<std::string> impersonated_by;  // BetterAuth's admin plugin's "impersonatedBy"
  // BetterAuth's organization plugin's "activeOrganizationId": the organization the user works in
  // with this session (none: none chosen). Written by create_session() and
  // set_active_organization().
  std::optional<std::string> active_organization_id;

  bool operator==(const Session&) const = default;
};

struct SessionWithUser {
  Session session;
  User user;
};

struct Verification {
  std::string id;
  std::string identifier;  // e.g. "reset-password:<sha256 of token>"
  std::string value;       // e.g. the user's id
  TimePoint expires_at{};
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A user's second factor, as BetterAuth's two-factor plugin keeps it (table "twoFactor", one row
// per user): the TOTP secret and the backup codes, each encrypted with the server's secret (the
// stored text is BetterAuth's symmetricEncrypt output; the store never looks inside).
struct TwoFactor {
  std::string id;
  std::string user_id;
  std::string secret;        // the encrypted TOTP key
  std::string backup_codes;  // the encrypted JSON array of unused backup codes
  // False between enabling and the first code checked (the user has not proven the app works):
  // such a row never asks for a code at sign-in. NULL reads as true (BetterAuth's default).
  bool verified = true;
  // Consecutive wrong codes at sign-in, and until when the account refuses codes after too many.
  std::int64_t failed_verification_count = 0;
  std::optional<TimePoint> locked_until;
};

// A signing key of BetterAuth's jwt plugin (table "jwks"): the key pair as JWKs (JSON text), the
// private one encrypted with the server's secret (BetterAuth's symmetricEncrypt output, itself
// stored as a JSON string; the store never looks inside).
struct Jwk {
  std::string id;           // the key's "kid"
  std::string public_key;   // e.g. {"crv":"Ed25519","x":"...","kty":"OKP"}
  std::string private_key;  // e.g. "\"<hex>\"" (a JSON string)
  TimePoint created_at{};
  std::optional<TimePoint> expires_at;  // none: never
  std::optional<std::string> alg;       // e.g. "EdDSA"; NULL: the plugin's default (EdDSA)
  std::optional<std::string> crv;       // e.g. "Ed25519"
};

// A WebAuthn credential of a user, as BetterAuth's passkey plugin keeps it (table "passkey", any
// number of rows per user). The public key is the credential's COSE key; the store never looks
// inside any of the values.
struct Passkey {
  std::string id;
  std::optional<std::string> name;        // the user's label for it; none: unnamed
  std::string public_key;                 // base64 (standard, padded) of the COSE key
  std::string user_id;
  std::string credential_id;              // base64url, no padding
  // The authenticator's signature counter, as the column holds it. PostgreSQL's column is
  // BetterAuth's integer: a value above 2^31 - 1 is INTERNAL_SERVER_ERROR there (the passkey
  // service writes a 32-bit counter as the signed integer with the same bits).
  std::int64_t counter = 0;
  std::string device_type;                // "singleDevice" | "multiDevice"
  bool backed_up = false;
  std::optional<std::string> transports;  // comma-separated, e.g. "internal,hybrid"
  std::optional<TimePoint> created_at;    // NULL in a row BetterAuth wrote without one
  std::optional<std::string> aaguid;      // "00000000-0000-0000-0000-000000000000" form

  bool operator==(const Passkey&) const = default;
};

// An organization of BetterAuth's organization plugin (table "organization"): a group of users
// (its members), each with a role in it.
struct Organization {
  std::string id;
  std::string name;
  std::string slug;                     // unique among organizations
  std::optional<std::string> logo;      // a URL
  std::optional<std::string> metadata;  // JSON text, as stored (the store never looks inside)
  TimePoint created_at{};

  bool operator==(const Organization&) const = default;
};

// A user's membership of an organization (table "member"; a user is a member at most once).
struct Member {
  std::string id;
  std::string organization_id;
  std::string user_id;
  std::string role;  // one role or several, comma-separated ("owner", "admin,member")
  TimePoint created_at{};

  bool operator==(const Member&) const = default;
};

// Returns whether `roles` (one role or several, comma-separated, spaces around them ignored)
// includes `role`.
inline bool has_role(std::string_view roles, std::string_view role) {
  while (true) {
    const std::size_t comma = roles.find(',');
    std::string_view one = roles.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one == role) return true;
    if (comma == std::string_view::npos) return false;
    roles.remove_prefix(comma + 1);
  }
}

struct MemberWithUser {
  Member member;
  User user;
};

// One page of list_members(), and how many members the organization has in all.
struct MemberPage {
  std::vector<MemberWithUser> members;
  std::size_t total = 0;
};

// An invitation to join an organization, sent to an e-mail address (table "invitation").
struct Invitation {
  std::string id;
  std::string organization_id;
  std::string email;                // normalised (lower case)
  std::optional<std::string> role;  // the role(s) it gives, comma-separated; none: "member"
  std::string status;               // "pending", "accepted", "rejected" or "canceled"
  TimePoint expires_at{};
  TimePoint created_at{};
  std::string inviter_id;           // the user who sent it

  bool operator==(const Invitation&) const = default;
};

// An API key of BetterAuth's API-key plugin (table "apikey"): a secret that a program sends
// instead of a session cookie, owned by a user. Only a hash of the key is stored.
struct ApiKey {
  std::string id;
  std::string config_id = "default";      // "configId": the plugin's configuration
  std::optional<std::string> name;
  std::optional<std::string> start;       // the key's first characters, to tell keys apart
  std::string reference_id;               // "referenceId": the owner, a user's id
  std::optional<std::string> prefix;
  std::string key_hash;                   // "key": base64url(SHA-256(key)), unpadded
  // The numbers are PostgreSQL "integer" columns (BetterAuth's DDL): at most 2^31 - 1 there.
  std::optional<std::int64_t> refill_interval_ms;  // "refillInterval"
  std::optional<std::int64_t> refill_amount;
  std::optional<TimePoint> last_refill_at;
  bool enabled = true;                              // NULL reads as true
  bool rate_limit_enabled = true;                   // NULL reads as true
  std::optional<std::int64_t> rate_limit_time_window_ms;  // "rateLimitTimeWindow"
  std::optional<std::int64_t> rate_limit_max;
  std::int64_t request_count = 0;                   // NULL reads as 0
  std::optional<std::int64_t> remaining;            // none: unlimited
  std::optional<TimePoint> last_request;
  std::optional<TimePoint> expires_at;              // none: never
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<std::string> permissions;  // JSON text, as stored (the store never looks inside)
  std::optional<std::string> metadata;     // JSON text, as stored ("null" is what the plugin writes for none)

  bool operator==(const ApiKey&) const = default;
};

// How list_api_keys() orders a user's keys (then by id, ascending, to break ties).
enum class ApiKeyField { kCreatedAt, kUpdatedAt, kName, kExpiresAt, kLastRequest, kEnabled, kRemaining, kRequestCount };

struct ApiKeyOrder {
  ApiKeyField field = ApiKeyField::kCreatedAt;
  // NULLs sort first ascending, last descending (enabled and requestCount sort as read: NULL as
  // true and 0); text in byte order, whatever the database's collation.
  bool descending = false;
};

// One page of list_api_keys(), and how many keys the user has in all.
struct ApiKeyPage {
  std::vector<ApiKey> keys;
  std::size_t total = 0;
};

// The outcome of counting one request against a fixed rate-limit rule.
struct RateLimitDecision {
  bool allowed = true;
  // When blocked: seconds until the window reopens (at least 1).
  std::int64_t retry_after_seconds = 0;
};

// A rate-limit counter as the rateLimit table holds it.
struct RateLimitCounter {
  std::int64_t count = 0;          // 0: there is no counter
  TimePoint last_request{};        // when it last counted
};

// The users' fields that query_users() can search, filter and sort by.
enum class UserField { kId, kName, kEmail, kEmailVerified, kRole, kBanned, kCreatedAt, kUpdatedAt };

// How a search compares a text field with the searched text: ignoring the case of ASCII letters
// (PostgreSQL's of other letters too), and taking every character literally (LIKE's "%" and "_"
// included).
enum class TextMatch { kContains, kStartsWith, kEndsWith };

// Which users query_users() returns (BetterAuth's admin plugin's list-users).
struct UserQuery {
  // Only users whose `search_field` (kName or kEmail) matches `search` by `search_match`.
  std::optional<std::string> search;
  UserField search_field = UserField::kEmail;
  TextMatch search_match = TextMatch::kContains;
  // Only users whose `filter_field` equals (or, with `filter_negate`, differs from)
  // `filter_value`: the text itself for kId, kName, kEmail and kRole (a NULL role equals
  // "user"), "true" or "false" for kEmailVerified and kBanned (NULL "banned" is false). Dates
  // cannot be filtered on. With `filter_match` (text fields only, not with `filter_negate`), the
  // field contains, starts or ends with the value instead, ignoring ASCII case as `search` does.
  std::optional<std::string> filter_value;
  UserField filter_field = UserField::kEmail;
  bool filter_negate = false;
  std::optional<TextMatch> filter_match;
  // The order (ties broken by id, in the same direction; text in the database's collation,
  // byte order on SQLite), then the page: at most `limit` users
  // after skipping `offset`.
  UserField sort_by = UserField::kCreatedAt;
  bool descending = false;
  std::size_t limit = 100;
  std::size_t offset = 0;
};

// One page of query_users(), and how many users match in all.
struct UserPage {
  std::vector<User> users;
  std::size_t total = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- schema ---------------------------------------------------------------------------------

  // Brings the schema to the newest version, applying each pending migration in its own
  // transaction. Tables that already exist (a BetterAuth database) are kept as they are.
  // Returns OK when there is nothing to do.
  virtual Status migrate() = 0;

  // Returns the schema version the database is at (0 for an empty database).
  virtual Result<int> schema_version() = 0;

  // --- users and accounts ---------------------------------------------------------------------

  // Inserts `user` and its credential `account` in one transaction: both or neither; with no
  // account (nullopt: a user who signs in with e-mailed codes), the user alone. The user's
  // role is written, and twoFactorEnabled and banned as false (BetterAuth writes these defaults
  // too, where a table it made may have none).
  // Errors: USER_ALREADY_EXISTS if the e-mail, the username (or an id) is taken.
  virtual Status create_user(const User& user, const std::optional<Account>& account) = 0;

  // Errors: NOT_FOUND.
  virtual Result<User> find_user_by_id(std::string_view id) = 0;

  // Looks up by the normalised (lower-case) e-mail. Errors: NOT_FOUND.
  virtual Result<User> find_user_by_email(std::string_view email) = 0;

  // Looks up by the normalised (lower-case) username. Errors: NOT_FOUND.
  virtual Result<User> find_user_by_username(std::string_view username) = 0;

  // Returns up to `limit` users ordered by creation time, skipping `offset`.
  virtual Result<std::vector<User>> list_users(std::size_t limit, std::size_t offset) = 0;

  // Returns the page of users `query` asks for, and how many users match it in all, as of one
  // moment (one transaction). Errors: INTERNAL_SERVER_ERROR (an unusable query, e.g. a date
  // filter, or a filter on kEmailVerified or kBanned whose value is not "true" or "false").
  virtual Result<UserPage> query_users(const UserQuery& query) = 0;

  // Sets the user's role (none: NULL) and updatedAt = `now`. Errors: NOT_FOUND (no user).
  virtual Status set_role(std::string_view user_id, const std::optional<std::string>& role, TimePoint now) = 0;

  // Writes every field of `user` (found by its id) except created_at, two_factor_enabled, role
  // and ban.
  // Errors: NOT_FOUND; USER_ALREADY_EXISTS if the new e-mail or username is taken.
  virtual Status update_user(const User& user) = 0;

  // Deletes the user with its sessions, its accounts, its twoFactor row, its passkeys, its
  // memberships, the invitations it sent, its API keys and the
  // verification rows that belong to it, in one transaction. A verification row belongs to a user
  // when its value is the user's id (the e-mailed reset and deletion tokens, BetterAuth's reset
  // tokens, known devices) or a JSON object whose "userId" is that id (e-mail verification and
  // change links). Errors: NOT_FOUND.
  virtual Status delete_user(std::string_view id) = 0;

  // The owner of an unverified address proved it (an e-mailed code): whatever access others may
  // have set up on the account before is removed. Deletes the user's accounts (the password
  // with them), passkeys and sessions, and sets emailVerified true and updatedAt = `now`, in one
  // transaction, only if the address is still unverified. Returns whether it did (false: it was
  // verified meanwhile, and nothing changed). Errors: NOT_FOUND (no user).
  virtual Result<bool> claim_unverified_user(std::string_view user_id, TimePoint now) = 0;

  // Returns the user's account whose providerId is "credential". Errors: NOT_FOUND.
  virtual Result<Account> find_credential_account(std::string_view user_id) = 0;

  // Every account of the user (the credential and any other provider's), oldest first; empty if
  // there are none or the user does not exist.
  virtual Result<std::vector<Account>> list_accounts(std::string_view user_id) = 0;

  // Deletes the user's account whose id is `account_row_id`, unless it is the user's only
  // account (a user must keep a way to sign in): the check and the delete are one step, so two
  // concurrent unlinks cannot remove the last two. Errors: ACCOUNT_NOT_FOUND (no such account of
  // this user); FAILED_TO_UNLINK_LAST_ACCOUNT.
  virtual Status unlink_account(std::string_view user_id, std::string_view account_row_id) = 0;

  // Inserts an account (e.g. a credential for a user who had none).
  // Errors: USER_ALREADY_EXISTS if its id is taken.
  virtual Status create_account(const Account& account) = 0;

  // Sets the password of the account with id `account_row_id`. Errors: NOT_FOUND.
  virtual Status set_account_password(std::string_view account_row_id, std::string_view password_hash,
                                      TimePoint now) = 0;

  // Atomically replaces the stored hash of the account only if it still equals `expected_hash`
  // (an upgrade on sign-in must not undo a concurrent password change). Returns OK whether or not
  // it replaced it. Errors: INTERNAL_SERVER_ERROR.
  virtual Status upgrade_account_password(std::string_view account_row_id, std::string_view expected_hash,
                                          std::string_view new_hash, TimePoint now) = 0;

  // --- second factor (BetterAuth's two-factor plugin) ----------------------------------------

  // The user's twoFactor row (the one with the lowest id, should a BetterAuth database hold
  // several). Errors: NOT_FOUND.
  virtual Result<TwoFactor> find_two_factor(std::string_view user_id) = 0;

  // Stores `row` as the user's only twoFactor row: replaces the secret, backup codes and
  // verified flag of the row the user has (keeping its id), or inserts `row` (with its id). The
  // failure count and lock are cleared either way, and any other rows of the user deleted.
  // Errors: NOT_FOUND if the user does not exist; USER_ALREADY_EXISTS if `row.id` is taken by
  // another user's row.
  virtual Status put_two_factor(const TwoFactor& row) = 0;

  // Sets the user's twoFactorEnabled and updatedAt (= `now`); when `enabled` is false, also
  // deletes the user's twoFactor rows, in the same transaction. Errors: NOT_FOUND (no user).
  virtual Status set_two_factor_enabled(std::string_view user_id, bool enabled, TimePoint now) = 0;

  // The user's ban, or nullopt if the user is not banned ("banned" false or NULL). An expired ban
  // is returned as it is; the caller decides. Errors: NOT_FOUND (no user).
  virtual Result<std::optional<Ban>> find_ban(std::string_view user_id) = 0;

  // Bans the user (`ban` given) or lifts the ban (nullopt), and sets updatedAt = `now`. A ban also
  // deletes all of the user's sessions, in the same transaction. Errors: NOT_FOUND (no user).
  virtual Status set_ban(std::string_view user_id, const std::optional<Ban>& ban, TimePoint now) = 0;

  // Sets verified = true on the twoFactor row with id `id`. Errors: NOT_FOUND.
  virtual Status mark_two_factor_verified(std::string_view id) = 0;

  // Replaces the backup codes of the row with id `id` only if they still equal `expected` (so
  // that two requests racing with the same code cannot both use it). Returns whether it
  // replaced them (false for an unknown id too).
  virtual Result<bool> replace_backup_codes(std::string_view id, std::string_view expected,
                                            std::string_view updated) = 0;

  // Counts one wrong code against the row with id `id`, atomically, and whenever the new count is
  // `max_failures` or more sets locked_until = `lock_until` (BetterAuth's rule: each failure
  // beyond the limit moves the lock). Returns the new count. Errors: NOT_FOUND.
  virtual Result<std::int64_t> record_two_factor_failure(std::string_view id, std::int64_t max_failures,
                                                         TimePoint lock_until) = 0;

  // Clears the failure count and the lock of the row with id `id`. OK if there is none.
  virtual Status reset_two_factor_failures(std::string_view id) = 0;

  // --- signing keys (BetterAuth's jwt plugin) -------------------------------------------------

  // Every row of the jwks table, oldest first (by createdAt, then id). Errors:
  // INTERNAL_SERVER_ERROR.
  virtual Result<std::vector<Jwk>> list_jwks() = 0;

  // Inserts `key`. Errors: USER_ALREADY_EXISTS if its id is taken (nothing is written).
  virtual Status create_jwk(const Jwk& key) = 0;

  // --- passkeys (BetterAuth's passkey plugin) -------------------------------------------------

  // Inserts `passkey` (all of its fields as given) unless its user already has `max_per_user`
  // passkeys: then returns false and writes nothing. The checks and the insert are one step, so
  // calls racing for one user never leave it more than `max_per_user`, nor two users (or one) a
  // credential id twice (WebAuthn §7.1 step 22). Errors, checked in this order: NOT_FOUND (no
  // such user); USER_ALREADY_EXISTS (some user's passkey has this credential id, or the id is
  // taken). Nothing is written on an error.
  virtual Result<bool> create_passkey(const Passkey& passkey, std::size_t max_per_user) = 0;

  // The user's passkeys, oldest first (by createdAt, NULL first, then id); empty if there are
  // none or the user does not exist.
  virtual Result<std::vector<Passkey>> list_passkeys(std::string_view user_id) = 0;

  // The passkey whose id is `id`. Errors: NOT_FOUND.
  virtual Result<Passkey> find_passkey(std::string_view id) = 0;

  // The passkey with this credential id (the oldest, as list_passkeys() orders them, should a
  // BetterAuth database hold several). Errors: NOT_FOUND.
  virtual Result<Passkey> find_passkey_by_credential_id(std::string_view credential_id) = 0;

  // Sets the counter of passkey `id` to `counter` only if it still is `expected`: the check and
  // the write are one step, so of two sign-ins racing with one assertion only one passes. Returns
  // whether it did (false for an unknown id too).
  virtual Result<bool> update_passkey_counter(std::string_view id, std::int64_t expected, std::int64_t counter) = 0;

  // Sets the name of the user's passkey `id`. Errors: NOT_FOUND (no such passkey of this user:
  // another user's is never touched).
  virtual Status rename_passkey(std::string_view id, std::string_view user_id, std::string_view name) = 0;

  // Deletes the user's passkey `id`. Errors: NOT_FOUND (no such passkey of this user: another
  // user's is never touched).
  virtual Status delete_passkey(std::string_view id, std::string_view user_id) = 0;

  // --- organizations (BetterAuth's organization plugin) ---------------------------------------

  // Inserts `organization` and `creator`, its first member (whose organization_id must be the
  // organization's id), in one transaction, unless `limit` is given and the creator is a member
  // of `limit` organizations already: then returns false and writes nothing. The count and the
  // inserts are one step. Errors, in this order: NOT_FOUND (no such user); USER_ALREADY_EXISTS
  // (the slug, or an id, is taken). Nothing is written on an error.
  virtual Result<bool> create_organization(const Organization& organization, const Member& creator,
                                           std::optional<std::size_t> limit) = 0;

  // Errors: NOT_FOUND.
  virtual Result<Organization> find_organization(std::string_view id) = 0;

  // Errors: NOT_FOUND.
  virtual Result<Organization> find_organization_by_slug(std::string_view slug) = 0;

  // Writes the name, slug, logo and metadata of `organization` (found by its id).
  // Errors: NOT_FOUND; USER_ALREADY_EXISTS (another organization has the slug).
  virtual Status update_organization(const Organization& organization) = 0;

  // Deletes the organization with its members and invitations, and unsets it as the active
  // organization of every session, in one transaction. Errors: NOT_FOUND.
  virtual Status delete_organization(std::string_view id) = 0;

  // The organizations the user is a member of, oldest first (by createdAt, then id); empty if
  // none (or no such user).
  virtual Result<std::vector<Organization>> list_user_organizations(std::string_view user_id) = 0;

  // The user's membership of the organization. Errors: NOT_FOUND (not a member).
  virtual Result<Member> find_member(std::string_view organization_id, std::string_view user_id) = 0;

  // The member `member_id` of the organization. Errors: NOT_FOUND (none, or another
  // organization's: never returned).
  virtual Result<Member> find_member_by_id(std::string_view organization_id, std::string_view member_id) = 0;

  // The organization's members with their users, oldest member first (by createdAt, then id): at
  // most `limit` after skipping `offset`, and how many there are in all, as of one moment.
  virtual Result<MemberPage> list_members(std::string_view organization_id, std::size_t limit,
                                          std::size_t offset) = 0;

  // Inserts `member` unless its organization has `limit` members already. The checks and the
  // insert are one step. Errors, in this order: NOT_FOUND (no such organization or user);
  // USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION; ORGANIZATION_MEMBERSHIP_LIMIT_REACHED;
  // USER_ALREADY_EXISTS (the id is taken). Nothing is written on an error.
  virtual Status add_member(const Member& member, std::size_t limit) = 0;

  // Sets the role of member `member_id` of the organization, unless that takes `owner_role` from
  // its last holder: the check and the write are one step. Errors: NOT_FOUND (no such member of
  // the organization); YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER (the member is the only
  // one whose role includes `owner_role`, and `role` does not).
  virtual Status update_member_role(std::string_view organization_id, std::string_view member_id,
                                    std::string_view role, std::string_view owner_role) = 0;

  // Deletes member `member_id` of the organization, and unsets the organization as the active
  // one of that user's sessions, in one transaction, unless the member is the only one whose role
  // includes `owner_role`. Errors: NOT_FOUND (no such member of the organization);
  // YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER.
  virtual Status remove_member(std::string_view organization_id, std::string_view member_id,
                               std::string_view owner_role) = 0;

  // Inserts `invitation` (status "pending"), in one step with these checks, where "live" means
  // pending and expiring after invitation.created_at (expired ones count for nothing): if a live
  // invitation of the same organization to the same address exists, it is canceled first with
  // `cancel_pending`, else the error is USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION; then, if
  // the organization has `limit` live invitations, the error is INVITATION_LIMIT_REACHED. Errors also: NOT_FOUND (no such organization or inviter);
  // USER_ALREADY_EXISTS (the id is taken). Nothing is written on an error.
  virtual Status create_invitation(const Invitation& invitation, std::size_t limit, bool cancel_pending) = 0;

  // Errors: NOT_FOUND.
  virtual Result<Invitation> find_invitation(std::string_view id) = 0;

  // The organization's invitations, whatever their status, oldest first (by createdAt, then id).
  virtual Result<std::vector<Invitation>> list_invitations(std::string_view organization_id) = 0;

  // The invitations to the (normalised) address, whatever their status and organization, oldest
  // first (by createdAt, then id).
  virtual Result<std::vector<Invitation>> list_invitations_to(std::string_view email) = 0;

  // Sets the status of invitation `id` to `status` only if it still is "pending", and, given
  // `expires_at`, its expiry too. Returns whether it did (false for an unknown id too).
  virtual Result<bool> update_pending_invitation(std::string_view id, std::string_view status,
                                                 std::optional<TimePoint> expires_at) = 0;

  // Accepts invitation `id`: in one transaction, only if it still is pending and expires after
  // `now`, inserts `member` (as add_member() does, with `limit`) and sets the invitation's status
  // to "accepted". Errors: INVITATION_NOT_FOUND (no such pending invitation, or it expired);
  // add_member()'s. Nothing is written on an error.
  virtual Status accept_invitation(std::string_view id, const Member& member, std::size_t limit, TimePoint now) = 0;

  // --- API keys (BetterAuth's API-key plugin) ------------------------------------------------

  // Inserts `key` (every field as given) unless its owner (reference_id) has `max_per_user` keys
  // already: then returns false and writes nothing. The count and the insert are one step.
  // Errors, in this order: NOT_FOUND (no user with the reference_id); USER_ALREADY_EXISTS (the
  // id, or the key_hash, is taken). Nothing is written on an error.
  virtual Result<bool> create_api_key(const ApiKey& key, std::size_t max_per_user) = 0;

  // Errors: NOT_FOUND.
  virtual Result<ApiKey> find_api_key(std::string_view id) = 0;

  // The key whose stored hash is `key_hash` (the oldest, by createdAt then id, should a
  // BetterAuth database hold several). Errors: NOT_FOUND.
  virtual Result<ApiKey> find_api_key_by_hash(std::string_view key_hash) = 0;

  // The user's keys in `order`: at most `limit` after skipping `offset`, and how many the user has
  // in all, as of one moment. Empty for an unknown user.
  virtual Result<ApiKeyPage> list_api_keys(std::string_view reference_id, const ApiKeyOrder& order,
                                           std::size_t limit, std::size_t offset) = 0;

  // Changes key `id` as `change` says, atomically: reads the row with it locked against other
  // writers, calls `change` with it (once; it must not call the store), and if `change` returns
  // OK writes the row back, every field but id, reference_id, key_hash and created_at, and
  // returns it; if `change` returns an error, writes nothing and returns that error. Errors:
  // NOT_FOUND (no such key; `change` is not called); `change`'s.
  virtual Result<ApiKey> change_api_key(std::string_view id, const std::function<Status(ApiKey&)>& change) = 0;

  // Deletes key `id` if it belongs to `reference_id`. Errors: NOT_FOUND (no such key of this
  // owner: another's is never touched).
  virtual Status delete_api_key(std::string_view id, std::string_view reference_id) = 0;

  // --- sessions -------------------------------------------------------------------------------

  // Errors: USER_ALREADY_EXISTS if the token or id is taken; NOT_FOUND if the user does not exist.
  virtual Status create_session(const Session& session) = 0;

  // The session with `token` and its user, in one read (the get-session hot path).
  // Errors: NOT_FOUND (expired sessions are returned; the caller checks expires_at).
  virtual Result<SessionWithUser> find_session(std::string_view token) = 0;

  // All of the user's sessions, expired or not, newest first.
  virtual Result<std::vector<Session>> list_sessions(std::string_view user_id) = 0;

  // Sets expires_at and updated_at of the session with `token`. Errors: NOT_FOUND.
  virtual Status touch_session(std::string_view token, TimePoint expires_at, TimePoint updated_at) = 0;

  // Sets the session's active organization (none: unsets it), and nothing else (updatedAt
  // stays). Errors: NOT_FOUND (no session with `token`).
  virtual Status set_active_organization(std::string_view token, const std::optional<std::string>& organization_id) = 0;

  // Deletes the session with `token`. OK if there was none.
  virtual Status delete_session(std::string_view token) = 0;

  // Deletes the session with `token` only if it belongs to `user_id`. OK if there was none.
  virtual Status delete_user_session(std::string_view user_id, std::string_view token) = 0;

  // Deletes all of the user's sessions except the one with `keep_token` (none kept when empty).
  // Returns how many were deleted.
  virtual Result<std::size_t> delete_sessions(std::string_view user_id, std::string_view keep_token) = 0;

  // --- verifications (e-mailed tokens) --------------------------------------------------------

  // Stores `verification`. Errors: USER_ALREADY_EXISTS if its id is taken.
  virtual Status create_verification(const Verification& verification) = 0;

  // Finds the row with `identifier` without consuming it (e.g. to check a reset link before the
  // form is shown). Errors: NOT_FOUND.
  virtual Result<Verification> find_verification(std::string_view identifier) = 0;

  // Finds the row with `identifier` and deletes it in the same transaction, so a token is used at
  // most once even when two requests race. Expired rows are returned too (and deleted); the
  // caller checks expires_at. Errors: NOT_FOUND.
  virtual Result<Verification> consume_verification(std::string_view identifier) = 0;

  // Deletes expired sessions, verifications and API keys (expiresAt before `now`). Returns how
  // many rows went.
  virtual Result<std::size_t> delete_expired(TimePoint now) = 0;

  // --- rate limits ----------------------------------------------------------------------------

  // Counts one request for `key` under a rule of at most `max` requests per `window`, with
  // BetterAuth's algorithm: no entry, or now - lastRequest >= window, resets to count 1; else if
  // count >= max the request is blocked (nothing changes); else count += 1 and lastRequest = now.
  virtual Result<RateLimitDecision> rate_limit_hit(std::string_view key, std::chrono::milliseconds window,
                                                   std::int64_t max, TimePoint now) = 0;

  // Returns the counter of `key` as rate_limit_hit() left it (count 0 if there is none), without
  // changing it. Errors: INTERNAL_SERVER_ERROR.
  virtual Result<RateLimitCounter> rate_limit_get(std::string_view key) = 0;

  // Deletes the counter of `key`. OK if there was none. Errors: INTERNAL_SERVER_ERROR.
  virtual Status rate_limit_clear(std::string_view key) = 0;

  // --- changes made elsewhere -----------------------------------------------------------------

  // Asks the backend to call `on_change(user_id)` whenever a process sharing the database
  // (another replica, or this one) deleted or refreshed a session of that user, or changed or
  // deleted the user, so that a cache can forget what it read. The call comes from a thread of
  // the backend's, soon after the change commits; `user_id` is empty when anything may have
  // changed: after the backend regained a lost connection to the database (notices may have been
  // missed then). Replaces an earlier callback; an empty one stops the calls, and once
  // watch_changes() returns, the old callback is not running and will not run again.
  // Returns false, and never calls it, if the backend cannot tell (SQLite): the caller must then
  // bound how long it trusts what it read.
  virtual bool watch_changes(std::function<void(std::string_view user_id)> on_change) {
    (void)on_change;
    return false;
  }
};

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_STORE_H_

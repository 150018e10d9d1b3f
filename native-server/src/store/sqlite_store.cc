// Portcullis server: the SQLite store.
//
// Layout of this file:
//   - RAII handles for sqlite3* and sqlite3_stmt*, and the mapping from SQLite result codes to
//     Status values (messages name the operation and SQLite's generic text, never data);
//   - Connection: one sqlite3* with its prepared-statement cache; Statement: a cached statement
//     checked out for one use (reset and unbound when it goes out of scope), or one of SQL composed
//     at run time, prepared for that use alone; Transaction: BEGIN IMMEDIATE (or, to read, BEGIN)
//     ... COMMIT, rolled back unless committed;
//   - the migrations, as a list of {version, sql, then};
//   - SqliteStore: the Store methods, each on one connection checked out of a small pool.

#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"
#include "portcullis/token.h"
#include "store/connection_pool.h"
#include "store/rate_limit_rule.h"
#include "store/row_readers.h"

namespace portcullis::store {
namespace {

// --- handles and errors ------------------------------------------------------------------------

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Status internal_error(std::string_view what, std::string_view detail) {
  std::string message = "sqlite: ";
  message += what;
  message += ": ";
  message += detail;
  return Status(ErrorCode::kInternalServerError, std::move(message));
}

// Maps a failed result code (extended codes are on) to a Status. SQLite's generic text for the
// code (sqlite3_errstr) never holds data; `what` names the operation.
Status error_from_code(int rc, std::string_view what) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Status(ErrorCode::kUserAlreadyExists);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status(ErrorCode::kNotFound);
    default:
      return internal_error(what, sqlite3_errstr(rc));
  }
}

Status corrupt_row(std::string_view what) { return internal_error(what, "unreadable value in a row"); }

std::int64_t clamp_to_int64(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(n, kMax));
}

// --- connections and statements ----------------------------------------------------------------

class Connection {
 public:
  explicit Connection(DbHandle db) : db_(std::move(db)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    statements_.clear();  // finalise the statements before the handle closes
  }

  sqlite3* db() const { return db_.get(); }

  // Returns the cached statement for `sql` (a string literal of this file), preparing it on first
  // use. On failure returns nullptr and sets `rc`.
  sqlite3_stmt* statement(std::string_view sql, int& rc) {
    rc = SQLITE_OK;
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second.get();
    sqlite3_stmt* raw = nullptr;
    rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                            nullptr);
    StmtHandle handle(raw);
    if (rc != SQLITE_OK) return nullptr;
    if (handle == nullptr) {  // empty SQL: a bug of this file
      rc = SQLITE_MISUSE;
      return nullptr;
    }
    return statements_.emplace(sql, std::move(handle)).first->second.get();
  }

  // Prepares `sql` for one use, outside the cache (whose keys must outlive it). On failure returns
  // null and sets `rc`.
  StmtHandle prepare_once(std::string_view sql, int& rc) {
    sqlite3_stmt* raw = nullptr;
    rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
    StmtHandle handle(raw);
    if (rc == SQLITE_OK && handle == nullptr) rc = SQLITE_MISUSE;  // empty SQL: a bug of this file
    if (rc != SQLITE_OK) return nullptr;
    return handle;
  }

 private:
  DbHandle db_;
  std::unordered_map<std::string_view, StmtHandle> statements_;  // keys are string literals
};

// SQL composed at run time from this file's fragments (query_users()), not a string literal.
struct Composed {
  std::string sql;
};

// A cached statement in use: values are bound with bind_*(), step() runs it, columns are read
// with the column accessors; when it goes out of scope (or on reset()) it is reset and unbound.
// A failure to prepare or bind is reported by step().
class Statement {
 public:
  Statement(Connection& conn, std::string_view sql, std::string_view what) : conn_(conn), what_(what) {
    stmt_ = conn.statement(sql, rc_);
    prepare_failed_ = rc_ != SQLITE_OK;
  }
  // A statement of composed SQL: prepared for this use alone, finalised when it goes out of scope.
  Statement(Connection& conn, const Composed& composed, std::string_view what) : conn_(conn), what_(what) {
    owned_ = conn.prepare_once(composed.sql, rc_);
    stmt_ = owned_.get();
    prepare_failed_ = rc_ != SQLITE_OK;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { reset(); }

  void reset() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  void bind_text(int i, std::string_view v) {
    if (stmt_ == nullptr || rc_ != SQLITE_OK) return;
    // SQLITE_TRANSIENT: SQLite copies the bytes, so temporaries may be bound.
    rc_ = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), kTransient, SQLITE_UTF8);
  }
  void bind_optional_text(int i, const std::optional<std::string>& v) {
    if (v) {
      bind_text(i, *v);
    } else if (stmt_ != nullptr && rc_ == SQLITE_OK) {
      rc_ = sqlite3_bind_null(stmt_, i);
    }
  }
  void bind_int(int i, std::int64_t v) {
    if (stmt_ == nullptr || rc_ != SQLITE_OK) return;
    rc_ = sqlite3_bind_int64(stmt_, i, v);
  }
  void bind_double(int i, double v) {
    if (stmt_ == nullptr || rc_ != SQLITE_OK) return;
    rc_ = sqlite3_bind_double(stmt_, i, v);
  }
  void bind_bool(int i, bool v) { bind_int(i, v ? 1 : 0); }
  void bind_time(int i, TimePoint t) { bind_text(i, format_iso8601(t)); }
  void bind_null(int i) {
    if (stmt_ == nullptr || rc_ != SQLITE_OK) return;
    rc_ = sqlite3_bind_null(stmt_, i);
  }
  void bind_optional_int(int i, const std::optional<std::int64_t>& v) {
    if (v) {
      bind_int(i, *v);
    } else {
      bind_null(i);
    }
  }
  void bind_optional_time(int i, const std::optional<TimePoint>& t) {
    if (t) {
      bind_time(i, *t);
    } else {
      bind_null(i);
    }
  }

  // Runs one step: SQLITE_ROW, SQLITE_DONE, or an error code.
  int step() {
    if (rc_ != SQLITE_OK) return rc_;
    return sqlite3_step(stmt_);
  }

  // Runs a statement that returns no rows; OK on SQLITE_DONE.
  Status exec() {
    const int rc = step();
    if (rc == SQLITE_DONE) return Status::OK();
    return error(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
  }

  Status error(int rc) const {
    if (prepare_failed_) {
      // Preparing failed: the message names schema objects (e.g. "no such table: user"), no data.
      return internal_error(what_, sqlite3_errmsg(conn_.db()));
    }
    return error_from_code(rc, what_);
  }

  int changes() const { return sqlite3_changes(conn_.db()); }

  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    if (p == nullptr) return std::string();
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::string> optional_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  // A date column: NULL or text that parse_iso8601 refuses sets `bad`.
  TimePoint time(int col, bool& bad) const {
    if (is_null(col)) {
      bad = true;
      return TimePoint{};
    }
    const auto t = parse_iso8601(text(col));
    if (!t) {
      bad = true;
      return TimePoint{};
    }
    return *t;
  }

 private:
  static inline const sqlite3_destructor_type kTransient =
      reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

  Connection& conn_;
  std::string_view what_;
  StmtHandle owned_;  // a composed statement's; null for a cached one
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
  bool prepare_failed_ = false;
};

// BEGIN IMMEDIATE (waiting up to the busy timeout for the write lock) ... COMMIT, or BEGIN ...
// COMMIT to read; rolled back when it goes out of scope uncommitted.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    // Some errors (e.g. SQLITE_FULL, SQLITE_IOERR) roll back by themselves; only roll back an open
    // transaction.
    if (begun_ && sqlite3_get_autocommit(conn_.db()) == 0) {
      Statement rollback(conn_, "ROLLBACK", "rollback");
      (void)rollback.exec();
    }
  }

  Status begin(std::string_view what) {
    Statement st(conn_, "BEGIN IMMEDIATE", what);
    Status s = st.exec();
    begun_ = s.ok();
    return s;
  }

  // A read transaction instead (no write lock): its reads see one snapshot of the database (WAL).
  Status begin_read(std::string_view what) {
    Statement st(conn_, "BEGIN", what);
    Status s = st.exec();
    begun_ = s.ok();
    return s;
  }

  Status commit(std::string_view what) {
    Statement st(conn_, "COMMIT", what);
    return st.exec();  // on failure the destructor rolls back
  }

 private:
  Connection& conn_;
  bool begun_ = false;
};

// Runs SQL without parameters (one or more statements).
// `t` as julianday() computes a day number: milliseconds since the Julian epoch (the Unix epoch is
// 210866760000000 ms after it) / 86400000.0, so equal instants compare equal.
double julian_day(TimePoint t) {
  return static_cast<double>(t.time_since_epoch().count() + 210866760000000LL) / 86400000.0;
}

Status exec_script(sqlite3* db, const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::OK();
  return error_from_code(sqlite3_extended_errcode(db), what);
}

// OK if user `user_id` exists (read on `c`, inside the caller's transaction). Errors: NOT_FOUND;
// the database's.
Status user_exists(Connection& c, std::string_view user_id, std::string_view what) {
  Statement st(c, "SELECT 1 FROM \"user\" WHERE \"id\" = ?", what);
  st.bind_text(1, user_id);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
  if (rc != SQLITE_ROW) return st.error(rc);
  return Status::OK();
}

// --- the schema --------------------------------------------------------------------------------

struct Migration {
  int version;
  const char* sql;
  // What SQL cannot say (SQLite has no ADD COLUMN IF NOT EXISTS), run after `sql` in the same
  // transaction; null if nothing.
  Status (*then)(Connection&) = nullptr;
};

// BetterAuth's tables as its SQLite generator writes them, plus the rateLimit table it adds with
// rateLimit.storage = "database". IF NOT EXISTS keeps a BetterAuth database as it is.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE IF NOT EXISTS "user" (
  "id" text not null primary key,
  "name" text not null,
  "email" text not null unique,
  "emailVerified" integer not null,
  "image" text,
  "createdAt" date not null,
  "updatedAt" date not null);
CREATE TABLE IF NOT EXISTS "session" (
  "id" text not null primary key,
  "expiresAt" date not null,
  "token" text not null unique,
  "createdAt" date not null,
  "updatedAt" date not null,
  "ipAddress" text,
  "userAgent" text,
  "userId" text not null references "user" ("id") on delete cascade);
CREATE TABLE IF NOT EXISTS "account" (
  "id" text not null primary key,
  "accountId" text not null,
  "providerId" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" date,
  "refreshTokenExpiresAt" date,
  "scope" text,
  "password" text,
  "createdAt" date not null,
  "updatedAt" date not null);
CREATE TABLE IF NOT EXISTS "verification" (
  "id" text not null primary key,
  "identifier" text not null,
  "value" text not null,
  "expiresAt" date not null,
  "createdAt" date not null,
  "updatedAt" date not null);
CREATE TABLE IF NOT EXISTS "rateLimit" (
  "id" text not null primary key,
  "key" text not null unique,
  "count" integer not null,
  "lastRequest" bigint not null);
CREATE INDEX IF NOT EXISTS "session_userId_idx" ON "session" ("userId");
CREATE INDEX IF NOT EXISTS "account_userId_idx" ON "account" ("userId");
CREATE INDEX IF NOT EXISTS "verification_identifier_idx" ON "verification" ("identifier");
)sql";

// BetterAuth's two-factor plugin (1.7): the twoFactor table and user.twoFactorEnabled. A
// BetterAuth database that has the plugin has the table; an older plugin's table lacks the
// lockout columns and "verified", which add_two_factor_columns() adds, as it adds
// "twoFactorEnabled" to "user". The defaults are what BetterAuth's generator gives a column it
// adds; NULL in any of them reads as BetterAuth reads it (store/row_readers.h).
constexpr const char* kMigration2 = R"sql(
CREATE TABLE IF NOT EXISTS "twoFactor" (
  "id" text not null primary key,
  "secret" text not null,
  "backupCodes" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "verified" integer default 1,
  "failedVerificationCount" integer default 0,
  "lockedUntil" date);
CREATE INDEX IF NOT EXISTS "twoFactor_userId_idx" ON "twoFactor" ("userId");
CREATE INDEX IF NOT EXISTS "twoFactor_secret_idx" ON "twoFactor" ("secret");
)sql";

struct AddedColumn {
  const char* table;
  const char* column;
  const char* alter;  // run when the table lacks the column
};

constexpr AddedColumn kMigration2Columns[] = {
    {"user", "twoFactorEnabled", R"(ALTER TABLE "user" ADD COLUMN "twoFactorEnabled" integer default 0)"},
    {"twoFactor", "verified", R"(ALTER TABLE "twoFactor" ADD COLUMN "verified" integer default 1)"},
    {"twoFactor", "failedVerificationCount",
     R"(ALTER TABLE "twoFactor" ADD COLUMN "failedVerificationCount" integer default 0)"},
    {"twoFactor", "lockedUntil", R"(ALTER TABLE "twoFactor" ADD COLUMN "lockedUntil" date)"},
};

// Adds each of `columns` that its table lacks.
template <std::size_t N>
Status add_columns(Connection& c, const AddedColumn (&columns)[N]) {
  for (const AddedColumn& added : columns) {
    bool present = false;
    {
      Statement st(c, "SELECT 1 FROM pragma_table_info(?) WHERE \"name\" = ?", "migrate");
      st.bind_text(1, added.table);
      st.bind_text(2, added.column);
      const int rc = st.step();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return st.error(rc);
      present = rc == SQLITE_ROW;
    }
    if (present) continue;
    if (Status s = exec_script(c.db(), added.alter, "migrate"); !s.ok()) return s;
  }
  return Status::OK();
}

Status add_two_factor_columns(Connection& c) { return add_columns(c, kMigration2Columns); }

// BetterAuth's admin plugin's ban (user."banned", "banReason", "banExpires"), which Portcullis's
// command line writes and sign-in honours. A database where BetterAuth has the plugin has them.
constexpr AddedColumn kMigration3Columns[] = {
    {"user", "banned", R"(ALTER TABLE "user" ADD COLUMN "banned" integer default 0)"},
    {"user", "banReason", R"(ALTER TABLE "user" ADD COLUMN "banReason" text)"},
    {"user", "banExpires", R"(ALTER TABLE "user" ADD COLUMN "banExpires" date)"},
};

Status add_ban_columns(Connection& c) { return add_columns(c, kMigration3Columns); }

// BetterAuth's jwt plugin (1.7): the jwks table of its signing keys. A BetterAuth database that
// has the plugin has the table; an older plugin's table lacks "expiresAt", "alg" and "crv", which
// add_jwks_columns() adds. NULL in them reads as BetterAuth reads it: a key that never expires, of
// the plugin's default algorithm (store/row_readers.h).
constexpr const char* kMigration4 = R"sql(
CREATE TABLE IF NOT EXISTS "jwks" (
  "id" text not null primary key,
  "publicKey" text not null,
  "privateKey" text not null,
  "createdAt" date not null,
  "expiresAt" date,
  "alg" text,
  "crv" text);
)sql";

constexpr AddedColumn kMigration4Columns[] = {
    {"jwks", "expiresAt", R"(ALTER TABLE "jwks" ADD COLUMN "expiresAt" date)"},
    {"jwks", "alg", R"(ALTER TABLE "jwks" ADD COLUMN "alg" text)"},
    {"jwks", "crv", R"(ALTER TABLE "jwks" ADD COLUMN "crv" text)"},
};

Status add_jwks_columns(Connection& c) { return add_columns(c, kMigration4Columns); }

// BetterAuth's admin plugin's role (user."role": one role or several, comma-separated; NULL reads
// as "user"), which the admin API writes, and session."impersonatedBy" (the id of the administrator
// who made the session by impersonating its user; NULL: not an impersonation). A database where
// BetterAuth has the plugin has both.
constexpr AddedColumn kMigration5Columns[] = {
    {"user", "role", R"(ALTER TABLE "user" ADD COLUMN "role" text)"},
    {"session", "impersonatedBy", R"(ALTER TABLE "session" ADD COLUMN "impersonatedBy" text)"},
};

Status add_admin_columns(Connection& c) { return add_columns(c, kMigration5Columns); }

// BetterAuth's username plugin: user."username" (the name to sign in with, stored normalised to
// lower case, unique among users; NULL: none) and "displayUsername" (as the user typed it). A
// database where BetterAuth has the plugin has both, "username" declared UNIQUE. SQLite cannot add
// a UNIQUE column, so the uniqueness is a unique index (NULLs do not collide there); beside
// BetterAuth's own constraint it is redundant but harmless. Its name is not one BetterAuth gives an
// index, so that IF NOT EXISTS never takes a plain index of BetterAuth's for it.
constexpr AddedColumn kMigration6Columns[] = {
    {"user", "username", R"(ALTER TABLE "user" ADD COLUMN "username" text)"},
    {"user", "displayUsername", R"(ALTER TABLE "user" ADD COLUMN "displayUsername" text)"},
};

Status add_username_columns(Connection& c) {
  if (Status s = add_columns(c, kMigration6Columns); !s.ok()) return s;
  return exec_script(c.db(), R"(CREATE UNIQUE INDEX IF NOT EXISTS "user_username_uidx" ON "user" ("username"))",
                     "migrate");
}

// BetterAuth's passkey plugin (1.7): the passkey table of its users' WebAuthn credentials, with
// its plain indexes (no UNIQUE on "credentialID": a BetterAuth database may hold a credential id
// twice, and create_passkey() keeps new ones unique). A BetterAuth database that has the plugin
// has the table; one an older plugin made may lack an optional column, which add_passkey_columns()
// adds (NULL in them reads as none, store/row_readers.h).
constexpr const char* kMigration7 = R"sql(
CREATE TABLE IF NOT EXISTS "passkey" (
  "id" text not null primary key,
  "name" text,
  "publicKey" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "credentialID" text not null,
  "counter" integer not null,
  "deviceType" text not null,
  "backedUp" integer not null,
  "transports" text,
  "createdAt" date,
  "aaguid" text);
CREATE INDEX IF NOT EXISTS "passkey_userId_idx" ON "passkey" ("userId");
CREATE INDEX IF NOT EXISTS "passkey_credentialID_idx" ON "passkey" ("credentialID");
)sql";

constexpr AddedColumn kMigration7Columns[] = {
    {"passkey", "name", R"(ALTER TABLE "passkey" ADD COLUMN "name" text)"},
    {"passkey", "transports", R"(ALTER TABLE "passkey" ADD COLUMN "transports" text)"},
    {"passkey", "createdAt", R"(ALTER TABLE "passkey" ADD COLUMN "createdAt" date)"},
    {"passkey", "aaguid", R"(ALTER TABLE "passkey" ADD COLUMN "aaguid" text)"},
};

Status add_passkey_columns(Connection& c) { return add_columns(c, kMigration7Columns); }

// BetterAuth's organization plugin (1.7, without teams): the organization, member and invitation
// tables with their indexes, as its generator writes them, and session."activeOrganizationId"
// (the organization a session works in; NULL: none). A BetterAuth database that has the plugin has
// all of them.
constexpr const char* kMigration8 = R"sql(
CREATE TABLE IF NOT EXISTS "organization" (
  "id" text not null primary key,
  "name" text not null,
  "slug" text not null unique,
  "logo" text,
  "createdAt" date not null,
  "metadata" text);
CREATE TABLE IF NOT EXISTS "member" (
  "id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade,
  "userId" text not null references "user" ("id") on delete cascade,
  "role" text not null,
  "createdAt" date not null);
CREATE TABLE IF NOT EXISTS "invitation" (
  "id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade,
  "email" text not null,
  "role" text,
  "status" text not null,
  "expiresAt" date not null,
  "createdAt" date not null,
  "inviterId" text not null references "user" ("id") on delete cascade);
CREATE INDEX IF NOT EXISTS "member_organizationId_idx" ON "member" ("organizationId");
CREATE INDEX IF NOT EXISTS "member_userId_idx" ON "member" ("userId");
CREATE INDEX IF NOT EXISTS "invitation_organizationId_idx" ON "invitation" ("organizationId");
CREATE INDEX IF NOT EXISTS "invitation_email_idx" ON "invitation" ("email");
)sql";

constexpr AddedColumn kMigration8Columns[] = {
    {"session", "activeOrganizationId", R"(ALTER TABLE "session" ADD COLUMN "activeOrganizationId" text)"},
};

Status add_organization_columns(Connection& c) { return add_columns(c, kMigration8Columns); }

// BetterAuth's API-key plugin (@better-auth/api-key 1.7): the apikey table with its plain indexes,
// as its generator writes them (no UNIQUE on "key": create_api_key() keeps new hashes unique; no
// foreign key: "referenceId" is a user's id or, for the plugin's organization keys, an
// organization's; no defaults: the plugin writes every column). A BetterAuth database that has the
// plugin has the table. NULL in its optional columns reads as the plugin reads it
// (store/row_readers.h).
constexpr const char* kMigration9 = R"sql(
CREATE TABLE IF NOT EXISTS "apikey" (
  "id" text not null primary key,
  "configId" text not null,
  "name" text,
  "start" text,
  "referenceId" text not null,
  "prefix" text,
  "key" text not null,
  "refillInterval" integer,
  "refillAmount" integer,
  "lastRefillAt" date,
  "enabled" integer,
  "rateLimitEnabled" integer,
  "rateLimitTimeWindow" integer,
  "rateLimitMax" integer,
  "requestCount" integer,
  "remaining" integer,
  "lastRequest" date,
  "expiresAt" date,
  "createdAt" date not null,
  "updatedAt" date not null,
  "permissions" text,
  "metadata" text);
CREATE INDEX IF NOT EXISTS "apikey_configId_idx" ON "apikey" ("configId");
CREATE INDEX IF NOT EXISTS "apikey_referenceId_idx" ON "apikey" ("referenceId");
CREATE INDEX IF NOT EXISTS "apikey_key_idx" ON "apikey" ("key");
)sql";

// Append a migration here (never edit an applied one); migrate() applies the missing ones in order.
constexpr Migration kMigrations[] = {
    {1, kMigration1},
    {2, kMigration2, add_two_factor_columns},
    {3, "", add_ban_columns},
    {4, kMigration4, add_jwks_columns},
    {5, "", add_admin_columns},
    {6, "", add_username_columns},
    {7, kMigration7, add_passkey_columns},
    {8, kMigration8, add_organization_columns},
    {9, kMigration9},
};

// --- column lists, shared by the queries and the row readers -----------------------------------

// An invitation that expires after the instant bound to its "?" (a julian_day()): compared as
// instants, as delete_expired() compares (rows other tools wrote may hold other date forms).
#define PCS_LIVE_INVITATION                                                                       \
  "CASE typeof(\"expiresAt\") WHEN 'integer' THEN (\"expiresAt\" + 210866760000000) / 86400000.0 " \
  "ELSE julianday(\"expiresAt\") END > ?"


// `p`: "" or a table alias with its dot ("u.").
#define PCS_USER_COLUMNS(p)                                                                             \
  p "\"id\", " p "\"name\", " p "\"email\", " p "\"emailVerified\", " p "\"image\", " p "\"createdAt\", " p \
    "\"updatedAt\", " p "\"twoFactorEnabled\", " p "\"role\", " p "\"banned\", " p "\"banReason\", " p             \
    "\"banExpires\", " p "\"username\", " p "\"displayUsername\""
#define PCS_SESSION_COLUMNS(p)                                                                            \
  p "\"id\", " p "\"token\", " p "\"userId\", " p "\"expiresAt\", " p "\"createdAt\", " p "\"updatedAt\", " p \
    "\"ipAddress\", " p "\"userAgent\", " p "\"impersonatedBy\", " p "\"activeOrganizationId\""
#define PCS_ACCOUNT_COLUMNS \
  "\"id\", \"accountId\", \"providerId\", \"userId\", \"password\", \"createdAt\", \"updatedAt\", \"scope\""
#define PCS_VERIFICATION_COLUMNS "\"id\", \"identifier\", \"value\", \"expiresAt\", \"createdAt\", \"updatedAt\""
#define PCS_TWO_FACTOR_COLUMNS \
  "\"id\", \"userId\", \"secret\", \"backupCodes\", \"verified\", \"failedVerificationCount\", \"lockedUntil\""
#define PCS_JWK_COLUMNS \
  "\"id\", \"publicKey\", \"privateKey\", \"createdAt\", \"expiresAt\", \"alg\", \"crv\""
#define PCS_PASSKEY_COLUMNS                                                                             \
  "\"id\", \"name\", \"publicKey\", \"userId\", \"credentialID\", \"counter\", \"deviceType\", \"backedUp\", " \
  "\"transports\", \"createdAt\", \"aaguid\""
#define PCS_ORGANIZATION_COLUMNS(p) \
  p "\"id\", " p "\"name\", " p "\"slug\", " p "\"logo\", " p "\"createdAt\", " p "\"metadata\""
#define PCS_MEMBER_COLUMNS(p) p "\"id\", " p "\"organizationId\", " p "\"userId\", " p "\"role\", " p "\"createdAt\""
#define PCS_INVITATION_COLUMNS \
  "\"id\", \"organizationId\", \"email\", \"role\", \"status\", \"expiresAt\", \"createdAt\", \"inviterId\""
#define PCS_API_KEY_COLUMNS                                                                               \
  "\"id\", \"configId\", \"name\", \"start\", \"referenceId\", \"prefix\", \"key\", \"refillInterval\", " \
  "\"refillAmount\", \"lastRefillAt\", \"enabled\", \"rateLimitEnabled\", \"rateLimitTimeWindow\", "      \
  "\"rateLimitMax\", \"requestCount\", \"remaining\", \"lastRequest\", \"expiresAt\", \"createdAt\", "    \
  "\"updatedAt\", \"permissions\", \"metadata\""

// A result row as the shared readers (store/row_readers.h) read it. Booleans are 0 or 1 (SQLite
// has no boolean type; BetterAuth writes integers).
struct SqliteRow {
  const Statement& st;
  std::string text(int col) const { return st.text(col); }
  std::optional<std::string> optional_text(int col) const { return st.optional_text(col); }
  bool is_null(int col) const { return st.is_null(col); }
  bool flag(int col) const { return st.int64(col) != 0; }
  std::int64_t integer(int col, bool&) const { return st.int64(col); }
  TimePoint time(int col, bool& bad) const { return st.time(col, bad); }
};

// Runs a query expected to return at most one row, which `read` (a store/row_readers.h reader,
// given the row and the flag it sets on an unreadable value) turns into a T.
template <class T, class Read>
Result<T> query_one(Statement& st, std::string_view what, Read read) {
  const int rc = st.step();
  if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
  if (rc != SQLITE_ROW) return st.error(rc);
  bool bad = false;
  T row = read(SqliteRow{st}, bad);
  if (bad) return corrupt_row(what);
  return row;
}

// Runs a query of any number of rows, each read as query_one() reads one.
template <class T, class Read>
Result<std::vector<T>> query_all(Statement& st, std::string_view what, Read read) {
  std::vector<T> out;
  bool bad = false;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) out.push_back(read(SqliteRow{st}, bad));
  if (rc != SQLITE_DONE) return st.error(rc);
  if (bad) return corrupt_row(what);
  return out;
}

Result<User> query_one_user(Statement& st, std::string_view what) {
  return query_one<User>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_user(r, 0, bad); });
}

Result<Passkey> query_one_passkey(Statement& st, std::string_view what) {
  return query_one<Passkey>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_passkey(r, bad); });
}

Result<Organization> query_one_organization(Statement& st, std::string_view what) {
  return query_one<Organization>(st, what,
                                 [](const SqliteRow& r, bool& bad) { return rows::read_organization(r, bad); });
}

Result<Member> query_one_member(Statement& st, std::string_view what) {
  return query_one<Member>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_member(r, 0, bad); });
}

Result<Invitation> query_one_invitation(Statement& st, std::string_view what) {
  return query_one<Invitation>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_invitation(r, bad); });
}

Result<std::vector<Invitation>> query_invitations(Statement& st, std::string_view what) {
  return query_all<Invitation>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_invitation(r, bad); });
}

Result<ApiKey> query_one_api_key(Statement& st, std::string_view what) {
  return query_one<ApiKey>(st, what, [](const SqliteRow& r, bool& bad) { return rows::read_api_key(r, bad); });
}

// An API-key field as list_api_keys() sorts it: a fixed expression of this file. A NULL "enabled"
// is true and a NULL "requestCount" 0, as the rows read; booleans are 0 or 1.
const char* api_key_field_sql(ApiKeyField field) {
  switch (field) {
    case ApiKeyField::kCreatedAt:
      return "\"createdAt\"";
    case ApiKeyField::kUpdatedAt:
      return "\"updatedAt\"";
    case ApiKeyField::kName:
      return "\"name\"";
    case ApiKeyField::kExpiresAt:
      return "\"expiresAt\"";
    case ApiKeyField::kLastRequest:
      return "\"lastRequest\"";
    case ApiKeyField::kEnabled:
      return "(coalesce(\"enabled\", 1) <> 0)";
    case ApiKeyField::kRemaining:
      return "\"remaining\"";
    case ApiKeyField::kRequestCount:
      return "coalesce(\"requestCount\", 0)";
  }
  return "\"createdAt\"";
}

// OK if organization `id` exists (read on `c`, inside the caller's transaction). Errors:
// NOT_FOUND; the database's.
Status organization_exists(Connection& c, std::string_view id, std::string_view what) {
  Statement st(c, "SELECT 1 FROM \"organization\" WHERE \"id\" = ?", what);
  st.bind_text(1, id);
  const int rc = st.step();
  if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
  if (rc != SQLITE_ROW) return st.error(rc);
  return Status::OK();
}

// What update_member_role() and remove_member() check: one member of an organization, and how
// many of its members hold the owner role.
struct OwnerCount {
  struct Target {
    std::string user_id;
    bool is_owner = false;
  };
  std::optional<Target> member;  // none: the organization has no such member
  std::size_t owners = 0;
};

// Reads the organization's members' roles (on `c`, inside the caller's write transaction).
Result<OwnerCount> count_owners(Connection& c, std::string_view organization_id, std::string_view member_id,
                                std::string_view owner_role, std::string_view what) {
  Statement st(c, "SELECT \"id\", \"userId\", \"role\" FROM \"member\" WHERE \"organizationId\" = ?", what);
  st.bind_text(1, organization_id);
  OwnerCount count;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    const bool owner = has_role(st.text(2), owner_role);
    if (owner) ++count.owners;
    if (st.text(0) == member_id) count.member = OwnerCount::Target{st.text(1), owner};
  }
  if (rc != SQLITE_DONE) return st.error(rc);
  return count;
}

// --- query_users(): the SQL composed from a UserQuery -------------------------------------------

// A user field as query_users() compares and sorts it: a fixed expression of this file, never the
// caller's text. A NULL role is "user", a NULL "banned" false; booleans are 0 or 1.
const char* user_field_sql(UserField field) {
  switch (field) {
    case UserField::kId:
      return "\"id\"";
    case UserField::kName:
      return "\"name\"";
    case UserField::kEmail:
      return "\"email\"";
    case UserField::kEmailVerified:
      return "(\"emailVerified\" <> 0)";
    case UserField::kRole:
      return "coalesce(\"role\", 'user')";
    case UserField::kBanned:
      return "(coalesce(\"banned\", 0) <> 0)";
    case UserField::kCreatedAt:
      return "\"createdAt\"";
    case UserField::kUpdatedAt:
      return "\"updatedAt\"";
  }
  return "\"id\"";
}

// The WHERE clause of a query_users() (empty if it has none) and the values it binds, in order.
// The query must be one rows::user_query_problem() accepts.
struct UserWhere {
  std::string sql;
  std::optional<std::string> pattern;  // the search's, for "lower(<field>) LIKE lower(?)"
  std::optional<std::string> text;     // a text filter's value
  std::optional<bool> flag;            // a boolean filter's value

  explicit UserWhere(const UserQuery& q) {
    if (q.search) {
      sql += std::string(" WHERE lower(") + user_field_sql(q.search_field) + ") LIKE lower(?) ESCAPE '\\'";
      pattern = rows::like_pattern(*q.search, q.search_match);
    }
    if (q.filter_value) {
      sql += sql.empty() ? " WHERE " : " AND ";
      if (q.filter_match) {
        sql += std::string("lower(") + user_field_sql(q.filter_field) + ") LIKE lower(?) ESCAPE '\\'";
        text = rows::like_pattern(*q.filter_value, *q.filter_match);
        return;
      }
      sql += user_field_sql(q.filter_field);
      sql += q.filter_negate ? " <> ?" : " = ?";
      if (q.filter_field == UserField::kEmailVerified || q.filter_field == UserField::kBanned) {
        flag = rows::filter_flag(*q.filter_value);
      } else {
        text = *q.filter_value;
      }
    }
  }

  // Binds the values from parameter 1 on; returns how many it bound.
  int bind(Statement& st) const {
    int n = 0;
    if (pattern) st.bind_text(++n, *pattern);
    if (text) st.bind_text(++n, *text);
    if (flag) st.bind_bool(++n, *flag);
    return n;
  }
};

// --- the pool ----------------------------------------------------------------------------------

using Pool = ConnectionPool<Connection>;

// --- opening -----------------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> open_connection(const SqliteOptions& options) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);  // closes the handle SQLite allocates even when opening fails
  if (rc != SQLITE_OK) return internal_error("open", sqlite3_errstr(rc));
  sqlite3_extended_result_codes(db.get(), 1);
  const auto timeout = std::clamp<std::chrono::milliseconds::rep>(options.busy_timeout.count(), 0,
                                                                    std::numeric_limits<int>::max());
  sqlite3_busy_timeout(db.get(), static_cast<int>(timeout));
  // Reading the schema fails with "file is not a database" for a file that is not one.
  if (Status s = exec_script(db.get(), "SELECT count(*) FROM sqlite_master", "open"); !s.ok()) return s;
  // cache_size: 256 KiB of pages per connection instead of SQLite's 2 MiB. The pool's connections
  // each fill their own cache as the tables grow, and that memory stays: 3.2 MiB less at the peak
  // after seven 30-second wrk loads of get-session, sign-in and sign-up on 200 users (VmHWM 60.4
  // -> 57.2 MiB). A page outside it is read from the kernel's page cache (one pread), and
  // get-session mostly answers from the session cache without reading the database at all.
  if (Status s = exec_script(db.get(),
                             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; "
                             "PRAGMA cache_size=-256;",
                             "open");
      !s.ok()) {
    return s;
  }
  return std::make_unique<Connection>(std::move(db));
}

// --- the store ---------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  SqliteStore() = default;

  Pool& pool() { return pool_; }

  Status migrate() override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    for (const Migration& m : kMigrations) {
      Transaction tx(c);
      if (Status s = tx.begin("migrate"); !s.ok()) return s;
      if (Status s = exec_script(c.db(),
                                 "CREATE TABLE IF NOT EXISTS \"portcullis_migrations\" ("
                                 "\"version\" integer primary key, \"appliedAt\" text not null)",
                                 "migrate");
          !s.ok()) {
        return s;
      }
      {
        Statement st(c, "SELECT 1 FROM \"portcullis_migrations\" WHERE \"version\" = ?", "migrate");
        st.bind_int(1, m.version);
        const int rc = st.step();
        if (rc == SQLITE_ROW) continue;  // applied already; the transaction rolls back (no change)
        if (rc != SQLITE_DONE) return st.error(rc);
      }
      if (Status s = exec_script(c.db(), m.sql, "migrate"); !s.ok()) return s;
      if (m.then != nullptr) {
        if (Status s = m.then(c); !s.ok()) return s;
      }
      {
        Statement st(c, "INSERT INTO \"portcullis_migrations\" (\"version\", \"appliedAt\") VALUES (?, ?)",
                     "migrate");
        st.bind_int(1, m.version);
        st.bind_time(2, now_ms());
        if (Status s = st.exec(); !s.ok()) return s;
      }
      if (Status s = tx.commit("migrate"); !s.ok()) return s;
    }
    return Status::OK();
  }

  Result<int> schema_version() override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    {
      Statement st(c, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'portcullis_migrations'",
                   "schema_version");
      const int rc = st.step();
      if (rc == SQLITE_DONE) return 0;
      if (rc != SQLITE_ROW) return st.error(rc);
    }
    Statement st(c, "SELECT coalesce(max(\"version\"), 0) FROM \"portcullis_migrations\"", "schema_version");
    const int rc = st.step();
    if (rc != SQLITE_ROW) return st.error(rc);
    return static_cast<int>(st.int64(0));
  }

  // --- users and accounts ---

  Status create_user(const User& user, const std::optional<Account>& account) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("create_user"); !s.ok()) return s;
    if (Status s = insert_user(c, user); !s.ok()) return s;
    if (account) {
      if (Status s = insert_account(c, *account, "create_user"); !s.ok()) return s;
    }
    return tx.commit("create_user");
  }

  Result<User> find_user_by_id(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_USER_COLUMNS("") " FROM \"user\" WHERE \"id\" = ?", "find_user_by_id");
    st.bind_text(1, id);
    return query_one_user(st, "find_user_by_id");
  }

  Result<User> find_user_by_email(std::string_view email) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_USER_COLUMNS("") " FROM \"user\" WHERE \"email\" = ?", "find_user_by_email");
    st.bind_text(1, email);
    return query_one_user(st, "find_user_by_email");
  }

  Result<User> find_user_by_username(std::string_view username) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_USER_COLUMNS("") " FROM \"user\" WHERE \"username\" = ?",
                 "find_user_by_username");
    st.bind_text(1, username);
    return query_one_user(st, "find_user_by_username");
  }

  Result<std::vector<User>> list_users(std::size_t limit, std::size_t offset) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_USER_COLUMNS("") " FROM \"user\" ORDER BY \"createdAt\", \"id\" LIMIT ? OFFSET ?",
                 "list_users");
    st.bind_int(1, clamp_to_int64(limit));
    st.bind_int(2, clamp_to_int64(offset));
    std::vector<User> users;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) users.push_back(rows::read_user(SqliteRow{st}, 0, bad));
    if (rc != SQLITE_DONE) return st.error(rc);
    if (bad) return corrupt_row("list_users");
    return users;
  }

  Result<UserPage> query_users(const UserQuery& query) override {
    constexpr std::string_view kWhat = "query_users";
    if (const char* problem = rows::user_query_problem(query)) return internal_error(kWhat, problem);
    const UserWhere where(query);
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // a read transaction: the count and the page see the same rows
    if (Status s = tx.begin_read(kWhat); !s.ok()) return s;
    UserPage page;
    {
      Statement st(c, Composed{"SELECT count(*) FROM \"user\"" + where.sql}, kWhat);
      where.bind(st);
      const int rc = st.step();
      if (rc != SQLITE_ROW) return st.error(rc);
      page.total = static_cast<std::size_t>(st.int64(0));
    }
    {
      Statement st(c,
                   Composed{"SELECT " PCS_USER_COLUMNS("") " FROM \"user\"" + where.sql +
                            rows::user_order_sql(query, user_field_sql) + " LIMIT ? OFFSET ?"},
                   kWhat);
      const int bound = where.bind(st);
      st.bind_int(bound + 1, clamp_to_int64(query.limit));
      st.bind_int(bound + 2, clamp_to_int64(query.offset));
      bool bad = false;
      int rc;
      while ((rc = st.step()) == SQLITE_ROW) page.users.push_back(rows::read_user(SqliteRow{st}, 0, bad));
      if (rc != SQLITE_DONE) return st.error(rc);
      if (bad) return corrupt_row(kWhat);
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return page;
  }

  Status set_role(std::string_view user_id, const std::optional<std::string>& role, TimePoint now) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"user\" SET \"role\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?", "set_role");
    st.bind_optional_text(1, role);
    st.bind_time(2, now);
    st.bind_text(3, user_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status update_user(const User& user) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "UPDATE \"user\" SET \"name\" = ?, \"email\" = ?, \"emailVerified\" = ?, \"image\" = ?, "
                 "\"updatedAt\" = ?, \"username\" = ?, \"displayUsername\" = ? WHERE \"id\" = ?",
                 "update_user");
    st.bind_text(1, user.name);
    st.bind_text(2, user.email);
    st.bind_bool(3, user.email_verified);
    st.bind_optional_text(4, user.image);
    st.bind_time(5, user.updated_at);
    st.bind_optional_text(6, user.username);
    st.bind_optional_text(7, user.display_username);
    st.bind_text(8, user.id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_user(std::string_view id) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("delete_user"); !s.ok()) return s;
    // Explicit deletes as well as the cascades, for databases whose tables lack ON DELETE CASCADE.
    {
      Statement st(c, "DELETE FROM \"session\" WHERE \"userId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"account\" WHERE \"userId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"twoFactor\" WHERE \"userId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"passkey\" WHERE \"userId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"member\" WHERE \"userId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"invitation\" WHERE \"inviterId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"apikey\" WHERE \"referenceId\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      const std::string in_json = rows::user_id_in_json(id);
      Statement st(c, "DELETE FROM \"verification\" WHERE \"value\" = ? OR instr(\"value\", ?) > 0", "delete_user");
      st.bind_text(1, id);
      st.bind_text(2, in_json);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"user\" WHERE \"id\" = ?", "delete_user");
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
      if (st.changes() == 0) return Status(ErrorCode::kNotFound);  // rolls back (nothing was deleted)
    }
    return tx.commit("delete_user");
  }


  Result<bool> claim_unverified_user(std::string_view user_id, TimePoint now) override {
    constexpr std::string_view kWhat = "claim_unverified_user";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    {
      Statement st(c, "UPDATE \"user\" SET \"emailVerified\" = 1, \"updatedAt\" = ? WHERE \"id\" = ? AND NOT \"emailVerified\"",
                   kWhat);
      st.bind_time(1, now);
      st.bind_text(2, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
      if (st.changes() == 0) {
        if (Status s = user_exists(c, user_id, kWhat); !s.ok()) return s;
        return false;
      }
    }
    for (const char* sql : {"DELETE FROM \"account\" WHERE \"userId\" = ?",
                            "DELETE FROM \"passkey\" WHERE \"userId\" = ?",
                            "DELETE FROM \"session\" WHERE \"userId\" = ?"}) {
      Statement st(c, sql, kWhat);
      st.bind_text(1, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }
  Result<Account> find_credential_account(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_ACCOUNT_COLUMNS " FROM \"account\" WHERE \"userId\" = ? AND \"providerId\" = ? "
                 "ORDER BY \"createdAt\", \"id\" LIMIT 1",
                 "find_credential_account");
    st.bind_text(1, user_id);
    st.bind_text(2, kCredentialProvider);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    bool bad = false;
    Account a = rows::read_account(SqliteRow{st}, bad);
    if (bad) return corrupt_row("find_credential_account");
    return a;
  }

  Result<std::vector<Account>> list_accounts(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_ACCOUNT_COLUMNS " FROM \"account\" WHERE \"userId\" = ? ORDER BY \"createdAt\", \"id\"",
                 "list_accounts");
    st.bind_text(1, user_id);
    std::vector<Account> accounts;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) accounts.push_back(rows::read_account(SqliteRow{st}, bad));
    if (rc != SQLITE_DONE) return st.error(rc);
    if (bad) return corrupt_row("list_accounts");
    return accounts;
  }

  Status unlink_account(std::string_view user_id, std::string_view account_row_id) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the count and the delete
    if (Status s = tx.begin("unlink_account"); !s.ok()) return s;
    std::int64_t accounts = 0;
    bool found = false;
    {
      Statement st(c, "SELECT count(*), sum(\"id\" = ?) FROM \"account\" WHERE \"userId\" = ?", "unlink_account");
      st.bind_text(1, account_row_id);
      st.bind_text(2, user_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      accounts = st.int64(0);
      found = st.int64(1) > 0;
    }
    if (!found) return Status(ErrorCode::kAccountNotFound);
    if (accounts < 2) return Status(ErrorCode::kFailedToUnlinkLastAccount);
    {
      Statement st(c, "DELETE FROM \"account\" WHERE \"id\" = ? AND \"userId\" = ?", "unlink_account");
      st.bind_text(1, account_row_id);
      st.bind_text(2, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit("unlink_account");
  }

  Status create_account(const Account& account) override {
    auto lease = pool_.acquire();
    return insert_account(*lease, account, "create_account");
  }

  Status set_account_password(std::string_view account_row_id, std::string_view password_hash,
                              TimePoint now) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"account\" SET \"password\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?",
                 "set_account_password");
    st.bind_text(1, password_hash);
    st.bind_time(2, now);
    st.bind_text(3, account_row_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status upgrade_account_password(std::string_view account_row_id, std::string_view expected_hash,
                                  std::string_view new_hash, TimePoint now) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("upgrade_account_password"); !s.ok()) return s;
    {
      // The comparison is in the WHERE clause, so the check and the write are one step.
      Statement st(c,
                   "UPDATE \"account\" SET \"password\" = ?, \"updatedAt\" = ? WHERE \"id\" = ? AND \"password\" = ?",
                   "upgrade_account_password");
      st.bind_text(1, new_hash);
      st.bind_time(2, now);
      st.bind_text(3, account_row_id);
      st.bind_text(4, expected_hash);
      if (Status s = st.exec(); !s.ok()) return internal_unless_ok(s, "upgrade_account_password");
    }
    return internal_unless_ok(tx.commit("upgrade_account_password"), "upgrade_account_password");
  }

  // --- second factor ---

  Result<TwoFactor> find_two_factor(std::string_view user_id) override {
    auto lease = pool_.acquire();
    // One row per user; should a BetterAuth database hold more, the same one is read every time.
    Statement st(*lease,
                 "SELECT " PCS_TWO_FACTOR_COLUMNS " FROM \"twoFactor\" WHERE \"userId\" = ? ORDER BY \"id\" LIMIT 1",
                 "find_two_factor");
    st.bind_text(1, user_id);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    bool bad = false;
    TwoFactor t = rows::read_two_factor(SqliteRow{st}, bad);
    if (bad) return corrupt_row("find_two_factor");
    return t;
  }

  Status put_two_factor(const TwoFactor& row) override {
    constexpr std::string_view kWhat = "put_two_factor";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the lookup and the write
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = user_exists(c, row.user_id, kWhat); !s.ok()) return s;
    std::optional<std::string> existing;  // the id of the row the user has (as find_two_factor picks it)
    {
      Statement st(c, "SELECT \"id\" FROM \"twoFactor\" WHERE \"userId\" = ? ORDER BY \"id\" LIMIT 1", kWhat);
      st.bind_text(1, row.user_id);
      const int rc = st.step();
      if (rc == SQLITE_ROW) {
        existing = st.text(0);
      } else if (rc != SQLITE_DONE) {
        return st.error(rc);
      }
    }
    if (existing) {
      {
        Statement st(c,
                     "UPDATE \"twoFactor\" SET \"secret\" = ?, \"backupCodes\" = ?, \"verified\" = ?, "
                     "\"failedVerificationCount\" = 0, \"lockedUntil\" = NULL WHERE \"id\" = ?",
                     kWhat);
        st.bind_text(1, row.secret);
        st.bind_text(2, row.backup_codes);
        st.bind_bool(3, row.verified);
        st.bind_text(4, *existing);
        if (Status s = st.exec(); !s.ok()) return s;
      }
      // The user's only row from now on.
      Statement st(c, "DELETE FROM \"twoFactor\" WHERE \"userId\" = ? AND \"id\" <> ?", kWhat);
      st.bind_text(1, row.user_id);
      st.bind_text(2, *existing);
      if (Status s = st.exec(); !s.ok()) return s;
    } else {
      Statement st(c,
                   "INSERT INTO \"twoFactor\" (\"id\", \"userId\", \"secret\", \"backupCodes\", \"verified\", "
                   "\"failedVerificationCount\", \"lockedUntil\") VALUES (?, ?, ?, ?, ?, 0, NULL)",
                   kWhat);
      st.bind_text(1, row.id);
      st.bind_text(2, row.user_id);
      st.bind_text(3, row.secret);
      st.bind_text(4, row.backup_codes);
      st.bind_bool(5, row.verified);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status set_two_factor_enabled(std::string_view user_id, bool enabled, TimePoint now) override {
    constexpr std::string_view kWhat = "set_two_factor_enabled";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    {
      Statement st(c, "UPDATE \"user\" SET \"twoFactorEnabled\" = ?, \"updatedAt\" = ? WHERE \"id\" = ?", kWhat);
      st.bind_bool(1, enabled);
      st.bind_time(2, now);
      st.bind_text(3, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
      if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    }
    if (!enabled) {
      Statement st(c, "DELETE FROM \"twoFactor\" WHERE \"userId\" = ?", kWhat);
      st.bind_text(1, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Result<std::optional<Ban>> find_ban(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT \"banned\", \"banReason\", \"banExpires\" FROM \"user\" WHERE \"id\" = ?", "find_ban");
    st.bind_text(1, user_id);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    bool bad = false;
    auto ban = rows::read_ban(SqliteRow{st}, 0, bad);
    if (bad) return corrupt_row("find_ban");
    return ban;
  }

  Status set_ban(std::string_view user_id, const std::optional<Ban>& ban, TimePoint now) override {
    constexpr std::string_view kWhat = "set_ban";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    {
      Statement st(c,
                   "UPDATE \"user\" SET \"banned\" = ?, \"banReason\" = ?, \"banExpires\" = ?, \"updatedAt\" = ? "
                   "WHERE \"id\" = ?",
                   kWhat);
      st.bind_bool(1, ban.has_value());
      st.bind_optional_text(2, ban ? ban->reason : std::nullopt);
      st.bind_optional_text(3, ban && ban->expires ? std::optional<std::string>(format_iso8601(*ban->expires))
                                                   : std::nullopt);
      st.bind_time(4, now);
      st.bind_text(5, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
      if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    }
    if (ban) {
      Statement st(c, "DELETE FROM \"session\" WHERE \"userId\" = ?", kWhat);
      st.bind_text(1, user_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status mark_two_factor_verified(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"twoFactor\" SET \"verified\" = 1 WHERE \"id\" = ?", "mark_two_factor_verified");
    st.bind_text(1, id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Result<bool> replace_backup_codes(std::string_view id, std::string_view expected,
                                    std::string_view updated) override {
    auto lease = pool_.acquire();
    // The comparison is in the WHERE clause, so the check and the write are one step: of two
    // requests spending the same code, the second finds the codes changed and writes nothing.
    Statement st(*lease, "UPDATE \"twoFactor\" SET \"backupCodes\" = ? WHERE \"id\" = ? AND \"backupCodes\" = ?",
                 "replace_backup_codes");
    st.bind_text(1, updated);
    st.bind_text(2, id);
    st.bind_text(3, expected);
    if (Status s = st.exec(); !s.ok()) return s;
    return st.changes() > 0;
  }

  Result<std::int64_t> record_two_factor_failure(std::string_view id, std::int64_t max_failures,
                                                 TimePoint lock_until) override {
    constexpr std::string_view kWhat = "record_two_factor_failure";
    auto lease = pool_.acquire();
    // One statement: the count is read and written under the write lock, so concurrent failures
    // are all counted. In SET, the columns hold their values from before the UPDATE. As
    // BetterAuth does, every failure from the max_failures-th on (re)sets the lock.
    Statement st(*lease,
                 "UPDATE \"twoFactor\" SET \"failedVerificationCount\" = coalesce(\"failedVerificationCount\", 0) + 1, "
                 "\"lockedUntil\" = CASE WHEN coalesce(\"failedVerificationCount\", 0) + 1 >= ?1 THEN ?2 "
                 "ELSE \"lockedUntil\" END WHERE \"id\" = ?3 RETURNING \"failedVerificationCount\"",
                 kWhat);
    st.bind_int(1, max_failures);
    st.bind_time(2, lock_until);
    st.bind_text(3, id);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    const std::int64_t count = st.int64(0);
    // The autocommit transaction commits when the statement finishes: run it to the end to see
    // that it did.
    if (Status s = st.exec(); !s.ok()) return s;
    return count;
  }

  Status reset_two_factor_failures(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "UPDATE \"twoFactor\" SET \"failedVerificationCount\" = 0, \"lockedUntil\" = NULL WHERE \"id\" = ?",
                 "reset_two_factor_failures");
    st.bind_text(1, id);
    return st.exec();
  }

  // --- signing keys ---

  Result<std::vector<Jwk>> list_jwks() override {
    constexpr std::string_view kWhat = "list_jwks";
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_JWK_COLUMNS " FROM \"jwks\" ORDER BY \"createdAt\", \"id\"", kWhat);
    std::vector<Jwk> keys;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) keys.push_back(rows::read_jwk(SqliteRow{st}, bad));
    if (rc != SQLITE_DONE) return internal_unless_ok(st.error(rc), kWhat);
    if (bad) return corrupt_row(kWhat);
    return keys;
  }

  Status create_jwk(const Jwk& key) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "INSERT INTO \"jwks\" (" PCS_JWK_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)", "create_jwk");
    st.bind_text(1, key.id);
    st.bind_text(2, key.public_key);
    st.bind_text(3, key.private_key);
    st.bind_time(4, key.created_at);
    st.bind_optional_text(5, key.expires_at ? std::optional<std::string>(format_iso8601(*key.expires_at))
                                            : std::nullopt);
    st.bind_optional_text(6, key.alg);
    st.bind_optional_text(7, key.crv);
    return st.exec();
  }

  // --- passkeys ---

  Result<bool> create_passkey(const Passkey& passkey, std::size_t max_per_user) override {
    constexpr std::string_view kWhat = "create_passkey";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the checks and the insert
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = user_exists(c, passkey.user_id, kWhat); !s.ok()) return s;
    {
      Statement st(c, "SELECT 1 FROM \"passkey\" WHERE \"credentialID\" = ? LIMIT 1", kWhat);
      st.bind_text(1, passkey.credential_id);
      const int rc = st.step();
      if (rc == SQLITE_ROW) return Status(ErrorCode::kUserAlreadyExists);
      if (rc != SQLITE_DONE) return st.error(rc);
    }
    {
      Statement st(c, "SELECT count(*) FROM \"passkey\" WHERE \"userId\" = ?", kWhat);
      st.bind_text(1, passkey.user_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      if (st.int64(0) >= clamp_to_int64(max_per_user)) return false;  // rolls back (nothing was written)
    }
    {
      Statement st(c, "INSERT INTO \"passkey\" (" PCS_PASSKEY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   kWhat);
      st.bind_text(1, passkey.id);
      st.bind_optional_text(2, passkey.name);
      st.bind_text(3, passkey.public_key);
      st.bind_text(4, passkey.user_id);
      st.bind_text(5, passkey.credential_id);
      st.bind_int(6, passkey.counter);
      st.bind_text(7, passkey.device_type);
      st.bind_bool(8, passkey.backed_up);
      st.bind_optional_text(9, passkey.transports);
      st.bind_optional_text(10, passkey.created_at ? std::optional<std::string>(format_iso8601(*passkey.created_at))
                                                   : std::nullopt);
      st.bind_optional_text(11, passkey.aaguid);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<std::vector<Passkey>> list_passkeys(std::string_view user_id) override {
    constexpr std::string_view kWhat = "list_passkeys";
    auto lease = pool_.acquire();
    // NULLs sort first in SQLite's ascending order.
    Statement st(*lease,
                 "SELECT " PCS_PASSKEY_COLUMNS " FROM \"passkey\" WHERE \"userId\" = ? ORDER BY \"createdAt\", \"id\"",
                 kWhat);
    st.bind_text(1, user_id);
    std::vector<Passkey> passkeys;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) passkeys.push_back(rows::read_passkey(SqliteRow{st}, bad));
    if (rc != SQLITE_DONE) return st.error(rc);
    if (bad) return corrupt_row(kWhat);
    return passkeys;
  }

  Result<Passkey> find_passkey(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_PASSKEY_COLUMNS " FROM \"passkey\" WHERE \"id\" = ?", "find_passkey");
    st.bind_text(1, id);
    return query_one_passkey(st, "find_passkey");
  }

  Result<Passkey> find_passkey_by_credential_id(std::string_view credential_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_PASSKEY_COLUMNS
                 " FROM \"passkey\" WHERE \"credentialID\" = ? ORDER BY \"createdAt\", \"id\" LIMIT 1",
                 "find_passkey_by_credential_id");
    st.bind_text(1, credential_id);
    return query_one_passkey(st, "find_passkey_by_credential_id");
  }

  Result<bool> update_passkey_counter(std::string_view id, std::int64_t expected, std::int64_t counter) override {
    auto lease = pool_.acquire();
    // The comparison is in the WHERE clause, so the check and the write are one step: of two
    // sign-ins with the same assertion, the second finds the counter moved and writes nothing.
    Statement st(*lease, "UPDATE \"passkey\" SET \"counter\" = ? WHERE \"id\" = ? AND \"counter\" = ?",
                 "update_passkey_counter");
    st.bind_int(1, counter);
    st.bind_text(2, id);
    st.bind_int(3, expected);
    if (Status s = st.exec(); !s.ok()) return s;
    return st.changes() > 0;
  }

  Status rename_passkey(std::string_view id, std::string_view user_id, std::string_view name) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"passkey\" SET \"name\" = ? WHERE \"id\" = ? AND \"userId\" = ?",
                 "rename_passkey");
    st.bind_text(1, name);
    st.bind_text(2, id);
    st.bind_text(3, user_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_passkey(std::string_view id, std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"passkey\" WHERE \"id\" = ? AND \"userId\" = ?", "delete_passkey");
    st.bind_text(1, id);
    st.bind_text(2, user_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  // --- organizations ---

  Result<bool> create_organization(const Organization& organization, const Member& creator,
                                   std::optional<std::size_t> limit) override {
    constexpr std::string_view kWhat = "create_organization";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the count and the inserts
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = user_exists(c, creator.user_id, kWhat); !s.ok()) return s;
    if (limit) {
      Statement st(c, "SELECT count(*) FROM \"member\" WHERE \"userId\" = ?", kWhat);
      st.bind_text(1, creator.user_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      if (st.int64(0) >= clamp_to_int64(*limit)) return false;  // rolls back (nothing was written)
    }
    {
      Statement st(c, "INSERT INTO \"organization\" (" PCS_ORGANIZATION_COLUMNS("") ") VALUES (?, ?, ?, ?, ?, ?)",
                   kWhat);
      st.bind_text(1, organization.id);
      st.bind_text(2, organization.name);
      st.bind_text(3, organization.slug);
      st.bind_optional_text(4, organization.logo);
      st.bind_time(5, organization.created_at);
      st.bind_optional_text(6, organization.metadata);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = insert_member(c, creator, kWhat); !s.ok()) return s;
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<Organization> find_organization(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_ORGANIZATION_COLUMNS("") " FROM \"organization\" WHERE \"id\" = ?",
                 "find_organization");
    st.bind_text(1, id);
    return query_one_organization(st, "find_organization");
  }

  Result<Organization> find_organization_by_slug(std::string_view slug) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_ORGANIZATION_COLUMNS("") " FROM \"organization\" WHERE \"slug\" = ?",
                 "find_organization_by_slug");
    st.bind_text(1, slug);
    return query_one_organization(st, "find_organization_by_slug");
  }

  Status update_organization(const Organization& organization) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "UPDATE \"organization\" SET \"name\" = ?, \"slug\" = ?, \"logo\" = ?, \"metadata\" = ? "
                 "WHERE \"id\" = ?",
                 "update_organization");
    st.bind_text(1, organization.name);
    st.bind_text(2, organization.slug);
    st.bind_optional_text(3, organization.logo);
    st.bind_optional_text(4, organization.metadata);
    st.bind_text(5, organization.id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_organization(std::string_view id) override {
    constexpr std::string_view kWhat = "delete_organization";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // Explicit deletes as well as the cascades, for databases whose tables lack ON DELETE CASCADE.
    for (const char* sql : {"UPDATE \"session\" SET \"activeOrganizationId\" = NULL WHERE \"activeOrganizationId\" = ?",
                            "DELETE FROM \"member\" WHERE \"organizationId\" = ?",
                            "DELETE FROM \"invitation\" WHERE \"organizationId\" = ?"}) {
      Statement st(c, sql, kWhat);
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c, "DELETE FROM \"organization\" WHERE \"id\" = ?", kWhat);
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
      if (st.changes() == 0) return Status(ErrorCode::kNotFound);  // rolls back (nothing was changed)
    }
    return tx.commit(kWhat);
  }

  Result<std::vector<Organization>> list_user_organizations(std::string_view user_id) override {
    constexpr std::string_view kWhat = "list_user_organizations";
    auto lease = pool_.acquire();
    // IN, not a join: a BetterAuth database may hold a membership twice.
    Statement st(*lease,
                 "SELECT " PCS_ORGANIZATION_COLUMNS("") " FROM \"organization\" WHERE \"id\" IN "
                 "(SELECT \"organizationId\" FROM \"member\" WHERE \"userId\" = ?) ORDER BY \"createdAt\", \"id\"",
                 kWhat);
    st.bind_text(1, user_id);
    std::vector<Organization> organizations;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) organizations.push_back(rows::read_organization(SqliteRow{st}, bad));
    if (rc != SQLITE_DONE) return st.error(rc);
    if (bad) return corrupt_row(kWhat);
    return organizations;
  }

  Result<Member> find_member(std::string_view organization_id, std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_MEMBER_COLUMNS("") " FROM \"member\" WHERE \"organizationId\" = ? AND \"userId\" = ? "
                 "ORDER BY \"createdAt\", \"id\" LIMIT 1",
                 "find_member");
    st.bind_text(1, organization_id);
    st.bind_text(2, user_id);
    return query_one_member(st, "find_member");
  }

  Result<Member> find_member_by_id(std::string_view organization_id, std::string_view member_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_MEMBER_COLUMNS("") " FROM \"member\" WHERE \"id\" = ? AND \"organizationId\" = ?",
                 "find_member_by_id");
    st.bind_text(1, member_id);
    st.bind_text(2, organization_id);
    return query_one_member(st, "find_member_by_id");
  }

  Result<MemberPage> list_members(std::string_view organization_id, std::size_t limit, std::size_t offset) override {
    constexpr std::string_view kWhat = "list_members";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // a read transaction: the count and the page see the same rows
    if (Status s = tx.begin_read(kWhat); !s.ok()) return s;
    MemberPage page;
    // The count joins the users as the page does, so that a member whose user is gone (a table
    // without the cascade) is in neither.
    {
      Statement st(c,
                   "SELECT count(*) FROM \"member\" AS m JOIN \"user\" AS u ON u.\"id\" = m.\"userId\" "
                   "WHERE m.\"organizationId\" = ?",
                   kWhat);
      st.bind_text(1, organization_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      page.total = static_cast<std::size_t>(st.int64(0));
    }
    {
      Statement st(c,
                   "SELECT " PCS_MEMBER_COLUMNS("m.") ", " PCS_USER_COLUMNS("u.")
                   " FROM \"member\" AS m JOIN \"user\" AS u ON u.\"id\" = m.\"userId\" WHERE m.\"organizationId\" = ? "
                   "ORDER BY m.\"createdAt\", m.\"id\" LIMIT ? OFFSET ?",
                   kWhat);
      st.bind_text(1, organization_id);
      st.bind_int(2, clamp_to_int64(limit));
      st.bind_int(3, clamp_to_int64(offset));
      bool bad = false;
      int rc;
      while ((rc = st.step()) == SQLITE_ROW) {
        page.members.push_back(MemberWithUser{rows::read_member(SqliteRow{st}, 0, bad),
                                              rows::read_user(SqliteRow{st}, rows::kMemberColumns, bad)});
      }
      if (rc != SQLITE_DONE) return st.error(rc);
      if (bad) return corrupt_row(kWhat);
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return page;
  }

  Status add_member(const Member& member, std::size_t limit) override {
    constexpr std::string_view kWhat = "add_member";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the checks and the insert
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = add_member_checked(c, member, limit, kWhat); !s.ok()) return s;
    return tx.commit(kWhat);
  }

  Status update_member_role(std::string_view organization_id, std::string_view member_id, std::string_view role,
                            std::string_view owner_role) override {
    constexpr std::string_view kWhat = "update_member_role";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the owners' count and the write
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    auto owners = count_owners(c, organization_id, member_id, owner_role, kWhat);
    if (!owners.ok()) return owners.status();
    if (!owners->member) return Status(ErrorCode::kNotFound);
    if (owners->member->is_owner && owners->owners < 2 && !has_role(role, owner_role)) {
      return Status(ErrorCode::kCannotLeaveWithoutOwner);
    }
    {
      Statement st(c, "UPDATE \"member\" SET \"role\" = ? WHERE \"id\" = ? AND \"organizationId\" = ?", kWhat);
      st.bind_text(1, role);
      st.bind_text(2, member_id);
      st.bind_text(3, organization_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status remove_member(std::string_view organization_id, std::string_view member_id,
                       std::string_view owner_role) override {
    constexpr std::string_view kWhat = "remove_member";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the owners' count and the delete
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    auto owners = count_owners(c, organization_id, member_id, owner_role, kWhat);
    if (!owners.ok()) return owners.status();
    if (!owners->member) return Status(ErrorCode::kNotFound);
    if (owners->member->is_owner && owners->owners < 2) return Status(ErrorCode::kCannotLeaveAsOnlyOwner);
    {
      Statement st(c, "DELETE FROM \"member\" WHERE \"id\" = ? AND \"organizationId\" = ?", kWhat);
      st.bind_text(1, member_id);
      st.bind_text(2, organization_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    {
      Statement st(c,
                   "UPDATE \"session\" SET \"activeOrganizationId\" = NULL WHERE \"userId\" = ? AND "
                   "\"activeOrganizationId\" = ?",
                   kWhat);
      st.bind_text(1, owners->member->user_id);
      st.bind_text(2, organization_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status create_invitation(const Invitation& invitation, std::size_t limit, bool cancel_pending) override {
    constexpr std::string_view kWhat = "create_invitation";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the checks and the insert
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = organization_exists(c, invitation.organization_id, kWhat); !s.ok()) return s;
    if (Status s = user_exists(c, invitation.inviter_id, kWhat); !s.ok()) return s;
    {
      Statement st(c,
                   cancel_pending
                       ? "UPDATE \"invitation\" SET \"status\" = 'canceled' WHERE \"organizationId\" = ? AND "
                         "\"email\" = ? AND \"status\" = 'pending' AND " PCS_LIVE_INVITATION
                       : "SELECT 1 FROM \"invitation\" WHERE \"organizationId\" = ? AND \"email\" = ? AND "
                         "\"status\" = 'pending' AND " PCS_LIVE_INVITATION " LIMIT 1",
                   kWhat);
      st.bind_text(1, invitation.organization_id);
      st.bind_text(2, invitation.email);
      st.bind_double(3, julian_day(invitation.created_at));
      const int rc = st.step();
      if (rc == SQLITE_ROW) return Status(ErrorCode::kUserIsAlreadyInvited);  // only the SELECT returns rows
      if (rc != SQLITE_DONE) return st.error(rc);
    }
    {
      Statement st(c,
                   "SELECT count(*) FROM \"invitation\" WHERE \"organizationId\" = ? AND \"status\" = 'pending' "
                   "AND " PCS_LIVE_INVITATION,
                   kWhat);
      st.bind_text(1, invitation.organization_id);
      st.bind_double(2, julian_day(invitation.created_at));
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      // Rolls back a cancel too (nothing was written).
      if (st.int64(0) >= clamp_to_int64(limit)) return Status(ErrorCode::kInvitationLimitReached);
    }
    {
      Statement st(c, "INSERT INTO \"invitation\" (" PCS_INVITATION_COLUMNS ") VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
                   kWhat);
      st.bind_text(1, invitation.id);
      st.bind_text(2, invitation.organization_id);
      st.bind_text(3, invitation.email);
      st.bind_optional_text(4, invitation.role);
      st.bind_time(5, invitation.expires_at);
      st.bind_time(6, invitation.created_at);
      st.bind_text(7, invitation.inviter_id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Result<Invitation> find_invitation(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_INVITATION_COLUMNS " FROM \"invitation\" WHERE \"id\" = ?", "find_invitation");
    st.bind_text(1, id);
    return query_one_invitation(st, "find_invitation");
  }

  Result<std::vector<Invitation>> list_invitations(std::string_view organization_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_INVITATION_COLUMNS
                 " FROM \"invitation\" WHERE \"organizationId\" = ? ORDER BY \"createdAt\", \"id\"",
                 "list_invitations");
    st.bind_text(1, organization_id);
    return query_invitations(st, "list_invitations");
  }

  Result<std::vector<Invitation>> list_invitations_to(std::string_view email) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_INVITATION_COLUMNS
                 " FROM \"invitation\" WHERE \"email\" = ? ORDER BY \"createdAt\", \"id\"",
                 "list_invitations_to");
    st.bind_text(1, email);
    return query_invitations(st, "list_invitations_to");
  }

  Result<bool> update_pending_invitation(std::string_view id, std::string_view status,
                                         std::optional<TimePoint> expires_at) override {
    auto lease = pool_.acquire();
    // The status is checked in the WHERE clause, so the check and the write are one step.
    Statement st(*lease,
                 "UPDATE \"invitation\" SET \"status\" = ?, \"expiresAt\" = coalesce(?, \"expiresAt\") "
                 "WHERE \"id\" = ? AND \"status\" = 'pending'",
                 "update_pending_invitation");
    st.bind_text(1, status);
    st.bind_optional_text(2, expires_at ? std::optional<std::string>(format_iso8601(*expires_at)) : std::nullopt);
    st.bind_text(3, id);
    if (Status s = st.exec(); !s.ok()) return s;
    return st.changes() > 0;
  }

  Status accept_invitation(std::string_view id, const Member& member, std::size_t limit, TimePoint now) override {
    constexpr std::string_view kWhat = "accept_invitation";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the checks and the writes
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    {
      Statement st(c, "SELECT " PCS_INVITATION_COLUMNS " FROM \"invitation\" WHERE \"id\" = ?", kWhat);
      st.bind_text(1, id);
      auto found = query_one_invitation(st, kWhat);
      if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return found.status();
      // An invitation to another organization than the member's is not one to accept for it.
      if (!found.ok() || found->status != "pending" || found->expires_at <= now ||
          found->organization_id != member.organization_id) {
        return Status(ErrorCode::kInvitationNotFound);
      }
    }
    if (Status s = add_member_checked(c, member, limit, kWhat); !s.ok()) return s;
    {
      Statement st(c, "UPDATE \"invitation\" SET \"status\" = 'accepted' WHERE \"id\" = ?", kWhat);
      st.bind_text(1, id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  // --- API keys ---

  Result<bool> create_api_key(const ApiKey& key, std::size_t max_per_user) override {
    constexpr std::string_view kWhat = "create_api_key";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the checks and the insert
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = user_exists(c, key.reference_id, kWhat); !s.ok()) return s;
    {
      // "key" has no unique index in BetterAuth's table: a hash is checked here.
      Statement st(c, "SELECT 1 FROM \"apikey\" WHERE \"id\" = ? OR \"key\" = ? LIMIT 1", kWhat);
      st.bind_text(1, key.id);
      st.bind_text(2, key.key_hash);
      const int rc = st.step();
      if (rc == SQLITE_ROW) return Status(ErrorCode::kUserAlreadyExists);
      if (rc != SQLITE_DONE) return st.error(rc);
    }
    {
      Statement st(c, "SELECT count(*) FROM \"apikey\" WHERE \"referenceId\" = ?", kWhat);
      st.bind_text(1, key.reference_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      if (st.int64(0) >= clamp_to_int64(max_per_user)) return false;  // rolls back (nothing was written)
    }
    {
      Statement st(c,
                   "INSERT INTO \"apikey\" (" PCS_API_KEY_COLUMNS
                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   kWhat);
      st.bind_text(1, key.id);
      st.bind_text(2, key.config_id);
      st.bind_optional_text(3, key.name);
      st.bind_optional_text(4, key.start);
      st.bind_text(5, key.reference_id);
      st.bind_optional_text(6, key.prefix);
      st.bind_text(7, key.key_hash);
      bind_api_key_state(st, 8, key);
      st.bind_time(19, key.created_at);
      st.bind_time(20, key.updated_at);
      st.bind_optional_text(21, key.permissions);
      st.bind_optional_text(22, key.metadata);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<ApiKey> find_api_key(std::string_view id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT " PCS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"id\" = ?", "find_api_key");
    st.bind_text(1, id);
    return query_one_api_key(st, "find_api_key");
  }

  Result<ApiKey> find_api_key_by_hash(std::string_view key_hash) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_API_KEY_COLUMNS
                 " FROM \"apikey\" WHERE \"key\" = ? ORDER BY \"createdAt\", \"id\" LIMIT 1",
                 "find_api_key_by_hash");
    st.bind_text(1, key_hash);
    return query_one_api_key(st, "find_api_key_by_hash");
  }

  Result<ApiKeyPage> list_api_keys(std::string_view reference_id, const ApiKeyOrder& order, std::size_t limit,
                                   std::size_t offset) override {
    constexpr std::string_view kWhat = "list_api_keys";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // a read transaction: the count and the page see the same rows
    if (Status s = tx.begin_read(kWhat); !s.ok()) return s;
    ApiKeyPage page;
    {
      Statement st(c, "SELECT count(*) FROM \"apikey\" WHERE \"referenceId\" = ?", kWhat);
      st.bind_text(1, reference_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      page.total = static_cast<std::size_t>(st.int64(0));
    }
    {
      // SQLite sorts NULLs first ascending and last descending, as the contract says.
      std::string sql = "SELECT " PCS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"referenceId\" = ? ORDER BY ";
      sql.append(api_key_field_sql(order.field));
      sql.append(order.descending ? " DESC" : " ASC");
      sql.append(", \"id\" ASC LIMIT ? OFFSET ?");
      Statement st(c, Composed{std::move(sql)}, kWhat);
      st.bind_text(1, reference_id);
      st.bind_int(2, clamp_to_int64(limit));
      st.bind_int(3, clamp_to_int64(offset));
      auto keys =
          query_all<ApiKey>(st, kWhat, [](const SqliteRow& r, bool& bad) { return rows::read_api_key(r, bad); });
      if (!keys.ok()) return keys.status();
      page.keys = std::move(keys).value();
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return page;
  }

  Result<ApiKey> change_api_key(std::string_view id, const std::function<Status(ApiKey&)>& change) override {
    constexpr std::string_view kWhat = "change_api_key";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // BEGIN IMMEDIATE: no other writer between the read and the write
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    ApiKey row;
    {
      Statement st(c, "SELECT " PCS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"id\" = ?", kWhat);
      st.bind_text(1, id);
      auto found = query_one_api_key(st, kWhat);
      if (!found.ok()) return found.status();
      row = std::move(found).value();
    }
    ApiKey changed = row;
    if (Status s = change(changed); !s.ok()) return s;  // rolls back (nothing was written)
    // What is not written stays as stored.
    changed.id = row.id;
    changed.reference_id = row.reference_id;
    changed.key_hash = row.key_hash;
    changed.created_at = row.created_at;
    {
      Statement st(c,
                   "UPDATE \"apikey\" SET \"configId\" = ?, \"name\" = ?, \"start\" = ?, \"prefix\" = ?, "
                   "\"refillInterval\" = ?, \"refillAmount\" = ?, \"lastRefillAt\" = ?, \"enabled\" = ?, "
                   "\"rateLimitEnabled\" = ?, \"rateLimitTimeWindow\" = ?, \"rateLimitMax\" = ?, "
                   "\"requestCount\" = ?, \"remaining\" = ?, \"lastRequest\" = ?, \"expiresAt\" = ?, "
                   "\"updatedAt\" = ?, \"permissions\" = ?, \"metadata\" = ? WHERE \"id\" = ?",
                   kWhat);
      st.bind_text(1, changed.config_id);
      st.bind_optional_text(2, changed.name);
      st.bind_optional_text(3, changed.start);
      st.bind_optional_text(4, changed.prefix);
      bind_api_key_state(st, 5, changed);
      st.bind_time(16, changed.updated_at);
      st.bind_optional_text(17, changed.permissions);
      st.bind_optional_text(18, changed.metadata);
      st.bind_text(19, row.id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return changed;
  }

  Status delete_api_key(std::string_view id, std::string_view reference_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"apikey\" WHERE \"id\" = ? AND \"referenceId\" = ?", "delete_api_key");
    st.bind_text(1, id);
    st.bind_text(2, reference_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  // --- sessions ---

  Status create_session(const Session& session) override {
    auto lease = pool_.acquire();
    // The EXISTS test makes a missing user NOT_FOUND even where the table has no foreign key.
    Statement st(*lease,
                 "INSERT INTO \"session\" (\"id\", \"token\", \"userId\", \"expiresAt\", \"createdAt\", "
                 "\"updatedAt\", \"ipAddress\", \"userAgent\", \"impersonatedBy\", \"activeOrganizationId\") "
                 "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 "
                 "WHERE EXISTS (SELECT 1 FROM \"user\" WHERE \"id\" = ?3)",
                 "create_session");
    st.bind_text(1, session.id);
    st.bind_text(2, session.token);
    st.bind_text(3, session.user_id);
    st.bind_time(4, session.expires_at);
    st.bind_time(5, session.created_at);
    st.bind_time(6, session.updated_at);
    st.bind_optional_text(7, session.ip_address);
    st.bind_optional_text(8, session.user_agent);
    st.bind_optional_text(9, session.impersonated_by);
    st.bind_optional_text(10, session.active_organization_id);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Result<SessionWithUser> find_session(std::string_view token) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_SESSION_COLUMNS("s.") ", " PCS_USER_COLUMNS("u.")
                 " FROM \"session\" AS s JOIN \"user\" AS u ON u.\"id\" = s.\"userId\" WHERE s.\"token\" = ?",
                 "find_session");
    st.bind_text(1, token);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    bool bad = false;
    SessionWithUser out{rows::read_session(SqliteRow{st}, 0, bad),
                        rows::read_user(SqliteRow{st}, rows::kSessionColumns, bad)};
    if (bad) return corrupt_row("find_session");
    return out;
  }

  Result<std::vector<Session>> list_sessions(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_SESSION_COLUMNS("")
                 " FROM \"session\" WHERE \"userId\" = ? ORDER BY \"createdAt\" DESC, \"id\" DESC",
                 "list_sessions");
    st.bind_text(1, user_id);
    std::vector<Session> sessions;
    bool bad = false;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) sessions.push_back(rows::read_session(SqliteRow{st}, 0, bad));
    if (rc != SQLITE_DONE) return st.error(rc);
    if (bad) return corrupt_row("list_sessions");
    return sessions;
  }

  Status touch_session(std::string_view token, TimePoint expires_at, TimePoint updated_at) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"session\" SET \"expiresAt\" = ?, \"updatedAt\" = ? WHERE \"token\" = ?",
                 "touch_session");
    st.bind_time(1, expires_at);
    st.bind_time(2, updated_at);
    st.bind_text(3, token);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status set_active_organization(std::string_view token, const std::optional<std::string>& organization_id) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "UPDATE \"session\" SET \"activeOrganizationId\" = ? WHERE \"token\" = ?",
                 "set_active_organization");
    st.bind_optional_text(1, organization_id);
    st.bind_text(2, token);
    if (Status s = st.exec(); !s.ok()) return s;
    if (st.changes() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_session(std::string_view token) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"session\" WHERE \"token\" = ?", "delete_session");
    st.bind_text(1, token);
    return st.exec();
  }

  Status delete_user_session(std::string_view user_id, std::string_view token) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"session\" WHERE \"token\" = ? AND \"userId\" = ?", "delete_user_session");
    st.bind_text(1, token);
    st.bind_text(2, user_id);
    return st.exec();
  }

  Result<std::size_t> delete_sessions(std::string_view user_id, std::string_view keep_token) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"session\" WHERE \"userId\" = ?1 AND (?2 = '' OR \"token\" <> ?2)",
                 "delete_sessions");
    st.bind_text(1, user_id);
    st.bind_text(2, keep_token);
    if (Status s = st.exec(); !s.ok()) return s;
    return static_cast<std::size_t>(st.changes());
  }

  // --- verifications ---

  Status create_verification(const Verification& v) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "INSERT INTO \"verification\" (" PCS_VERIFICATION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)",
                 "create_verification");
    st.bind_text(1, v.id);
    st.bind_text(2, v.identifier);
    st.bind_text(3, v.value);
    st.bind_time(4, v.expires_at);
    st.bind_time(5, v.created_at);
    st.bind_time(6, v.updated_at);
    return st.exec();
  }

  Result<Verification> find_verification(std::string_view identifier) override {
    auto lease = pool_.acquire();
    Statement st(*lease,
                 "SELECT " PCS_VERIFICATION_COLUMNS
                 " FROM \"verification\" WHERE \"identifier\" = ? ORDER BY \"createdAt\" DESC, \"id\" LIMIT 1",
                 "find_verification");
    st.bind_text(1, identifier);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
    if (rc != SQLITE_ROW) return st.error(rc);
    bool bad = false;
    Verification v = rows::read_verification(SqliteRow{st}, bad);
    if (bad) return corrupt_row("find_verification");
    return v;
  }

  Result<Verification> consume_verification(std::string_view identifier) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("consume_verification"); !s.ok()) return s;
    Verification v;
    {
      Statement st(c,
                   "SELECT " PCS_VERIFICATION_COLUMNS
                   " FROM \"verification\" WHERE \"identifier\" = ? ORDER BY \"createdAt\" DESC, \"id\" LIMIT 1",
                   "consume_verification");
      st.bind_text(1, identifier);
      const int rc = st.step();
      if (rc == SQLITE_DONE) return Status(ErrorCode::kNotFound);
      if (rc != SQLITE_ROW) return st.error(rc);
      bool bad = false;
      v = rows::read_verification(SqliteRow{st}, bad);
      if (bad) return corrupt_row("consume_verification");
    }
    {
      Statement st(c, "DELETE FROM \"verification\" WHERE \"id\" = ?", "consume_verification");
      st.bind_text(1, v.id);
      if (Status s = st.exec(); !s.ok()) return s;
    }
    if (Status s = tx.commit("consume_verification"); !s.ok()) return s;
    return v;
  }

  Result<std::size_t> delete_expired(TimePoint now) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("delete_expired"); !s.ok()) return s;
    std::size_t deleted = 0;
    // Compared as instants, not as text: rows other tools wrote may hold SQLite's own
    // "YYYY-MM-DD HH:MM:SS" (which sorts before the ISO "T" form of the same day) or epoch
    // milliseconds. julianday() reads both text forms; integers are milliseconds.
    for (const char* sql :
         {"DELETE FROM \"session\" WHERE CASE typeof(\"expiresAt\") WHEN 'integer' THEN "
          "(\"expiresAt\" + 210866760000000) / 86400000.0 ELSE julianday(\"expiresAt\") END < ?",
          "DELETE FROM \"verification\" WHERE CASE typeof(\"expiresAt\") WHEN 'integer' THEN "
          "(\"expiresAt\" + 210866760000000) / 86400000.0 ELSE julianday(\"expiresAt\") END < ?",
          // A key without "expiresAt" (NULL) never expires: NULL < ? is not true.
          "DELETE FROM \"apikey\" WHERE CASE typeof(\"expiresAt\") WHEN 'integer' THEN "
          "(\"expiresAt\" + 210866760000000) / 86400000.0 ELSE julianday(\"expiresAt\") END < ?"}) {
      Statement st(c, sql, "delete_expired");
      st.bind_double(1, julian_day(now));
      if (Status s = st.exec(); !s.ok()) return s;
      deleted += static_cast<std::size_t>(st.changes());
    }
    if (Status s = tx.commit("delete_expired"); !s.ok()) return s;
    return deleted;
  }

  // --- rate limits ---

  Result<RateLimitDecision> rate_limit_hit(std::string_view key, std::chrono::milliseconds window,
                                           std::int64_t max, TimePoint now) override {
    constexpr std::string_view kWhat = "rate_limit_hit";
    const std::int64_t now_ms_value = now.time_since_epoch().count();
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    bool found = false;
    std::int64_t count = 0;
    std::int64_t last = 0;
    {
      Statement st(c, "SELECT \"count\", \"lastRequest\" FROM \"rateLimit\" WHERE \"key\" = ?", kWhat);
      st.bind_text(1, key);
      const int rc = st.step();
      if (rc == SQLITE_ROW) {
        found = true;
        count = st.int64(0);
        last = st.int64(1);
      } else if (rc != SQLITE_DONE) {
        return st.error(rc);
      }
    }
    const RateLimitStep step = next_rate_limit_step(found, count, last, now_ms_value, window, max);
    switch (step.action) {
      case RateLimitAction::kBlock:
        return step.decision;  // nothing changed; the transaction rolls back
      case RateLimitAction::kInsert: {
        Statement st(c, "INSERT INTO \"rateLimit\" (\"id\", \"key\", \"count\", \"lastRequest\") VALUES (?, ?, 1, ?)",
                     kWhat);
        st.bind_text(1, generate_token());
        st.bind_text(2, key);
        st.bind_int(3, now_ms_value);
        if (Status s = st.exec(); !s.ok()) return internal_unless_ok(s, kWhat);
        break;
      }
      case RateLimitAction::kReset:
      case RateLimitAction::kIncrement: {
        Statement st(c,
                     step.action == RateLimitAction::kReset
                         ? "UPDATE \"rateLimit\" SET \"count\" = 1, \"lastRequest\" = ? WHERE \"key\" = ?"
                         : "UPDATE \"rateLimit\" SET \"count\" = \"count\" + 1, \"lastRequest\" = ? WHERE \"key\" = ?",
                     kWhat);
        st.bind_int(1, now_ms_value);
        st.bind_text(2, key);
        if (Status s = st.exec(); !s.ok()) return s;
        break;
      }
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return step.decision;
  }

  Result<RateLimitCounter> rate_limit_get(std::string_view key) override {
    constexpr std::string_view kWhat = "rate_limit_get";
    auto lease = pool_.acquire();
    Statement st(*lease, "SELECT \"count\", \"lastRequest\" FROM \"rateLimit\" WHERE \"key\" = ?", kWhat);
    st.bind_text(1, key);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return RateLimitCounter{};
    if (rc != SQLITE_ROW) return internal_unless_ok(st.error(rc), kWhat);
    return RateLimitCounter{st.int64(0), TimePoint(std::chrono::milliseconds(st.int64(1)))};
  }

  Status rate_limit_clear(std::string_view key) override {
    auto lease = pool_.acquire();
    Statement st(*lease, "DELETE FROM \"rateLimit\" WHERE \"key\" = ?", "rate_limit_clear");
    st.bind_text(1, key);
    return internal_unless_ok(st.exec(), "rate_limit_clear");
  }

 private:
  // For methods whose only documented error is INTERNAL_SERVER_ERROR.
  static Status internal_unless_ok(Status s, std::string_view what) {
    if (s.ok() || s.code() == ErrorCode::kInternalServerError) return s;
    return internal_error(what, "constraint failed");
  }

  static Status insert_user(Connection& c, const User& u) {
    // "twoFactorEnabled" and "banned" are written false, as BetterAuth writes their defaults (a
    // table its migration made may have no default there, and a NULL escapes its "= false"
    // filters); set_two_factor_enabled() and set_ban() alone change them.
    Statement st(c,
                 "INSERT INTO \"user\" (\"id\", \"name\", \"email\", \"emailVerified\", \"image\", \"createdAt\", "
                 "\"updatedAt\", \"role\", \"username\", \"displayUsername\", \"twoFactorEnabled\", \"banned\") "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                 "create_user");
    st.bind_text(1, u.id);
    st.bind_text(2, u.name);
    st.bind_text(3, u.email);
    st.bind_bool(4, u.email_verified);
    st.bind_optional_text(5, u.image);
    st.bind_time(6, u.created_at);
    st.bind_time(7, u.updated_at);
    st.bind_optional_text(8, u.role);
    st.bind_optional_text(9, u.username);
    st.bind_optional_text(10, u.display_username);
    return st.exec();
  }

  // Binds the eleven columns of an API key from "refillInterval" to "expiresAt" (in the table's
  // order), from parameter `first` on.
  static void bind_api_key_state(Statement& st, int first, const ApiKey& k) {
    st.bind_optional_int(first, k.refill_interval_ms);
    st.bind_optional_int(first + 1, k.refill_amount);
    st.bind_optional_time(first + 2, k.last_refill_at);
    st.bind_bool(first + 3, k.enabled);
    st.bind_bool(first + 4, k.rate_limit_enabled);
    st.bind_optional_int(first + 5, k.rate_limit_time_window_ms);
    st.bind_optional_int(first + 6, k.rate_limit_max);
    st.bind_int(first + 7, k.request_count);
    st.bind_optional_int(first + 8, k.remaining);
    st.bind_optional_time(first + 9, k.last_request);
    st.bind_optional_time(first + 10, k.expires_at);
  }

  static Status insert_member(Connection& c, const Member& m, std::string_view what) {
    Statement st(c, "INSERT INTO \"member\" (" PCS_MEMBER_COLUMNS("") ") VALUES (?, ?, ?, ?, ?)", what);
    st.bind_text(1, m.id);
    st.bind_text(2, m.organization_id);
    st.bind_text(3, m.user_id);
    st.bind_text(4, m.role);
    st.bind_time(5, m.created_at);
    return st.exec();
  }

  // add_member()'s checks and insert, on `c` inside the caller's write transaction.
  static Status add_member_checked(Connection& c, const Member& m, std::size_t limit, std::string_view what) {
    if (Status s = organization_exists(c, m.organization_id, what); !s.ok()) return s;
    if (Status s = user_exists(c, m.user_id, what); !s.ok()) return s;
    {
      Statement st(c, "SELECT 1 FROM \"member\" WHERE \"organizationId\" = ? AND \"userId\" = ? LIMIT 1", what);
      st.bind_text(1, m.organization_id);
      st.bind_text(2, m.user_id);
      const int rc = st.step();
      if (rc == SQLITE_ROW) return Status(ErrorCode::kUserIsAlreadyAMember);
      if (rc != SQLITE_DONE) return st.error(rc);
    }
    {
      Statement st(c, "SELECT count(*) FROM \"member\" WHERE \"organizationId\" = ?", what);
      st.bind_text(1, m.organization_id);
      if (const int rc = st.step(); rc != SQLITE_ROW) return st.error(rc);
      if (st.int64(0) >= clamp_to_int64(limit)) return Status(ErrorCode::kMembershipLimitReached);
    }
    return insert_member(c, m, what);
  }

  static Status insert_account(Connection& c, const Account& a, std::string_view what) {
    Statement st(c, "INSERT INTO \"account\" (" PCS_ACCOUNT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", what);
    st.bind_text(1, a.id);
    st.bind_text(2, a.account_id);
    st.bind_text(3, a.provider_id);
    st.bind_text(4, a.user_id);
    st.bind_optional_text(5, a.password);
    st.bind_time(6, a.created_at);
    st.bind_time(7, a.updated_at);
    st.bind_optional_text(8, a.scope);
    return st.exec();
  }

  Pool pool_;
};

}  // namespace

#undef PCS_USER_COLUMNS
#undef PCS_SESSION_COLUMNS
#undef PCS_ACCOUNT_COLUMNS
#undef PCS_VERIFICATION_COLUMNS
#undef PCS_TWO_FACTOR_COLUMNS
#undef PCS_JWK_COLUMNS
#undef PCS_PASSKEY_COLUMNS
#undef PCS_ORGANIZATION_COLUMNS
#undef PCS_MEMBER_COLUMNS
#undef PCS_INVITATION_COLUMNS
#undef PCS_API_KEY_COLUMNS

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options) {
  // ":memory:" and "" give every connection its own private database, so they get one connection.
  const bool private_db = options.path.empty() || options.path == ":memory:";
  const int connections = private_db ? 1 : std::max(1, options.connections);
  if (!private_db) {
    // A new database file is readable by its owner alone, whatever the umask: it holds password
    // hashes and session tokens. (SQLite gives its -wal and -shm files the database's mode.)
    const int fd = open(options.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      close(fd);
    } else if (errno != EEXIST) {
      return internal_error("create", std::strerror(errno));
    }
  }
  auto store = std::make_unique<SqliteStore>();
  for (int i = 0; i < connections; ++i) {
    auto conn = open_connection(options);
    if (!conn.ok()) return conn.status();
    store->pool().add(std::move(conn).value());
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace portcullis::store

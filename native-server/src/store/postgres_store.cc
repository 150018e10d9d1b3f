// Portcullis server: the PostgreSQL store.
//
// Layout of this file:
//   - RAII handles for PGconn* and PGresult*, and the mapping from SQLSTATE codes to Status values
//     (messages name the operation, the SQLSTATE and, outside the data-error classes, PostgreSQL's
//     primary message, which then holds no values);
//   - Connection: one PGconn with its prepared statements; Query: one prepared statement (or one of
//     SQL composed at run time, unprepared) run with text parameters; Transaction: BEGIN ...
//     COMMIT, rolled back unless committed;
//   - the migrations; ChangeListener: LISTEN on a connection of its own (watch_changes());
//   - PostgresStore: the Store methods, each on one connection checked out of the pool.
//
// Instants are written as ISO-8601 text cast to timestamptz, and read as whole milliseconds since
// the epoch (floor(extract(epoch ...) * 1000)), so nothing depends on the session's DateStyle; the
// session's TimeZone is set to UTC so that a BetterAuth database with `timestamp` columns (without
// time zone) holds UTC as well.

#include "store/postgres_store.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/time.h"
#include "portcullis/text.h"
#include "portcullis/token.h"
#include "store/connection_pool.h"
#include "store/rate_limit_rule.h"
#include "store/row_readers.h"

namespace portcullis::store {

bool is_postgres_url(std::string_view database) {
  return database.starts_with("postgres://") || database.starts_with("postgresql://");
}

std::string redact_database_url(std::string_view database) {
  if (!is_postgres_url(database)) return std::string(database);
  std::string out(database);
  // user:password@ in the authority (which ends at the first '/' after "://", or '?').
  const std::size_t authority = out.find("://") + 3;
  const std::size_t authority_end = std::min(out.find('/', authority), out.find('?', authority));
  const std::size_t at = out.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority) {
    const std::size_t colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=... among the parameters.
  for (std::size_t p = out.find('?'); p != std::string::npos; p = out.find('&', p + 1)) {
    if (out.compare(p + 1, 9, "password=") == 0) {
      const std::size_t value = p + 10;
      out.replace(value, std::min(out.find('&', value), out.size()) - value, "***");
    }
  }
  return out;
}

namespace {

// --- handles and errors ------------------------------------------------------------------------

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ConnHandle = std::unique_ptr<PGconn, ConnCloser>;
using ResultHandle = std::unique_ptr<PGresult, ResultClearer>;

// The channel every replica's ChangeListener listens on. A write that changes what get-session
// answers notifies it with the user's id in the same statement (a CTE whose rows the write
// returns: PGS_NOTIFY_FROM) or, in a transaction, by kAnnounce before COMMIT; either way the
// notice is sent when, and only if, the write commits (PostgreSQL holds notices until then, and
// delivers one per distinct payload of a transaction).
#define PGS_CHANNEL "portcullis_changes"
constexpr const char* kListen = "LISTEN " PGS_CHANNEL;
constexpr const char* kAnnounce = "SELECT pg_notify('" PGS_CHANNEL "', $1)";  // $1: the user's id
// "WITH w AS (<write> RETURNING <col>) " PGS_NOTIFY_FROM("w", "<col>"): one row per written row.
#define PGS_NOTIFY_FROM(cte, col) "SELECT " col ", pg_notify('" PGS_CHANNEL "', " col ") FROM " cte

Status internal_error(std::string_view what, std::string_view detail) {
  std::string message = "postgres: ";
  message += what;
  message += ": ";
  message += detail;
  return Status(ErrorCode::kInternalServerError, std::move(message));
}

// libpq's connection messages end in a newline and may span lines; the first line says what went
// wrong (they never hold the password).
std::string first_line(const char* text) {
  std::string_view s = text != nullptr ? text : "";
  s = s.substr(0, s.find('\n'));
  return s.empty() ? std::string("connection failed") : std::string(s);
}

// Maps a failed result (or none: the connection failed) to a Status.
Status error_from_result(const PGresult* r, PGconn* conn, std::string_view what) {
  if (r == nullptr) return internal_error(what, first_line(PQerrorMessage(conn)));
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const std::string_view code = state != nullptr ? state : "";
  if (code == "23505") return Status(ErrorCode::kUserAlreadyExists);  // unique_violation
  if (code == "23503") return Status(ErrorCode::kNotFound);           // foreign_key_violation
  if (code.empty()) return internal_error(what, first_line(PQresultErrorMessage(r)));
  std::string detail = "SQLSTATE ";
  detail += code;
  // Classes 22 (data exception) and 23 (integrity constraint) may quote the values in their
  // messages; the others name schema objects and conditions only.
  if (!code.starts_with("22") && !code.starts_with("23")) {
    if (const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY); primary != nullptr) {
      detail += ": ";
      detail += primary;
    }
  }
  return internal_error(what, detail);
}

Status corrupt_row(std::string_view what) { return internal_error(what, "unreadable value in a row"); }

// PostgreSQL's text holds UTF-8 without NUL bytes. A User-Agent header may carry other bytes;
// they are stored as U+FFFD each, as a browser would show them.
std::string lossy_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    if (next_code_point(text, pos) && text[start] != '\0') {
      out.append(text.substr(start, pos - start));
    } else {
      pos = start + 1;
      out += "\xEF\xBF\xBD";
    }
  }
  return out;
}

// --- connections and statements ----------------------------------------------------------------

// What a connection is opened with: the URL, and the statements that set the session up.
struct ConnectSpec {
  std::string url;
  std::string setup;  // SET ... statements, run once connected
};

class Connection {
 public:
  explicit Connection(ConnHandle conn, const ConnectSpec& spec) : conn_(std::move(conn)), spec_(spec) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* get() const { return conn_.get(); }

  // Reconnects a connection the server or the network dropped (its prepared statements are gone
  // with it). Returns false if it is still down. Called before each statement: a statement that
  // failed ends its operation, so no operation goes on, on a new connection, outside the
  // transaction it began.
  //
  // An idle connection whose server went away (a restart, a failover, an administrator ending
  // it) has its goodbye waiting on the socket: the server's last message, then end of file.
  // Reading what is there finds that before a statement is sent, at the cost of one poll().
  bool ensure_open() {
    for (int reads = 0; reads < 4 && PQstatus(conn_.get()) == CONNECTION_OK; ++reads) {
      pollfd p{PQsocket(conn_.get()), POLLIN, 0};
      if (poll(&p, 1, 0) <= 0 || PQconsumeInput(conn_.get()) == 0) break;
    }
    if (PQstatus(conn_.get()) == CONNECTION_OK) return true;
    prepared_.clear();
    PQreset(conn_.get());
    if (PQstatus(conn_.get()) != CONNECTION_OK) return false;
    ResultHandle r(PQexec(conn_.get(), spec_.setup.c_str()));
    return PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  }

  // Returns the name of the prepared statement for `sql` (a string literal of this file),
  // preparing it on first use; on failure, the empty string and the Status in `error`.
  const std::string& prepared(std::string_view sql, std::string_view what, Status& error) {
    static const std::string kNone;
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    std::string name = "pc" + std::to_string(prepared_.size());
    ResultHandle r(PQprepare(conn_.get(), name.c_str(), std::string(sql).c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      error = error_from_result(r.get(), conn_.get(), what);
      return kNone;
    }
    return prepared_.emplace(sql, std::move(name)).first->second;
  }

  // Runs SQL without parameters (one or more statements); OK if it succeeded.
  Status exec(const char* sql, std::string_view what) {
    const std::string_view text = sql;
    const bool retry = may_retry(text.starts_with("BEGIN") || text.starts_with("SELECT"));
    Status s = exec_once(sql, what);
    if (!s.ok() && retry && PQstatus(conn_.get()) == CONNECTION_BAD) s = exec_once(sql, what);
    return s;
  }

  // Whether a statement that finds the connection gone may run again on a new one: only outside
  // a transaction (a transaction's earlier statements went with the connection) and only if
  // running it twice does no harm (`idempotent`: reads, BEGIN, UPDATE and DELETE by key).
  // The database restarting or failing over then costs no request; a statement that did reach
  // the server just before it went is what a retry could repeat.
  bool may_retry(bool idempotent) const {
    const auto state = PQtransactionStatus(conn_.get());
    return idempotent && (state == PQTRANS_IDLE || state == PQTRANS_UNKNOWN);
  }

 private:
  Status exec_once(const char* sql, std::string_view what) {
    if (!ensure_open()) return internal_error(what, first_line(PQerrorMessage(conn_.get())));
    ResultHandle r(PQexec(conn_.get(), sql));
    const auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
    return error_from_result(r.get(), conn_.get(), what);
  }

  ConnHandle conn_;
  const ConnectSpec& spec_;
  std::unordered_map<std::string_view, std::string> prepared_;  // keys are string literals
};

// SQL composed at run time from this file's fragments (query_users()), not a string literal.
struct Composed {
  std::string sql;
};

// One run of a prepared statement: parameters are added in order ($1, $2...) with the add_*()
// functions, run() executes it, and the row accessors read the result (text format).
class Query {
 public:
  Query(Connection& conn, std::string_view sql, std::string_view what) : conn_(conn), sql_(sql), what_(what) {}
  // A statement of composed SQL: run unprepared (PQexecParams), so that no prepared statement
  // outlives it.
  Query(Connection& conn, Composed composed, std::string_view what)
      : conn_(conn), composed_(std::move(composed.sql)), sql_(*composed_), what_(what) {}
  Query(const Query&) = delete;  // sql_ may point into composed_
  Query& operator=(const Query&) = delete;

  Query& text(std::string_view v) {
    if (v.find('\0') != std::string_view::npos) bad_param_ = true;  // text cannot hold NUL
    values_.emplace_back(v);
    null_.push_back(false);
    return *this;
  }
  Query& optional_text(const std::optional<std::string>& v) {
    if (v) return text(*v);
    values_.emplace_back();
    null_.push_back(true);
    return *this;
  }
  Query& integer(std::int64_t v) { return text(std::to_string(v)); }
  Query& boolean(bool v) { return text(v ? "true" : "false"); }
  Query& time(TimePoint t) { return text(format_iso8601(t)); }
  Query& optional_integer(const std::optional<std::int64_t>& v) {
    return optional_text(v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  }
  Query& optional_time(const std::optional<TimePoint>& t) {
    return optional_text(t ? std::optional<std::string>(format_iso8601(*t)) : std::nullopt);
  }

  // Runs the statement. OK if it ran; its rows and affected count are then readable. A statement
  // other than an INSERT that finds the connection gone runs again once on a new connection
  // (Connection::may_retry()).
  Status run() {
    if (bad_param_) return internal_error(what_, "a value holds a NUL byte");
    const bool retry = conn_.may_retry(!sql_.starts_with("INSERT"));
    Status s = run_once();
    if (!s.ok() && retry && PQstatus(conn_.get()) == CONNECTION_BAD) s = run_once();
    return s;
  }

  int rows() const { return PQntuples(result_.get()); }
  std::size_t affected() const {
    std::size_t n = 0;
    const std::string_view s = PQcmdTuples(result_.get());
    std::from_chars(s.data(), s.data() + s.size(), n);
    return n;
  }
  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string str(int row, int col) const {
    return std::string(PQgetvalue(result_.get(), row, col),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, col)));
  }
  std::optional<std::string> optional_str(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return str(row, col);
  }
  bool boolean_at(int row, int col) const { return std::string_view(PQgetvalue(result_.get(), row, col)) == "t"; }
  // An integer column; NULL or anything else sets `bad`.
  std::int64_t int64_at(int row, int col, bool& bad) const {
    std::int64_t v = 0;
    const std::string_view s = PQgetvalue(result_.get(), row, col);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (is_null(row, col) || ec != std::errc() || end != s.data() + s.size()) bad = true;
    return v;
  }
  // A column selected through PGS_MS(): milliseconds since the epoch.
  TimePoint time_at(int row, int col, bool& bad) const {
    return TimePoint(std::chrono::milliseconds(int64_at(row, col, bad)));
  }

 private:
  Status run_once() {
    if (!conn_.ensure_open()) return internal_error(what_, first_line(PQerrorMessage(conn_.get())));
    std::vector<const char*> params(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) params[i] = null_[i] ? nullptr : values_[i].c_str();
    if (composed_) {
      result_.reset(PQexecParams(conn_.get(), composed_->c_str(), static_cast<int>(params.size()), nullptr,
                                 params.data(), nullptr, nullptr, 0));
    } else {
      Status error;
      const std::string& name = conn_.prepared(sql_, what_, error);
      if (name.empty()) return error;
      result_.reset(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()), params.data(),
                                   nullptr, nullptr, 0));
    }
    const auto st = PQresultStatus(result_.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::OK();
    return error_from_result(result_.get(), conn_.get(), what_);
  }

  Connection& conn_;
  std::optional<std::string> composed_;  // a composed statement's SQL
  std::string_view sql_;
  std::string_view what_;
  std::vector<std::string> values_;
  std::vector<bool> null_;
  bool bad_param_ = false;
  ResultHandle result_;
};

// BEGIN ... COMMIT; rolled back when it goes out of scope with the transaction still open.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    // Not on a dropped connection (PQTRANS_UNKNOWN): the server rolled that back already.
    const auto state = PQtransactionStatus(conn_.get());
    if (state == PQTRANS_INTRANS || state == PQTRANS_INERROR) (void)conn_.exec("ROLLBACK", "rollback");
  }
  Status begin(std::string_view what) { return conn_.exec("BEGIN", what); }
  // A read-only transaction whose statements all see one snapshot of the database.
  Status begin_snapshot(std::string_view what) {
    return conn_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", what);
  }
  Status commit(std::string_view what) { return conn_.exec("COMMIT", what); }

 private:
  Connection& conn_;
};

// --- the schema --------------------------------------------------------------------------------

struct Migration {
  int version;
  const char* sql;
};

// BetterAuth's tables as its PostgreSQL generator writes them, plus the rateLimit table it adds
// with rateLimit.storage = "database". IF NOT EXISTS keeps a BetterAuth database as it is.
constexpr const char* kMigration1 = R"sql(
CREATE TABLE IF NOT EXISTS "user" (
  "id" text not null primary key,
  "name" text not null,
  "email" text not null unique,
  "emailVerified" boolean not null,
  "image" text,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
CREATE TABLE IF NOT EXISTS "session" (
  "id" text not null primary key,
  "expiresAt" timestamptz not null,
  "token" text not null unique,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz not null,
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
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  "scope" text,
  "password" text,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz not null);
CREATE TABLE IF NOT EXISTS "verification" (
  "id" text not null primary key,
  "identifier" text not null,
  "value" text not null,
  "expiresAt" timestamptz not null,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
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
// BetterAuth database that has the plugin has them; an older plugin's table lacks "verified" and
// the lockout columns. Each column is added only if missing, with the default BetterAuth's
// generator gives a column it adds; NULL in any of them reads as BetterAuth reads it
// (store/row_readers.h).
constexpr const char* kMigration2 = R"sql(
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "twoFactorEnabled" boolean default false;
CREATE TABLE IF NOT EXISTS "twoFactor" (
  "id" text not null primary key,
  "secret" text not null,
  "backupCodes" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "verified" boolean default true,
  "failedVerificationCount" integer default 0,
  "lockedUntil" timestamptz);
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "verified" boolean default true;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "failedVerificationCount" integer default 0;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "lockedUntil" timestamptz;
CREATE INDEX IF NOT EXISTS "twoFactor_userId_idx" ON "twoFactor" ("userId");
CREATE INDEX IF NOT EXISTS "twoFactor_secret_idx" ON "twoFactor" ("secret");
)sql";

// BetterAuth's admin plugin's ban (user."banned", "banReason", "banExpires"), which Portcullis's
// command line writes and sign-in honours. A database where BetterAuth has the plugin has them.
constexpr const char* kMigration3 = R"sql(
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "banned" boolean default false;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "banReason" text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "banExpires" timestamptz;
)sql";

// BetterAuth's jwt plugin (1.7): the jwks table of its signing keys. A BetterAuth database that
// has the plugin has the table; an older plugin's table lacks "expiresAt", "alg" and "crv", each
// added only if missing. NULL in them reads as BetterAuth reads it: a key that never expires, of
// the plugin's default algorithm (store/row_readers.h).
constexpr const char* kMigration4 = R"sql(
CREATE TABLE IF NOT EXISTS "jwks" (
  "id" text not null primary key,
  "publicKey" text not null,
  "privateKey" text not null,
  "createdAt" timestamptz not null,
  "expiresAt" timestamptz,
  "alg" text,
  "crv" text);
ALTER TABLE "jwks" ADD COLUMN IF NOT EXISTS "expiresAt" timestamptz;
ALTER TABLE "jwks" ADD COLUMN IF NOT EXISTS "alg" text;
ALTER TABLE "jwks" ADD COLUMN IF NOT EXISTS "crv" text;
)sql";

// BetterAuth's admin plugin's role (user."role": one role or several, comma-separated; NULL reads
// as "user"), which the admin API writes, and session."impersonatedBy" (the id of the administrator
// who made the session by impersonating its user; NULL: not an impersonation). A database where
// BetterAuth has the plugin has both.
constexpr const char* kMigration5 = R"sql(
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "role" text;
ALTER TABLE "session" ADD COLUMN IF NOT EXISTS "impersonatedBy" text;
)sql";

// BetterAuth's username plugin: user."username" (the name to sign in with, stored normalised to
// lower case, unique among users; NULL: none) and "displayUsername" (as the user typed it). A
// database where BetterAuth has the plugin has both, "username" with a UNIQUE constraint; the
// unique index is added either way (beside BetterAuth's constraint it is redundant but harmless).
// Its name is not one BetterAuth gives an index, so that IF NOT EXISTS never takes a plain index of
// BetterAuth's for it.
constexpr const char* kMigration6 = R"sql(
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "username" text;
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "displayUsername" text;
CREATE UNIQUE INDEX IF NOT EXISTS "user_username_uidx" ON "user" ("username");
)sql";

// BetterAuth's passkey plugin (1.7): the passkey table of its users' WebAuthn credentials, with
// its plain indexes (no UNIQUE on "credentialID": a BetterAuth database may hold a credential id
// twice, and create_passkey() keeps new ones unique). The types are its generator's: "counter"
// integer (32 signed bits: the passkey service stores a counter beyond 2^31 - 1 as a negative one), "backedUp"
// boolean, "createdAt" timestamptz. A BetterAuth database that has the plugin has the table; one
// an older plugin made may lack an optional column, each added only if missing (NULL in them
// reads as none, store/row_readers.h).
constexpr const char* kMigration7 = R"sql(
CREATE TABLE IF NOT EXISTS "passkey" (
  "id" text not null primary key,
  "name" text,
  "publicKey" text not null,
  "userId" text not null references "user" ("id") on delete cascade,
  "credentialID" text not null,
  "counter" integer not null,
  "deviceType" text not null,
  "backedUp" boolean not null,
  "transports" text,
  "createdAt" timestamptz,
  "aaguid" text);
ALTER TABLE "passkey" ADD COLUMN IF NOT EXISTS "name" text;
ALTER TABLE "passkey" ADD COLUMN IF NOT EXISTS "transports" text;
ALTER TABLE "passkey" ADD COLUMN IF NOT EXISTS "createdAt" timestamptz;
ALTER TABLE "passkey" ADD COLUMN IF NOT EXISTS "aaguid" text;
CREATE INDEX IF NOT EXISTS "passkey_userId_idx" ON "passkey" ("userId");
CREATE INDEX IF NOT EXISTS "passkey_credentialID_idx" ON "passkey" ("credentialID");
)sql";

// BetterAuth's organization plugin (1.7, without teams): the organization, member and invitation
// tables with their indexes, as its generator writes them ("createdAt" timestamptz, with
// CURRENT_TIMESTAMP as the default of the invitation's only), and session."activeOrganizationId"
// (the organization a session works in; NULL: none). A BetterAuth database that has the plugin has
// all of them.
constexpr const char* kMigration8 = R"sql(
CREATE TABLE IF NOT EXISTS "organization" (
  "id" text not null primary key,
  "name" text not null,
  "slug" text not null unique,
  "logo" text,
  "createdAt" timestamptz not null,
  "metadata" text);
CREATE TABLE IF NOT EXISTS "member" (
  "id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade,
  "userId" text not null references "user" ("id") on delete cascade,
  "role" text not null,
  "createdAt" timestamptz not null);
CREATE TABLE IF NOT EXISTS "invitation" (
  "id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade,
  "email" text not null,
  "role" text,
  "status" text not null,
  "expiresAt" timestamptz not null,
  "createdAt" timestamptz default CURRENT_TIMESTAMP not null,
  "inviterId" text not null references "user" ("id") on delete cascade);
ALTER TABLE "session" ADD COLUMN IF NOT EXISTS "activeOrganizationId" text;
CREATE INDEX IF NOT EXISTS "member_organizationId_idx" ON "member" ("organizationId");
CREATE INDEX IF NOT EXISTS "member_userId_idx" ON "member" ("userId");
CREATE INDEX IF NOT EXISTS "invitation_organizationId_idx" ON "invitation" ("organizationId");
CREATE INDEX IF NOT EXISTS "invitation_email_idx" ON "invitation" ("email");
)sql";

// BetterAuth's API-key plugin (@better-auth/api-key 1.7): the apikey table with its plain indexes,
// as its generator writes them: its numbers integer (int4), its flags boolean, its instants
// timestamptz; no UNIQUE on "key" (create_api_key() keeps new hashes unique), no foreign key
// ("referenceId" is a user's id or, for the plugin's organization keys, an organization's), no
// defaults (the plugin writes every column). A BetterAuth database that has the plugin has the
// table. NULL in its optional columns reads as the plugin reads it (store/row_readers.h).
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
  "lastRefillAt" timestamptz,
  "enabled" boolean,
  "rateLimitEnabled" boolean,
  "rateLimitTimeWindow" integer,
  "rateLimitMax" integer,
  "requestCount" integer,
  "remaining" integer,
  "lastRequest" timestamptz,
  "expiresAt" timestamptz,
  "createdAt" timestamptz not null,
  "updatedAt" timestamptz not null,
  "permissions" text,
  "metadata" text);
CREATE INDEX IF NOT EXISTS "apikey_configId_idx" ON "apikey" ("configId");
CREATE INDEX IF NOT EXISTS "apikey_referenceId_idx" ON "apikey" ("referenceId");
CREATE INDEX IF NOT EXISTS "apikey_key_idx" ON "apikey" ("key");
)sql";

// Append a migration here (never edit an applied one); migrate() applies the missing ones in order.
constexpr Migration kMigrations[] = {
    {1, kMigration1},
    {2, kMigration2},
    {3, kMigration3},
    {4, kMigration4},
    {5, kMigration5},
    {6, kMigration6},
    {7, kMigration7},
    {8, kMigration8},
    {9, kMigration9},
};

// The advisory lock migrate() holds, so that replicas starting together migrate one at a time.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7306001)";

// --- column lists, shared by the queries and the row readers -----------------------------------

// An instant column, as whole milliseconds since the epoch.
#define PGS_MS(col) "floor(extract(epoch from " col ") * 1000)::int8"
#define PGS_USER_COLUMNS(p)                                                                              \
  p "\"id\", " p "\"name\", " p "\"email\", " p "\"emailVerified\", " p "\"image\", " PGS_MS(p "\"createdAt\"") \
    ", " PGS_MS(p "\"updatedAt\"") ", " p "\"twoFactorEnabled\", " p "\"role\", " p "\"banned\", " p            \
    "\"banReason\", " PGS_MS(p "\"banExpires\"") ", " p "\"username\", " p "\"displayUsername\""
#define PGS_SESSION_COLUMNS(p)                                                                             \
  p "\"id\", " p "\"token\", " p "\"userId\", " PGS_MS(p "\"expiresAt\"") ", " PGS_MS(p "\"createdAt\"") ", " \
    PGS_MS(p "\"updatedAt\"") ", " p "\"ipAddress\", " p "\"userAgent\", " p "\"impersonatedBy\", " p          \
    "\"activeOrganizationId\""
#define PGS_ACCOUNT_COLUMNS                                                                             \
  "\"id\", \"accountId\", \"providerId\", \"userId\", \"password\", " PGS_MS("\"createdAt\"") ", " \
  PGS_MS("\"updatedAt\"") ", \"scope\""
#define PGS_VERIFICATION_COLUMNS \
  "\"id\", \"identifier\", \"value\", " PGS_MS("\"expiresAt\"") ", " PGS_MS("\"createdAt\"") ", " PGS_MS("\"updatedAt\"")
#define PGS_TWO_FACTOR_COLUMNS                                                                     \
  "\"id\", \"userId\", \"secret\", \"backupCodes\", \"verified\", \"failedVerificationCount\", " \
  PGS_MS("\"lockedUntil\"")
#define PGS_JWK_COLUMNS                                                                               \
  "\"id\", \"publicKey\", \"privateKey\", " PGS_MS("\"createdAt\"") ", " PGS_MS("\"expiresAt\"") \
  ", \"alg\", \"crv\""

#define PGS_PASSKEY_COLUMNS                                                                           \
  "\"id\", \"name\", \"publicKey\", \"userId\", \"credentialID\", \"counter\", \"deviceType\", \"backedUp\", " \
  "\"transports\", " PGS_MS("\"createdAt\"") ", \"aaguid\""
#define PGS_ORGANIZATION_COLUMNS \
  "\"id\", \"name\", \"slug\", \"logo\", " PGS_MS("\"createdAt\"") ", \"metadata\""
#define PGS_MEMBER_COLUMNS(p) \
  p "\"id\", " p "\"organizationId\", " p "\"userId\", " p "\"role\", " PGS_MS(p "\"createdAt\"")
#define PGS_INVITATION_COLUMNS                                                                       \
  "\"id\", \"organizationId\", \"email\", \"role\", \"status\", " PGS_MS("\"expiresAt\"") ", " \
  PGS_MS("\"createdAt\"") ", \"inviterId\""
#define PGS_API_KEY_COLUMNS                                                                                         \
  "\"id\", \"configId\", \"name\", \"start\", \"referenceId\", \"prefix\", \"key\", \"refillInterval\", "           \
  "\"refillAmount\", " PGS_MS("\"lastRefillAt\"") ", \"enabled\", \"rateLimitEnabled\", \"rateLimitTimeWindow\", "  \
  "\"rateLimitMax\", \"requestCount\", \"remaining\", " PGS_MS("\"lastRequest\"") ", " PGS_MS("\"expiresAt\"") ", " \
  PGS_MS("\"createdAt\"") ", " PGS_MS("\"updatedAt\"") ", \"permissions\", \"metadata\""

// A result row as the shared readers (store/row_readers.h) read it.
struct PgRow {
  const Query& q;
  int row;
  std::string text(int col) const { return q.str(row, col); }
  std::optional<std::string> optional_text(int col) const { return q.optional_str(row, col); }
  bool is_null(int col) const { return q.is_null(row, col); }
  bool flag(int col) const { return q.boolean_at(row, col); }
  std::int64_t integer(int col, bool& bad) const { return q.int64_at(row, col, bad); }
  TimePoint time(int col, bool& bad) const { return q.time_at(row, col, bad); }
};

// Runs a query expected to return at most one row, which `read` (a store/row_readers.h reader,
// given the row and the flag it sets on an unreadable value) turns into a T.
template <class T, class Read>
Result<T> query_one(Query& q, std::string_view what, Read read) {
  if (Status s = q.run(); !s.ok()) return s;
  if (q.rows() == 0) return Status(ErrorCode::kNotFound);
  bool bad = false;
  T row = read(PgRow{q, 0}, bad);
  if (bad) return corrupt_row(what);
  return row;
}

// Runs a query of any number of rows, each read as query_one() reads one.
template <class T, class Read>
Result<std::vector<T>> query_all(Query& q, std::string_view what, Read read) {
  if (Status s = q.run(); !s.ok()) return s;
  std::vector<T> out;
  bool bad = false;
  for (int row = 0; row < q.rows(); ++row) out.push_back(read(PgRow{q, row}, bad));
  if (bad) return corrupt_row(what);
  return out;
}

Result<User> query_one_user(Query& q, std::string_view what) {
  return query_one<User>(q, what, [](const PgRow& r, bool& bad) { return rows::read_user(r, 0, bad); });
}

// Locks user `user_id`'s row until the caller's transaction on `c` ends: a concurrent writer that
// locks it too waits. NO KEY UPDATE, as an UPDATE of the user takes, so that new sessions of the
// user (which lock it KEY SHARE) do not wait. Errors: NOT_FOUND (no such user); the database's.
Status lock_user(Connection& c, std::string_view user_id, std::string_view what) {
  Query q(c, "SELECT 1 FROM \"user\" WHERE \"id\" = $1 FOR NO KEY UPDATE", what);
  q.text(user_id);
  if (Status s = q.run(); !s.ok()) return s;
  if (q.rows() == 0) return Status(ErrorCode::kNotFound);
  return Status::OK();
}

// Takes the transaction-scoped advisory lock on `value` (its hashtext()) in key space `space` (one
// per kind of value; migrate()'s lock is a one-key lock), until the caller's transaction on `c`
// ends: a concurrent writer of the same value waits here, then sees this one's row. A collision of
// hashtext() only serialises two writers.
Status lock_value(Connection& c, int space, std::string_view value, std::string_view what) {
  Query q(c, "SELECT pg_advisory_xact_lock($1::integer, hashtext($2))", what);
  q.text(std::to_string(space)).text(value);
  return q.run();
}

Result<Passkey> query_one_passkey(Query& q, std::string_view what) {
  return query_one<Passkey>(q, what, [](const PgRow& r, bool& bad) { return rows::read_passkey(r, bad); });
}

// Locks organization `id`'s row until the caller's transaction on `c` ends: every write that checks
// the organization's members or invitations (their number, its owners) locks it first, so that
// they run one at a time for an organization. NO KEY UPDATE, so that the inserts of other
// organizations' rows that refer to it (KEY SHARE) do not wait. Errors: NOT_FOUND (no such
// organization); the database's.
Status lock_organization(Connection& c, std::string_view id, std::string_view what) {
  Query q(c, "SELECT 1 FROM \"organization\" WHERE \"id\" = $1 FOR NO KEY UPDATE", what);
  q.text(id);
  if (Status s = q.run(); !s.ok()) return s;
  if (q.rows() == 0) return Status(ErrorCode::kNotFound);
  return Status::OK();
}

Result<Organization> query_one_organization(Query& q, std::string_view what) {
  return query_one<Organization>(q, what, [](const PgRow& r, bool& bad) { return rows::read_organization(r, bad); });
}

Result<Member> query_one_member(Query& q, std::string_view what) {
  return query_one<Member>(q, what, [](const PgRow& r, bool& bad) { return rows::read_member(r, 0, bad); });
}

Result<Invitation> query_one_invitation(Query& q, std::string_view what) {
  return query_one<Invitation>(q, what, [](const PgRow& r, bool& bad) { return rows::read_invitation(r, bad); });
}

Result<std::vector<Invitation>> query_invitations(Query& q, std::string_view what) {
  return query_all<Invitation>(q, what, [](const PgRow& r, bool& bad) { return rows::read_invitation(r, bad); });
}

Result<ApiKey> query_one_api_key(Query& q, std::string_view what) {
  return query_one<ApiKey>(q, what, [](const PgRow& r, bool& bad) { return rows::read_api_key(r, bad); });
}

// An API-key field as list_api_keys() sorts it, with where its NULLs go: a fixed expression of this
// file. NULLs sort as SQLite sorts them (first ascending, last descending: PostgreSQL's default is
// the other way); a NULL "enabled" is true and a NULL "requestCount" 0, as the rows read; text in
// byte order (COLLATE "C"), as SQLite compares it, whatever the database's collation.
std::string api_key_order_sql(const ApiKeyOrder& order) {
  const char* field = "\"createdAt\"";
  switch (order.field) {
    case ApiKeyField::kCreatedAt:
      field = "\"createdAt\"";
      break;
    case ApiKeyField::kUpdatedAt:
      field = "\"updatedAt\"";
      break;
    case ApiKeyField::kName:
      field = "\"name\" COLLATE \"C\"";
      break;
    case ApiKeyField::kExpiresAt:
      field = "\"expiresAt\"";
      break;
    case ApiKeyField::kLastRequest:
      field = "\"lastRequest\"";
      break;
    case ApiKeyField::kEnabled:
      field = "coalesce(\"enabled\", true)";
      break;
    case ApiKeyField::kRemaining:
      field = "\"remaining\"";
      break;
    case ApiKeyField::kRequestCount:
      field = "coalesce(\"requestCount\", 0)";
      break;
  }
  std::string sql = " ORDER BY ";
  sql.append(field);
  sql.append(order.descending ? " DESC NULLS LAST" : " ASC NULLS FIRST");
  sql.append(", \"id\" COLLATE \"C\" ASC");
  return sql;
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

// Reads the organization's members' roles (on `c`, inside the caller's transaction, which has
// locked the organization).
Result<OwnerCount> count_owners(Connection& c, std::string_view organization_id, std::string_view member_id,
                                std::string_view owner_role, std::string_view what) {
  Query q(c, "SELECT \"id\", \"userId\", \"role\" FROM \"member\" WHERE \"organizationId\" = $1", what);
  q.text(organization_id);
  if (Status s = q.run(); !s.ok()) return s;
  OwnerCount count;
  for (int row = 0; row < q.rows(); ++row) {
    const bool owner = has_role(q.str(row, 2), owner_role);
    if (owner) ++count.owners;
    if (q.str(row, 0) == member_id) count.member = OwnerCount::Target{q.str(row, 1), owner};
  }
  return count;
}

// --- query_users(): the SQL composed from a UserQuery -------------------------------------------

// A user field as query_users() compares and sorts it: a fixed expression of this file, never the
// caller's text. A NULL role is "user", a NULL "banned" false.
const char* user_field_sql(UserField field) {
  switch (field) {
    case UserField::kId:
      return "\"id\"";
    case UserField::kName:
      return "\"name\"";
    case UserField::kEmail:
      return "\"email\"";
    case UserField::kEmailVerified:
      return "\"emailVerified\"";
    case UserField::kRole:
      return "coalesce(\"role\", 'user')";
    case UserField::kBanned:
      return "coalesce(\"banned\", false)";
    case UserField::kCreatedAt:
      return "\"createdAt\"";
    case UserField::kUpdatedAt:
      return "\"updatedAt\"";
  }
  return "\"id\"";
}

// The WHERE clause of a query_users() (empty if it has none), its values as parameters $1...
// The query must be one rows::user_query_problem() accepts.
struct UserWhere {
  std::string sql;
  std::vector<std::string> values;  // bound in order; booleans as "true" or "false"

  explicit UserWhere(const UserQuery& q) {
    if (q.search) {
      values.emplace_back(rows::like_pattern(*q.search, q.search_match));
      sql += std::string(" WHERE lower(") + user_field_sql(q.search_field) + ") LIKE lower($" +
             std::to_string(values.size()) + "::text) ESCAPE '\\'";
    }
    if (q.filter_value && q.filter_match) {
      values.emplace_back(rows::like_pattern(*q.filter_value, *q.filter_match));
      sql += sql.empty() ? " WHERE " : " AND ";
      sql += std::string("lower(") + user_field_sql(q.filter_field) + ") LIKE lower($" +
             std::to_string(values.size()) + "::text) ESCAPE '\\'";
    } else if (q.filter_value) {
      const bool flag = q.filter_field == UserField::kEmailVerified || q.filter_field == UserField::kBanned;
      values.emplace_back(flag ? (*rows::filter_flag(*q.filter_value) ? "true" : "false") : *q.filter_value);
      sql += sql.empty() ? " WHERE " : " AND ";
      sql += user_field_sql(q.filter_field);
      sql += q.filter_negate ? " <> $" : " = $";
      sql += std::to_string(values.size());
      sql += flag ? "::boolean" : "::text";
    }
  }

  void bind(Query& q) const {
    for (const std::string& v : values) q.text(v);
  }
};

// --- opening -----------------------------------------------------------------------------------

// libpq settings that come before the URL, which may set them otherwise: a server that does not
// answer fails a connection (or a reconnection, PQreset) within 10 s instead of the system's TCP
// timeout of minutes; a connection that stays idle (the listener's) is probed after 30 s of
// silence, so a network that drops it silently is noticed within a minute.
constexpr const char* kConnectKeys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
                                        "keepalives_count", "dbname", nullptr};

// The values for kConnectKeys, `url` last (libpq expands it; what it sets overrides the defaults).
std::array<const char*, 6> connect_values(const std::string& url) {
  return {"10", "30", "10", "3", url.c_str(), nullptr};
}

// Starts a connection (without waiting for it).
ConnHandle start_connection(const ConnectSpec& spec) {
  const auto values = connect_values(spec.url);
  return ConnHandle(PQconnectStartParams(kConnectKeys, values.data(), 1));
}

// PostgreSQL's notices ("relation ... already exists, skipping" when migrate() finds BetterAuth's
// tables) are not errors; libpq would print them on stderr.
void ignore_notices(PGconn* conn) {
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
}

Result<ConnHandle> connect(const ConnectSpec& spec) {
  const auto values = connect_values(spec.url);
  ConnHandle conn(PQconnectdbParams(kConnectKeys, values.data(), 1));
  if (conn == nullptr) return internal_error("connect", "out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) return internal_error("connect", first_line(PQerrorMessage(conn.get())));
  ignore_notices(conn.get());
  ResultHandle r(PQexec(conn.get(), spec.setup.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return error_from_result(r.get(), conn.get(), "connect");
  return conn;
}

// --- change notices ----------------------------------------------------------------------------

// A thread that LISTENs (kListen) on a connection of its own and calls the callback with the
// user id of every notice, and with an empty one after each (re)connection. It reconnects after a
// second when the connection drops. Destroying it stops the thread, even in the middle of
// connecting. Without an eventfd to stop it by (the process is out of descriptors), it does not
// start (running() is false).
class ChangeListener {
 public:
  explicit ChangeListener(const ConnectSpec& spec) : spec_(spec), stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (stop_fd_ >= 0) thread_ = std::thread([this] { run(); });
  }
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;
  ~ChangeListener() {
    if (stop_fd_ < 0) return;
    const std::uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
    close(stop_fd_);
  }

  bool running() const { return thread_.joinable(); }

  void set_callback(std::function<void(std::string_view)> callback) {
    std::lock_guard lock(callback_mu_);
    callback_ = std::move(callback);
  }

 private:
  // `user_id`: whose sessions or profile changed; empty: anything may have.
  void notify(std::string_view user_id) {
    std::lock_guard lock(callback_mu_);  // held while it runs: set_callback() waits for it
    if (callback_) callback_(user_id);
  }

  // Waits until `fd` is ready for `events` or the stop signal (or `timeout_ms` passes, -1: no
  // limit). Returns false once stopping.
  bool wait(int fd, short events, int timeout_ms) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {fd, events, 0}};
    for (;;) {
      const int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      return n >= 0 && (fds[0].revents & POLLIN) == 0;
    }
  }

  // Connects without blocking the stop signal; null if stopping or the connection failed.
  ConnHandle connect_listening() {
    ConnHandle conn = start_connection(spec_);
    if (conn == nullptr || PQstatus(conn.get()) == CONNECTION_BAD) return nullptr;
    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (state != PGRES_POLLING_OK) {
      if (state == PGRES_POLLING_FAILED) return nullptr;
      if (!wait(PQsocket(conn.get()), state == PGRES_POLLING_READING ? POLLIN : POLLOUT, -1)) return nullptr;
      state = PQconnectPoll(conn.get());
    }
    ignore_notices(conn.get());
    std::string sql = spec_.setup + "; " + kListen;
    ResultHandle r(PQexec(conn.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return nullptr;
    return conn;
  }

  void run() {
    for (;;) {
      ConnHandle conn = connect_listening();
      if (conn != nullptr) {
        notify({});  // whatever happened while it was not listening
        while (PQsocket(conn.get()) >= 0 && wait(PQsocket(conn.get()), POLLIN, -1)) {
          if (PQconsumeInput(conn.get()) == 0) break;  // the connection dropped
          while (PGnotify* n = PQnotifies(conn.get())) {
            const std::string user_id = n->extra != nullptr ? n->extra : "";
            PQfreemem(n);
            notify(user_id);
          }
        }
      }
      if (!wait(-1, 0, 1000)) return;  // stopping; else retry in a second
    }
  }

  const ConnectSpec& spec_;
  const int stop_fd_;
  std::mutex callback_mu_;
  std::function<void(std::string_view)> callback_;
  std::thread thread_;
};

// --- the store ---------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(ConnectSpec spec) : spec_(std::move(spec)) {}

  const ConnectSpec& spec() const { return spec_; }
  ConnectionPool<Connection>& pool() { return pool_; }

  Status migrate() override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    for (const Migration& m : kMigrations) {
      Transaction tx(c);
      if (Status s = tx.begin("migrate"); !s.ok()) return s;
      if (Status s = c.exec(kMigrationLock, "migrate"); !s.ok()) return s;
      if (Status s = c.exec("CREATE TABLE IF NOT EXISTS \"portcullis_migrations\" ("
                            "\"version\" integer primary key, \"appliedAt\" timestamptz not null)",
                            "migrate");
          !s.ok()) {
        return s;
      }
      {
        Query q(c, "SELECT 1 FROM \"portcullis_migrations\" WHERE \"version\" = $1", "migrate");
        q.integer(m.version);
        if (Status s = q.run(); !s.ok()) return s;
        if (q.rows() > 0) continue;  // applied already; the transaction rolls back (no change)
      }
      if (Status s = c.exec(m.sql, "migrate"); !s.ok()) return s;
      {
        Query q(c, "INSERT INTO \"portcullis_migrations\" (\"version\", \"appliedAt\") VALUES ($1, $2::timestamptz)",
                "migrate");
        q.integer(m.version).time(now_ms());
        if (Status s = q.run(); !s.ok()) return s;
      }
      if (Status s = tx.commit("migrate"); !s.ok()) return s;
    }
    return Status::OK();
  }

  Result<int> schema_version() override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    {
      Query q(c, "SELECT to_regclass('portcullis_migrations') IS NOT NULL", "schema_version");
      if (Status s = q.run(); !s.ok()) return s;
      if (!q.boolean_at(0, 0)) return 0;
    }
    Query q(c, "SELECT coalesce(max(\"version\"), 0) FROM \"portcullis_migrations\"", "schema_version");
    if (Status s = q.run(); !s.ok()) return s;
    bool bad = false;
    const std::int64_t v = q.int64_at(0, 0, bad);
    if (bad) return corrupt_row("schema_version");
    return static_cast<int>(v);
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
    Query q(*lease, "SELECT " PGS_USER_COLUMNS("") " FROM \"user\" WHERE \"id\" = $1", "find_user_by_id");
    q.text(id);
    return query_one_user(q, "find_user_by_id");
  }

  Result<User> find_user_by_email(std::string_view email) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_USER_COLUMNS("") " FROM \"user\" WHERE \"email\" = $1",
            "find_user_by_email");
    q.text(email);
    return query_one_user(q, "find_user_by_email");
  }

  Result<User> find_user_by_username(std::string_view username) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_USER_COLUMNS("") " FROM \"user\" WHERE \"username\" = $1",
            "find_user_by_username");
    q.text(username);
    return query_one_user(q, "find_user_by_username");
  }

  Result<std::vector<User>> list_users(std::size_t limit, std::size_t offset) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_USER_COLUMNS("") " FROM \"user\" ORDER BY \"createdAt\", \"id\" LIMIT $1 OFFSET $2",
            "list_users");
    q.integer(clamp_to_int64(limit)).integer(clamp_to_int64(offset));
    if (Status s = q.run(); !s.ok()) return s;
    std::vector<User> users;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) users.push_back(rows::read_user(PgRow{q, row}, 0, bad));
    if (bad) return corrupt_row("list_users");
    return users;
  }

  Result<UserPage> query_users(const UserQuery& query) override {
    constexpr std::string_view kWhat = "query_users";
    if (const char* problem = rows::user_query_problem(query)) return internal_error(kWhat, problem);
    const UserWhere where(query);
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // one snapshot: the count and the page see the same rows
    if (Status s = tx.begin_snapshot(kWhat); !s.ok()) return s;
    UserPage page;
    {
      Query q(c, Composed{"SELECT count(*) FROM \"user\"" + where.sql}, kWhat);
      where.bind(q);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      page.total = static_cast<std::size_t>(q.int64_at(0, 0, bad));
      if (bad) return corrupt_row(kWhat);
    }
    {
      Query q(c,
              Composed{"SELECT " PGS_USER_COLUMNS("") " FROM \"user\"" + where.sql +
                       rows::user_order_sql(query, user_field_sql) + " LIMIT $" +
                       std::to_string(where.values.size() + 1) + "::int8 OFFSET $" +
                       std::to_string(where.values.size() + 2) + "::int8"},
              kWhat);
      where.bind(q);
      q.integer(clamp_to_int64(query.limit)).integer(clamp_to_int64(query.offset));
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      for (int row = 0; row < q.rows(); ++row) page.users.push_back(rows::read_user(PgRow{q, row}, 0, bad));
      if (bad) return corrupt_row(kWhat);
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return page;
  }

  Status set_role(std::string_view user_id, const std::optional<std::string>& role, TimePoint now) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    // The user changed: every replica's session cache hears of it when this commits.
    Query q(c,
            "WITH w AS (UPDATE \"user\" SET \"role\" = $1, \"updatedAt\" = $2::timestamptz WHERE \"id\" = $3 "
            "RETURNING \"id\") " PGS_NOTIFY_FROM("w", "\"id\""),
            "set_role");
    q.optional_text(role).time(now).text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status update_user(const User& user) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (UPDATE \"user\" SET \"name\" = $1, \"email\" = $2, \"emailVerified\" = $3, "
            "\"image\" = $4, \"updatedAt\" = $5::timestamptz, \"username\" = $6, \"displayUsername\" = $7 "
            "WHERE \"id\" = $8 RETURNING \"id\") " PGS_NOTIFY_FROM("w", "\"id\""),
            "update_user");
    q.text(user.name).text(user.email).boolean(user.email_verified).optional_text(user.image).time(user.updated_at);
    q.optional_text(user.username).optional_text(user.display_username);
    q.text(user.id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_user(std::string_view id) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("delete_user"); !s.ok()) return s;
    // The user's row is locked first, as put_two_factor() and set_two_factor_enabled() lock it
    // before the user's twoFactor rows: taken in the other order, the locks could deadlock.
    {
      Query q(c, "SELECT 1 FROM \"user\" WHERE \"id\" = $1 FOR UPDATE", "delete_user");
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    }
    // Explicit deletes as well as the cascades, for databases whose tables lack ON DELETE CASCADE.
    for (const char* sql : {"DELETE FROM \"session\" WHERE \"userId\" = $1",
                            "DELETE FROM \"account\" WHERE \"userId\" = $1",
                            "DELETE FROM \"twoFactor\" WHERE \"userId\" = $1",
                            "DELETE FROM \"passkey\" WHERE \"userId\" = $1",
                            "DELETE FROM \"member\" WHERE \"userId\" = $1",
                            "DELETE FROM \"invitation\" WHERE \"inviterId\" = $1",
                            "DELETE FROM \"apikey\" WHERE \"referenceId\" = $1"}) {
      Query q(c, sql, "delete_user");
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    {
      Query q(c, "DELETE FROM \"verification\" WHERE \"value\" = $1 OR strpos(\"value\", $2) > 0", "delete_user");
      q.text(id).text(rows::user_id_in_json(id));
      if (Status s = q.run(); !s.ok()) return s;
    }
    {
      Query q(c, "DELETE FROM \"user\" WHERE \"id\" = $1", "delete_user");
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.affected() == 0) return Status(ErrorCode::kNotFound);  // rolls back (nothing was deleted)
    }
    {
      Query q(c, kAnnounce, "delete_user");  // sent with the COMMIT
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
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
      // The user changed and lost its sessions: every replica's session cache hears of it.
      Query q(c,
              "WITH w AS (UPDATE \"user\" SET \"emailVerified\" = true, \"updatedAt\" = $1::timestamptz "
              "WHERE \"id\" = $2 AND NOT \"emailVerified\" RETURNING \"id\") " PGS_NOTIFY_FROM("w", "\"id\""),
              kWhat);
      q.time(now).text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) {
        Query exists(c, "SELECT 1 FROM \"user\" WHERE \"id\" = $1", kWhat);
        exists.text(user_id);
        if (Status s = exists.run(); !s.ok()) return s;
        if (exists.rows() == 0) return Status(ErrorCode::kNotFound);
        return false;
      }
    }
    for (const char* sql : {"DELETE FROM \"account\" WHERE \"userId\" = $1",
                            "DELETE FROM \"passkey\" WHERE \"userId\" = $1",
                            "DELETE FROM \"session\" WHERE \"userId\" = $1"}) {
      Query q(c, sql, kWhat);
      q.text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }
  Result<Account> find_credential_account(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_ACCOUNT_COLUMNS " FROM \"account\" WHERE \"userId\" = $1 AND \"providerId\" = $2 "
            "ORDER BY \"createdAt\", \"id\" LIMIT 1",
            "find_credential_account");
    q.text(user_id).text(kCredentialProvider);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    Account a = rows::read_account(PgRow{q, 0}, bad);
    if (bad) return corrupt_row("find_credential_account");
    return a;
  }

  Result<std::vector<Account>> list_accounts(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_ACCOUNT_COLUMNS " FROM \"account\" WHERE \"userId\" = $1 ORDER BY \"createdAt\", \"id\"",
            "list_accounts");
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    std::vector<Account> accounts;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) accounts.push_back(rows::read_account(PgRow{q, row}, bad));
    if (bad) return corrupt_row("list_accounts");
    return accounts;
  }

  Status unlink_account(std::string_view user_id, std::string_view account_row_id) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("unlink_account"); !s.ok()) return s;
    // The user's accounts, locked: a concurrent unlink waits here, then sees this one's delete.
    std::size_t accounts = 0;
    bool found = false;
    {
      Query q(c, "SELECT \"id\" FROM \"account\" WHERE \"userId\" = $1 FOR UPDATE", "unlink_account");
      q.text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
      accounts = static_cast<std::size_t>(q.rows());
      for (int row = 0; row < q.rows(); ++row) found = found || q.str(row, 0) == account_row_id;
    }
    if (!found) return Status(ErrorCode::kAccountNotFound);
    if (accounts < 2) return Status(ErrorCode::kFailedToUnlinkLastAccount);
    {
      Query q(c, "DELETE FROM \"account\" WHERE \"id\" = $1 AND \"userId\" = $2", "unlink_account");
      q.text(account_row_id).text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
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
    Query q(*lease, "UPDATE \"account\" SET \"password\" = $1, \"updatedAt\" = $2::timestamptz WHERE \"id\" = $3",
            "set_account_password");
    q.text(password_hash).time(now).text(account_row_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status upgrade_account_password(std::string_view account_row_id, std::string_view expected_hash,
                                  std::string_view new_hash, TimePoint now) override {
    auto lease = pool_.acquire();
    // The comparison is in the WHERE clause, so the check and the write are one statement.
    Query q(*lease,
            "UPDATE \"account\" SET \"password\" = $1, \"updatedAt\" = $2::timestamptz "
            "WHERE \"id\" = $3 AND \"password\" = $4",
            "upgrade_account_password");
    q.text(new_hash).time(now).text(account_row_id).text(expected_hash);
    return internal_unless_ok(q.run(), "upgrade_account_password");
  }

  // --- second factor ---

  Result<TwoFactor> find_two_factor(std::string_view user_id) override {
    auto lease = pool_.acquire();
    // One row per user; should a BetterAuth database hold more, the same one is read every time.
    Query q(*lease,
            "SELECT " PGS_TWO_FACTOR_COLUMNS " FROM \"twoFactor\" WHERE \"userId\" = $1 ORDER BY \"id\" LIMIT 1",
            "find_two_factor");
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    TwoFactor t = rows::read_two_factor(PgRow{q, 0}, bad);
    if (bad) return corrupt_row("find_two_factor");
    return t;
  }

  Status put_two_factor(const TwoFactor& row) override {
    constexpr std::string_view kWhat = "put_two_factor";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The user's row, locked: a concurrent put for the same user waits here, then finds the row
    // this one wrote (two inserts would leave the user two rows).
    if (Status s = lock_user(c, row.user_id, kWhat); !s.ok()) return s;
    std::optional<std::string> kept;  // the id of the row the user has (as find_two_factor picks it)
    {
      Query q(c,
              "UPDATE \"twoFactor\" SET \"secret\" = $1, \"backupCodes\" = $2, \"verified\" = $3, "
              "\"failedVerificationCount\" = 0, \"lockedUntil\" = NULL WHERE \"id\" = "
              "(SELECT \"id\" FROM \"twoFactor\" WHERE \"userId\" = $4 ORDER BY \"id\" LIMIT 1) RETURNING \"id\"",
              kWhat);
      q.text(row.secret).text(row.backup_codes).boolean(row.verified).text(row.user_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() > 0) kept = q.str(0, 0);
    }
    if (kept) {
      // The user's only row from now on.
      Query q(c, "DELETE FROM \"twoFactor\" WHERE \"userId\" = $1 AND \"id\" <> $2", kWhat);
      q.text(row.user_id).text(*kept);
      if (Status s = q.run(); !s.ok()) return s;
    } else {
      Query q(c,
              "INSERT INTO \"twoFactor\" (\"id\", \"userId\", \"secret\", \"backupCodes\", \"verified\", "
              "\"failedVerificationCount\", \"lockedUntil\") VALUES ($1, $2, $3, $4, $5, 0, NULL)",
              kWhat);
      q.text(row.id).text(row.user_id).text(row.secret).text(row.backup_codes).boolean(row.verified);
      if (Status s = q.run(); !s.ok()) return s;
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
      // The user changed: every replica's session cache hears of it when this commits.
      Query q(c,
              "WITH w AS (UPDATE \"user\" SET \"twoFactorEnabled\" = $1, \"updatedAt\" = $2::timestamptz "
              "WHERE \"id\" = $3 RETURNING \"id\") " PGS_NOTIFY_FROM("w", "\"id\""),
              kWhat);
      q.boolean(enabled).time(now).text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    }
    if (!enabled) {
      Query q(c, "DELETE FROM \"twoFactor\" WHERE \"userId\" = $1", kWhat);
      q.text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Result<std::optional<Ban>> find_ban(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT \"banned\", \"banReason\", " PGS_MS("\"banExpires\"") " FROM \"user\" WHERE \"id\" = $1",
            "find_ban");
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    auto ban = rows::read_ban(PgRow{q, 0}, 0, bad);
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
      // The user changed: every replica's session cache hears of it when this commits.
      Query q(c,
              "WITH w AS (UPDATE \"user\" SET \"banned\" = $1, \"banReason\" = $2, \"banExpires\" = $3::timestamptz, "
              "\"updatedAt\" = $4::timestamptz WHERE \"id\" = $5 RETURNING \"id\") " PGS_NOTIFY_FROM("w", "\"id\""),
              kWhat);
      q.boolean(ban.has_value()).optional_text(ban ? ban->reason : std::nullopt);
      if (ban && ban->expires) {
        q.time(*ban->expires);
      } else {
        q.optional_text(std::nullopt);
      }
      q.time(now).text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    }
    if (ban) {
      Query q(c, "DELETE FROM \"session\" WHERE \"userId\" = $1", kWhat);
      q.text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status mark_two_factor_verified(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "UPDATE \"twoFactor\" SET \"verified\" = true WHERE \"id\" = $1", "mark_two_factor_verified");
    q.text(id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Result<bool> replace_backup_codes(std::string_view id, std::string_view expected,
                                    std::string_view updated) override {
    auto lease = pool_.acquire();
    // The comparison is in the WHERE clause: of two requests spending the same code, the second
    // waits for the first's row lock, then finds the codes changed and writes nothing. (Run
    // again after a dropped connection, it cannot apply twice either.)
    Query q(*lease, "UPDATE \"twoFactor\" SET \"backupCodes\" = $1 WHERE \"id\" = $2 AND \"backupCodes\" = $3",
            "replace_backup_codes");
    q.text(updated).text(id).text(expected);
    if (Status s = q.run(); !s.ok()) return s;
    return q.affected() > 0;
  }

  Result<std::int64_t> record_two_factor_failure(std::string_view id, std::int64_t max_failures,
                                                 TimePoint lock_until) override {
    constexpr std::string_view kWhat = "record_two_factor_failure";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    // In a transaction only so that a dropped connection does not run the increment a second
    // time (Connection::may_retry()): the UPDATE alone is atomic. Concurrent failures wait for
    // each other's row lock and each adds one; in SET, the columns hold their values from before
    // the UPDATE. As BetterAuth does, every failure from the max_failures-th on (re)sets the lock.
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    std::int64_t count = 0;
    {
      Query q(c,
              "UPDATE \"twoFactor\" SET \"failedVerificationCount\" = coalesce(\"failedVerificationCount\", 0) + 1, "
              "\"lockedUntil\" = CASE WHEN coalesce(\"failedVerificationCount\", 0) + 1 >= $2::int8 "
              "THEN $3::timestamptz ELSE \"lockedUntil\" END WHERE \"id\" = $1 RETURNING \"failedVerificationCount\"",
              kWhat);
      q.text(id).integer(max_failures).time(lock_until);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
      bool bad = false;
      count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(kWhat);
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return count;
  }

  Status reset_two_factor_failures(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "UPDATE \"twoFactor\" SET \"failedVerificationCount\" = 0, \"lockedUntil\" = NULL WHERE \"id\" = $1",
            "reset_two_factor_failures");
    q.text(id);
    return q.run();
  }

  // --- signing keys ---

  Result<std::vector<Jwk>> list_jwks() override {
    constexpr std::string_view kWhat = "list_jwks";
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_JWK_COLUMNS " FROM \"jwks\" ORDER BY \"createdAt\", \"id\"", kWhat);
    if (Status s = q.run(); !s.ok()) return internal_unless_ok(s, kWhat);
    std::vector<Jwk> keys;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) keys.push_back(rows::read_jwk(PgRow{q, row}, bad));
    if (bad) return corrupt_row(kWhat);
    return keys;
  }

  Status create_jwk(const Jwk& key) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "INSERT INTO \"jwks\" (\"id\", \"publicKey\", \"privateKey\", \"createdAt\", \"expiresAt\", \"alg\", "
            "\"crv\") VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, $7)",
            "create_jwk");
    q.text(key.id).text(key.public_key).text(key.private_key).time(key.created_at);
    if (key.expires_at) {
      q.time(*key.expires_at);
    } else {
      q.optional_text(std::nullopt);
    }
    q.optional_text(key.alg).optional_text(key.crv);
    return q.run();
  }

  // --- passkeys ---

  Result<bool> create_passkey(const Passkey& passkey, std::size_t max_per_user) override {
    constexpr std::string_view kWhat = "create_passkey";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The user's row, locked: a concurrent creation for the same user waits here, then counts the
    // passkey this one inserted (delete_user() locks it first too).
    if (Status s = lock_user(c, passkey.user_id, kWhat); !s.ok()) return s;
    // The credential id, locked: a concurrent creation of the same credential id for another user
    // waits here, then finds this one's row.
    if (Status s = lock_value(c, 7306007, passkey.credential_id, kWhat); !s.ok()) return s;
    {
      Query q(c, "SELECT 1 FROM \"passkey\" WHERE \"credentialID\" = $1 LIMIT 1", kWhat);
      q.text(passkey.credential_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() > 0) return Status(ErrorCode::kUserAlreadyExists);
    }
    {
      Query q(c, "SELECT count(*) FROM \"passkey\" WHERE \"userId\" = $1", kWhat);
      q.text(passkey.user_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      const std::int64_t count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(kWhat);
      if (count >= clamp_to_int64(max_per_user)) return false;  // rolls back (nothing was written)
    }
    {
      Query q(c,
              "INSERT INTO \"passkey\" (\"id\", \"name\", \"publicKey\", \"userId\", \"credentialID\", "
              "\"counter\", \"deviceType\", \"backedUp\", \"transports\", \"createdAt\", \"aaguid\") "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamptz, $11)",
              kWhat);
      q.text(passkey.id).optional_text(passkey.name).text(passkey.public_key).text(passkey.user_id);
      q.text(passkey.credential_id).integer(passkey.counter).text(passkey.device_type).boolean(passkey.backed_up);
      q.optional_text(passkey.transports);
      if (passkey.created_at) {
        q.time(*passkey.created_at);
      } else {
        q.optional_text(std::nullopt);
      }
      q.optional_text(passkey.aaguid);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<std::vector<Passkey>> list_passkeys(std::string_view user_id) override {
    constexpr std::string_view kWhat = "list_passkeys";
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_PASSKEY_COLUMNS
            " FROM \"passkey\" WHERE \"userId\" = $1 ORDER BY \"createdAt\" NULLS FIRST, \"id\"",
            kWhat);
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    std::vector<Passkey> passkeys;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) passkeys.push_back(rows::read_passkey(PgRow{q, row}, bad));
    if (bad) return corrupt_row(kWhat);
    return passkeys;
  }

  Result<Passkey> find_passkey(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_PASSKEY_COLUMNS " FROM \"passkey\" WHERE \"id\" = $1", "find_passkey");
    q.text(id);
    return query_one_passkey(q, "find_passkey");
  }

  Result<Passkey> find_passkey_by_credential_id(std::string_view credential_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_PASSKEY_COLUMNS
            " FROM \"passkey\" WHERE \"credentialID\" = $1 ORDER BY \"createdAt\" NULLS FIRST, \"id\" LIMIT 1",
            "find_passkey_by_credential_id");
    q.text(credential_id);
    return query_one_passkey(q, "find_passkey_by_credential_id");
  }

  Result<bool> update_passkey_counter(std::string_view id, std::int64_t expected, std::int64_t counter) override {
    auto lease = pool_.acquire();
    // The comparison is in the WHERE clause: of two sign-ins with the same assertion, the second
    // waits for the first's row lock, then finds the counter moved and writes nothing. (Run again
    // after a dropped connection, it cannot apply twice either.) $2 is compared as int8, so that
    // any value compares (on an integer column, one beyond its range matches nothing).
    Query q(*lease, "UPDATE \"passkey\" SET \"counter\" = $1 WHERE \"id\" = $2 AND \"counter\" = $3::int8",
            "update_passkey_counter");
    q.integer(counter).text(id).integer(expected);
    if (Status s = q.run(); !s.ok()) return s;
    return q.affected() > 0;
  }

  Status rename_passkey(std::string_view id, std::string_view user_id, std::string_view name) override {
    auto lease = pool_.acquire();
    Query q(*lease, "UPDATE \"passkey\" SET \"name\" = $1 WHERE \"id\" = $2 AND \"userId\" = $3", "rename_passkey");
    q.text(name).text(id).text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_passkey(std::string_view id, std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "DELETE FROM \"passkey\" WHERE \"id\" = $1 AND \"userId\" = $2", "delete_passkey");
    q.text(id).text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  // --- organizations ---

  Result<bool> create_organization(const Organization& organization, const Member& creator,
                                   std::optional<std::size_t> limit) override {
    constexpr std::string_view kWhat = "create_organization";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The creator's row, locked: a concurrent creation (or add_member()) for the same user waits
    // here, then counts the membership this one inserted.
    if (Status s = lock_user(c, creator.user_id, kWhat); !s.ok()) return s;
    if (limit) {
      Query q(c, "SELECT count(*) FROM \"member\" WHERE \"userId\" = $1", kWhat);
      q.text(creator.user_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      const std::int64_t count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(kWhat);
      if (count >= clamp_to_int64(*limit)) return false;  // rolls back (nothing was written)
    }
    {
      Query q(c,
              "INSERT INTO \"organization\" (\"id\", \"name\", \"slug\", \"logo\", \"createdAt\", \"metadata\") "
              "VALUES ($1, $2, $3, $4, $5::timestamptz, $6)",
              kWhat);
      q.text(organization.id).text(organization.name).text(organization.slug).optional_text(organization.logo);
      q.time(organization.created_at).optional_text(organization.metadata);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = insert_member(c, creator, kWhat); !s.ok()) return s;
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<Organization> find_organization(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_ORGANIZATION_COLUMNS " FROM \"organization\" WHERE \"id\" = $1",
            "find_organization");
    q.text(id);
    return query_one_organization(q, "find_organization");
  }

  Result<Organization> find_organization_by_slug(std::string_view slug) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_ORGANIZATION_COLUMNS " FROM \"organization\" WHERE \"slug\" = $1",
            "find_organization_by_slug");
    q.text(slug);
    return query_one_organization(q, "find_organization_by_slug");
  }

  Status update_organization(const Organization& organization) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "UPDATE \"organization\" SET \"name\" = $1, \"slug\" = $2, \"logo\" = $3, \"metadata\" = $4 "
            "WHERE \"id\" = $5",
            "update_organization");
    q.text(organization.name).text(organization.slug).optional_text(organization.logo);
    q.optional_text(organization.metadata).text(organization.id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_organization(std::string_view id) override {
    constexpr std::string_view kWhat = "delete_organization";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The organization's row, locked first, as every write that checks its members or
    // invitations locks it: those wait, then find it gone.
    {
      Query q(c, "SELECT 1 FROM \"organization\" WHERE \"id\" = $1 FOR UPDATE", kWhat);
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    }
    {
      // The sessions changed: every replica's session cache hears of their users when this
      // commits (one notice per user).
      Query q(c,
              "WITH w AS (UPDATE \"session\" SET \"activeOrganizationId\" = NULL WHERE \"activeOrganizationId\" = $1 "
              "RETURNING \"userId\") " PGS_NOTIFY_FROM("w", "\"userId\""),
              kWhat);
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    // Explicit deletes as well as the cascades, for databases whose tables lack ON DELETE CASCADE
    // (members before invitations, as delete_user() takes them).
    for (const char* sql : {"DELETE FROM \"member\" WHERE \"organizationId\" = $1",
                            "DELETE FROM \"invitation\" WHERE \"organizationId\" = $1",
                            "DELETE FROM \"organization\" WHERE \"id\" = $1"}) {
      Query q(c, sql, kWhat);
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Result<std::vector<Organization>> list_user_organizations(std::string_view user_id) override {
    constexpr std::string_view kWhat = "list_user_organizations";
    auto lease = pool_.acquire();
    // IN, not a join: a BetterAuth database may hold a membership twice.
    Query q(*lease,
            "SELECT " PGS_ORGANIZATION_COLUMNS " FROM \"organization\" WHERE \"id\" IN "
            "(SELECT \"organizationId\" FROM \"member\" WHERE \"userId\" = $1) ORDER BY \"createdAt\", \"id\"",
            kWhat);
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    std::vector<Organization> organizations;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) organizations.push_back(rows::read_organization(PgRow{q, row}, bad));
    if (bad) return corrupt_row(kWhat);
    return organizations;
  }

  Result<Member> find_member(std::string_view organization_id, std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_MEMBER_COLUMNS("") " FROM \"member\" WHERE \"organizationId\" = $1 AND \"userId\" = $2 "
            "ORDER BY \"createdAt\", \"id\" LIMIT 1",
            "find_member");
    q.text(organization_id).text(user_id);
    return query_one_member(q, "find_member");
  }

  Result<Member> find_member_by_id(std::string_view organization_id, std::string_view member_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_MEMBER_COLUMNS("") " FROM \"member\" WHERE \"id\" = $1 AND \"organizationId\" = $2",
            "find_member_by_id");
    q.text(member_id).text(organization_id);
    return query_one_member(q, "find_member_by_id");
  }

  Result<MemberPage> list_members(std::string_view organization_id, std::size_t limit, std::size_t offset) override {
    constexpr std::string_view kWhat = "list_members";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // one snapshot: the count and the page see the same rows
    if (Status s = tx.begin_snapshot(kWhat); !s.ok()) return s;
    MemberPage page;
    // The count joins the users as the page does, so that a member whose user is gone (a table
    // without the cascade) is in neither.
    {
      Query q(c,
              "SELECT count(*) FROM \"member\" AS m JOIN \"user\" AS u ON u.\"id\" = m.\"userId\" "
              "WHERE m.\"organizationId\" = $1",
              kWhat);
      q.text(organization_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      page.total = static_cast<std::size_t>(q.int64_at(0, 0, bad));
      if (bad) return corrupt_row(kWhat);
    }
    {
      Query q(c,
              "SELECT " PGS_MEMBER_COLUMNS("m.") ", " PGS_USER_COLUMNS("u.")
              " FROM \"member\" AS m JOIN \"user\" AS u ON u.\"id\" = m.\"userId\" WHERE m.\"organizationId\" = $1 "
              "ORDER BY m.\"createdAt\", m.\"id\" LIMIT $2 OFFSET $3",
              kWhat);
      q.text(organization_id).integer(clamp_to_int64(limit)).integer(clamp_to_int64(offset));
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      for (int row = 0; row < q.rows(); ++row) {
        page.members.push_back(MemberWithUser{rows::read_member(PgRow{q, row}, 0, bad),
                                              rows::read_user(PgRow{q, row}, rows::kMemberColumns, bad)});
      }
      if (bad) return corrupt_row(kWhat);
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return page;
  }

  Status add_member(const Member& member, std::size_t limit) override {
    constexpr std::string_view kWhat = "add_member";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    if (Status s = add_member_checked(c, member, limit, kWhat); !s.ok()) return s;
    return tx.commit(kWhat);
  }

  Status update_member_role(std::string_view organization_id, std::string_view member_id, std::string_view role,
                            std::string_view owner_role) override {
    constexpr std::string_view kWhat = "update_member_role";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The organization, locked: of two demotions of its last two owners, the second waits here,
    // then counts one owner.
    if (Status s = lock_organization(c, organization_id, kWhat); !s.ok()) return s;
    auto owners = count_owners(c, organization_id, member_id, owner_role, kWhat);
    if (!owners.ok()) return owners.status();
    if (!owners->member) return Status(ErrorCode::kNotFound);
    if (owners->member->is_owner && owners->owners < 2 && !has_role(role, owner_role)) {
      return Status(ErrorCode::kCannotLeaveWithoutOwner);
    }
    {
      Query q(c, "UPDATE \"member\" SET \"role\" = $1 WHERE \"id\" = $2 AND \"organizationId\" = $3", kWhat);
      q.text(role).text(member_id).text(organization_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status remove_member(std::string_view organization_id, std::string_view member_id,
                       std::string_view owner_role) override {
    constexpr std::string_view kWhat = "remove_member";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The organization, locked: of two removals of its last two owners, the second waits here,
    // then counts one owner.
    if (Status s = lock_organization(c, organization_id, kWhat); !s.ok()) return s;
    auto owners = count_owners(c, organization_id, member_id, owner_role, kWhat);
    if (!owners.ok()) return owners.status();
    if (!owners->member) return Status(ErrorCode::kNotFound);
    if (owners->member->is_owner && owners->owners < 2) return Status(ErrorCode::kCannotLeaveAsOnlyOwner);
    const std::string& user_id = owners->member->user_id;
    // The member's user, locked before its member row and sessions, as delete_user() locks it
    // before them (taken in the other order, the locks could deadlock). A member whose user is
    // gone (a table without the cascade) has none to lock.
    {
      Query q(c, "SELECT 1 FROM \"user\" WHERE \"id\" = $1 FOR NO KEY UPDATE", kWhat);
      q.text(user_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    {
      Query q(c, "DELETE FROM \"member\" WHERE \"id\" = $1 AND \"organizationId\" = $2", kWhat);
      q.text(member_id).text(organization_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    {
      // The user's sessions changed: every replica's session cache hears of it when this commits.
      Query q(c,
              "WITH w AS (UPDATE \"session\" SET \"activeOrganizationId\" = NULL WHERE \"userId\" = $1 AND "
              "\"activeOrganizationId\" = $2 RETURNING \"userId\") " PGS_NOTIFY_FROM("w", "\"userId\""),
              kWhat);
      q.text(user_id).text(organization_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Status create_invitation(const Invitation& invitation, std::size_t limit, bool cancel_pending) override {
    constexpr std::string_view kWhat = "create_invitation";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The organization, locked: a concurrent invitation to it waits here, then sees this one (as
    // pending, and in the count).
    if (Status s = lock_organization(c, invitation.organization_id, kWhat); !s.ok()) return s;
    // The inviter, KEY SHARE (as the insert's foreign key takes it), before any invitation row:
    // delete_user() locks the user before the invitations it sent.
    {
      Query q(c, "SELECT 1 FROM \"user\" WHERE \"id\" = $1 FOR KEY SHARE", kWhat);
      q.text(invitation.inviter_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    }
    {
      Query q(c,
              cancel_pending
                  ? "UPDATE \"invitation\" SET \"status\" = 'canceled' WHERE \"organizationId\" = $1 AND "
                    "\"email\" = $2 AND \"status\" = 'pending' AND \"expiresAt\" > $3::timestamptz"
                  : "SELECT 1 FROM \"invitation\" WHERE \"organizationId\" = $1 AND \"email\" = $2 AND "
                    "\"status\" = 'pending' AND \"expiresAt\" > $3::timestamptz LIMIT 1",
              kWhat);
      // Live ones only: an expired invitation, still "pending", blocks nothing.
      q.text(invitation.organization_id).text(invitation.email).time(invitation.created_at);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() > 0) return Status(ErrorCode::kUserIsAlreadyInvited);  // only the SELECT returns rows
    }
    {
      Query q(c,
              "SELECT count(*) FROM \"invitation\" WHERE \"organizationId\" = $1 AND \"status\" = 'pending' "
              "AND \"expiresAt\" > $2::timestamptz",
              kWhat);
      q.text(invitation.organization_id).time(invitation.created_at);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      const std::int64_t count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(kWhat);
      // Rolls back a cancel too (nothing was written).
      if (count >= clamp_to_int64(limit)) return Status(ErrorCode::kInvitationLimitReached);
    }
    {
      Query q(c,
              "INSERT INTO \"invitation\" (\"id\", \"organizationId\", \"email\", \"role\", \"status\", "
              "\"expiresAt\", \"createdAt\", \"inviterId\") "
              "VALUES ($1, $2, $3, $4, 'pending', $5::timestamptz, $6::timestamptz, $7)",
              kWhat);
      q.text(invitation.id).text(invitation.organization_id).text(invitation.email).optional_text(invitation.role);
      q.time(invitation.expires_at).time(invitation.created_at).text(invitation.inviter_id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  Result<Invitation> find_invitation(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_INVITATION_COLUMNS " FROM \"invitation\" WHERE \"id\" = $1", "find_invitation");
    q.text(id);
    return query_one_invitation(q, "find_invitation");
  }

  Result<std::vector<Invitation>> list_invitations(std::string_view organization_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_INVITATION_COLUMNS
            " FROM \"invitation\" WHERE \"organizationId\" = $1 ORDER BY \"createdAt\", \"id\"",
            "list_invitations");
    q.text(organization_id);
    return query_invitations(q, "list_invitations");
  }

  Result<std::vector<Invitation>> list_invitations_to(std::string_view email) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_INVITATION_COLUMNS " FROM \"invitation\" WHERE \"email\" = $1 ORDER BY \"createdAt\", \"id\"",
            "list_invitations_to");
    q.text(email);
    return query_invitations(q, "list_invitations_to");
  }

  Result<bool> update_pending_invitation(std::string_view id, std::string_view status,
                                         std::optional<TimePoint> expires_at) override {
    auto lease = pool_.acquire();
    // The status is checked in the WHERE clause: of two requests racing on one invitation, the
    // second waits for the first's row lock, then finds it no longer pending and writes nothing.
    Query q(*lease,
            "UPDATE \"invitation\" SET \"status\" = $1, \"expiresAt\" = coalesce($2::timestamptz, \"expiresAt\") "
            "WHERE \"id\" = $3 AND \"status\" = 'pending'",
            "update_pending_invitation");
    q.text(status);
    if (expires_at) {
      q.time(*expires_at);
    } else {
      q.optional_text(std::nullopt);
    }
    q.text(id);
    if (Status s = q.run(); !s.ok()) return s;
    return q.affected() > 0;
  }

  Status accept_invitation(std::string_view id, const Member& member, std::size_t limit, TimePoint now) override {
    constexpr std::string_view kWhat = "accept_invitation";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The organization is locked before the invitation's row, as create_invitation() locks it
    // before the invitations it cancels (taken in the other order, the locks could deadlock); an
    // invitation's organization never changes. An invitation to another organization than the
    // member's is not one to accept for it.
    if (Status s = lock_organization(c, member.organization_id, kWhat); !s.ok()) {
      return s.code() == ErrorCode::kNotFound ? Status(ErrorCode::kInvitationNotFound) : s;
    }
    {
      // Locked: of two acceptances racing, the second waits, then finds it accepted.
      Query q(c,
              "SELECT " PGS_INVITATION_COLUMNS " FROM \"invitation\" WHERE \"id\" = $1 AND \"organizationId\" = $2 "
              "FOR UPDATE",
              kWhat);
      q.text(id).text(member.organization_id);
      auto found = query_one_invitation(q, kWhat);
      if (!found.ok() && found.status().code() != ErrorCode::kNotFound) return found.status();
      if (!found.ok() || found->status != "pending" || found->expires_at <= now) {
        return Status(ErrorCode::kInvitationNotFound);
      }
    }
    if (Status s = add_member_checked(c, member, limit, kWhat); !s.ok()) return s;
    {
      Query q(c, "UPDATE \"invitation\" SET \"status\" = 'accepted' WHERE \"id\" = $1", kWhat);
      q.text(id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    return tx.commit(kWhat);
  }

  // --- API keys ---

  Result<bool> create_api_key(const ApiKey& key, std::size_t max_per_user) override {
    constexpr std::string_view kWhat = "create_api_key";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The owner's row, locked: a concurrent creation for the same user waits here, then counts the
    // key this one inserted (delete_user() locks it first too, then finds no key to come).
    if (Status s = lock_user(c, key.reference_id, kWhat); !s.ok()) return s;
    // The hash, locked ("key" has no unique index in BetterAuth's table): a concurrent creation of
    // the same hash for another user waits here, then finds this one's row.
    if (Status s = lock_value(c, 7306009, key.key_hash, kWhat); !s.ok()) return s;
    {
      Query q(c, "SELECT 1 FROM \"apikey\" WHERE \"id\" = $1 OR \"key\" = $2 LIMIT 1", kWhat);
      q.text(key.id).text(key.key_hash);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() > 0) return Status(ErrorCode::kUserAlreadyExists);
    }
    {
      Query q(c, "SELECT count(*) FROM \"apikey\" WHERE \"referenceId\" = $1", kWhat);
      q.text(key.reference_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      const std::int64_t count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(kWhat);
      if (count >= clamp_to_int64(max_per_user)) return false;  // rolls back (nothing was written)
    }
    {
      Query q(c,
              "INSERT INTO \"apikey\" (\"id\", \"configId\", \"name\", \"start\", \"referenceId\", \"prefix\", "
              "\"key\", \"refillInterval\", \"refillAmount\", \"lastRefillAt\", \"enabled\", \"rateLimitEnabled\", "
              "\"rateLimitTimeWindow\", \"rateLimitMax\", \"requestCount\", \"remaining\", \"lastRequest\", "
              "\"expiresAt\", \"createdAt\", \"updatedAt\", \"permissions\", \"metadata\") VALUES ($1, $2, $3, $4, "
              "$5, $6, $7, $8, $9, $10::timestamptz, $11, $12, $13, $14, $15, $16, $17::timestamptz, "
              "$18::timestamptz, $19::timestamptz, $20::timestamptz, $21, $22)",
              kWhat);
      q.text(key.id).text(key.config_id).optional_text(key.name).optional_text(key.start).text(key.reference_id);
      q.optional_text(key.prefix).text(key.key_hash);
      add_api_key_state(q, key);
      q.time(key.created_at).time(key.updated_at).optional_text(key.permissions).optional_text(key.metadata);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return true;
  }

  Result<ApiKey> find_api_key(std::string_view id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT " PGS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"id\" = $1", "find_api_key");
    q.text(id);
    return query_one_api_key(q, "find_api_key");
  }

  Result<ApiKey> find_api_key_by_hash(std::string_view key_hash) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_API_KEY_COLUMNS
            " FROM \"apikey\" WHERE \"key\" = $1 ORDER BY \"createdAt\", \"id\" COLLATE \"C\" LIMIT 1",
            "find_api_key_by_hash");
    q.text(key_hash);
    return query_one_api_key(q, "find_api_key_by_hash");
  }

  Result<ApiKeyPage> list_api_keys(std::string_view reference_id, const ApiKeyOrder& order, std::size_t limit,
                                   std::size_t offset) override {
    constexpr std::string_view kWhat = "list_api_keys";
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);  // one snapshot: the count and the page see the same rows
    if (Status s = tx.begin_snapshot(kWhat); !s.ok()) return s;
    ApiKeyPage page;
    {
      Query q(c, "SELECT count(*) FROM \"apikey\" WHERE \"referenceId\" = $1", kWhat);
      q.text(reference_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      page.total = static_cast<std::size_t>(q.int64_at(0, 0, bad));
      if (bad) return corrupt_row(kWhat);
    }
    {
      std::string sql = "SELECT " PGS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"referenceId\" = $1";
      sql.append(api_key_order_sql(order));
      sql.append(" LIMIT $2 OFFSET $3");
      Query q(c, Composed{std::move(sql)}, kWhat);
      q.text(reference_id).integer(clamp_to_int64(limit)).integer(clamp_to_int64(offset));
      auto keys = query_all<ApiKey>(q, kWhat, [](const PgRow& r, bool& bad) { return rows::read_api_key(r, bad); });
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
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    ApiKey row;
    {
      // The row, locked: a concurrent change of the key waits here, then reads what this one wrote.
      Query q(c, "SELECT " PGS_API_KEY_COLUMNS " FROM \"apikey\" WHERE \"id\" = $1 FOR UPDATE", kWhat);
      q.text(id);
      auto found = query_one_api_key(q, kWhat);
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
      Query q(c,
              "UPDATE \"apikey\" SET \"configId\" = $1, \"name\" = $2, \"start\" = $3, \"prefix\" = $4, "
              "\"refillInterval\" = $5, \"refillAmount\" = $6, \"lastRefillAt\" = $7::timestamptz, \"enabled\" = $8, "
              "\"rateLimitEnabled\" = $9, \"rateLimitTimeWindow\" = $10, \"rateLimitMax\" = $11, "
              "\"requestCount\" = $12, \"remaining\" = $13, \"lastRequest\" = $14::timestamptz, "
              "\"expiresAt\" = $15::timestamptz, \"updatedAt\" = $16::timestamptz, \"permissions\" = $17, "
              "\"metadata\" = $18 WHERE \"id\" = $19",
              kWhat);
      q.text(changed.config_id).optional_text(changed.name).optional_text(changed.start).optional_text(changed.prefix);
      add_api_key_state(q, changed);
      q.time(changed.updated_at).optional_text(changed.permissions).optional_text(changed.metadata).text(row.id);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return changed;
  }

  Status delete_api_key(std::string_view id, std::string_view reference_id) override {
    auto lease = pool_.acquire();
    Query q(*lease, "DELETE FROM \"apikey\" WHERE \"id\" = $1 AND \"referenceId\" = $2", "delete_api_key");
    q.text(id).text(reference_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  // --- sessions ---

  Status create_session(const Session& session) override {
    auto lease = pool_.acquire();
    // The EXISTS test makes a missing user NOT_FOUND even where the table has no foreign key.
    Query q(*lease,
            "INSERT INTO \"session\" (\"id\", \"token\", \"userId\", \"expiresAt\", \"createdAt\", "
            "\"updatedAt\", \"ipAddress\", \"userAgent\", \"impersonatedBy\", \"activeOrganizationId\") "
            "SELECT $1, $2, $3, $4::timestamptz, $5::timestamptz, $6::timestamptz, $7, $8, $9, $10 "
            "WHERE EXISTS (SELECT 1 FROM \"user\" WHERE \"id\" = $3)",
            "create_session");
    q.text(session.id).text(session.token).text(session.user_id);
    q.time(session.expires_at).time(session.created_at).time(session.updated_at);
    q.optional_text(session.ip_address ? std::optional(lossy_utf8(*session.ip_address)) : std::nullopt);
    q.optional_text(session.user_agent ? std::optional(lossy_utf8(*session.user_agent)) : std::nullopt);
    q.optional_text(session.impersonated_by).optional_text(session.active_organization_id);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.affected() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Result<SessionWithUser> find_session(std::string_view token) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_SESSION_COLUMNS("s.") ", " PGS_USER_COLUMNS("u.")
            " FROM \"session\" AS s JOIN \"user\" AS u ON u.\"id\" = s.\"userId\" WHERE s.\"token\" = $1",
            "find_session");
    q.text(token);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    SessionWithUser out{rows::read_session(PgRow{q, 0}, 0, bad),
                        rows::read_user(PgRow{q, 0}, rows::kSessionColumns, bad)};
    if (bad) return corrupt_row("find_session");
    return out;
  }

  Result<std::vector<Session>> list_sessions(std::string_view user_id) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_SESSION_COLUMNS("")
            " FROM \"session\" WHERE \"userId\" = $1 ORDER BY \"createdAt\" DESC, \"id\" DESC",
            "list_sessions");
    q.text(user_id);
    if (Status s = q.run(); !s.ok()) return s;
    std::vector<Session> sessions;
    bool bad = false;
    for (int row = 0; row < q.rows(); ++row) sessions.push_back(rows::read_session(PgRow{q, row}, 0, bad));
    if (bad) return corrupt_row("list_sessions");
    return sessions;
  }

  Status touch_session(std::string_view token, TimePoint expires_at, TimePoint updated_at) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (UPDATE \"session\" SET \"expiresAt\" = $1::timestamptz, \"updatedAt\" = $2::timestamptz "
            "WHERE \"token\" = $3 RETURNING \"userId\") "
            PGS_NOTIFY_FROM("w", "\"userId\""),
            "touch_session");
    q.time(expires_at).time(updated_at).text(token);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status set_active_organization(std::string_view token, const std::optional<std::string>& organization_id) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (UPDATE \"session\" SET \"activeOrganizationId\" = $1 WHERE \"token\" = $2 "
            "RETURNING \"userId\") " PGS_NOTIFY_FROM("w", "\"userId\""),
            "set_active_organization");
    q.optional_text(organization_id).text(token);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    return Status::OK();
  }

  Status delete_session(std::string_view token) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (DELETE FROM \"session\" WHERE \"token\" = $1 RETURNING \"userId\") "
            PGS_NOTIFY_FROM("w", "\"userId\""),
            "delete_session");
    q.text(token);
    return q.run();
  }

  Status delete_user_session(std::string_view user_id, std::string_view token) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (DELETE FROM \"session\" WHERE \"token\" = $1 AND \"userId\" = $2 RETURNING \"userId\") "
            PGS_NOTIFY_FROM("w", "\"userId\""),
            "delete_user_session");
    q.text(token).text(user_id);
    return q.run();
  }

  Result<std::size_t> delete_sessions(std::string_view user_id, std::string_view keep_token) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Query q(c,
            "WITH w AS (DELETE FROM \"session\" WHERE \"userId\" = $1 AND ($2 = '' OR \"token\" <> $2) "
            "RETURNING \"userId\") " PGS_NOTIFY_FROM("w", "\"userId\""),
            "delete_sessions");
    q.text(user_id).text(keep_token);
    if (Status s = q.run(); !s.ok()) return s;
    return static_cast<std::size_t>(q.rows());
  }

  // --- verifications ---

  Status create_verification(const Verification& v) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "INSERT INTO \"verification\" (\"id\", \"identifier\", \"value\", \"expiresAt\", \"createdAt\", "
            "\"updatedAt\") VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6::timestamptz)",
            "create_verification");
    q.text(v.id).text(v.identifier).text(v.value).time(v.expires_at).time(v.created_at).time(v.updated_at);
    return q.run();
  }

  Result<Verification> find_verification(std::string_view identifier) override {
    auto lease = pool_.acquire();
    Query q(*lease,
            "SELECT " PGS_VERIFICATION_COLUMNS
            " FROM \"verification\" WHERE \"identifier\" = $1 ORDER BY \"createdAt\" DESC, \"id\" LIMIT 1",
            "find_verification");
    q.text(identifier);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    Verification v = rows::read_verification(PgRow{q, 0}, bad);
    if (bad) return corrupt_row("find_verification");
    return v;
  }

  Result<Verification> consume_verification(std::string_view identifier) override {
    auto lease = pool_.acquire();
    // One statement: the row is locked, deleted and returned. A request racing for the same row
    // waits for the lock, then finds it gone and deletes nothing (NOT_FOUND).
    Query q(*lease,
            "DELETE FROM \"verification\" WHERE \"id\" = (SELECT \"id\" FROM \"verification\" "
            "WHERE \"identifier\" = $1 ORDER BY \"createdAt\" DESC, \"id\" LIMIT 1 FOR UPDATE) "
            "RETURNING " PGS_VERIFICATION_COLUMNS,
            "consume_verification");
    q.text(identifier);
    if (Status s = q.run(); !s.ok()) return s;
    if (q.rows() == 0) return Status(ErrorCode::kNotFound);
    bool bad = false;
    Verification v = rows::read_verification(PgRow{q, 0}, bad);
    if (bad) return corrupt_row("consume_verification");
    return v;
  }

  Result<std::size_t> delete_expired(TimePoint now) override {
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin("delete_expired"); !s.ok()) return s;
    std::size_t deleted = 0;
    // A key without "expiresAt" (NULL) never expires: NULL < $1 is not true.
    for (const char* sql : {"DELETE FROM \"session\" WHERE \"expiresAt\" < $1::timestamptz",
                            "DELETE FROM \"verification\" WHERE \"expiresAt\" < $1::timestamptz",
                            "DELETE FROM \"apikey\" WHERE \"expiresAt\" < $1::timestamptz"}) {
      Query q(c, sql, "delete_expired");
      q.time(now);
      if (Status s = q.run(); !s.ok()) return s;
      deleted += q.affected();
    }
    if (Status s = tx.commit("delete_expired"); !s.ok()) return s;
    return deleted;
  }

  // --- rate limits ---

  Result<RateLimitDecision> rate_limit_hit(std::string_view key, std::chrono::milliseconds window,
                                           std::int64_t max, TimePoint now) override {
    constexpr std::string_view kWhat = "rate_limit_hit";
    const std::int64_t now_value = now.time_since_epoch().count();
    auto lease = pool_.acquire();
    Connection& c = *lease;
    Transaction tx(c);
    if (Status s = tx.begin(kWhat); !s.ok()) return s;
    // The row is locked until the commit, so concurrent hits on one key count one at a time. A
    // key seen for the first time is inserted; if another request inserted it first, the insert
    // does nothing and the row is read (and locked) again.
    bool found = false;
    std::int64_t count = 0;
    std::int64_t last = 0;
    for (int attempt = 0; attempt < 2 && !found; ++attempt) {
      {
        Query q(c, "SELECT \"count\", \"lastRequest\" FROM \"rateLimit\" WHERE \"key\" = $1 FOR UPDATE", kWhat);
        q.text(key);
        if (Status s = q.run(); !s.ok()) return s;
        if (q.rows() > 0) {
          bool bad = false;
          count = q.int64_at(0, 0, bad);
          last = q.int64_at(0, 1, bad);
          if (bad) return corrupt_row(kWhat);
          found = true;
          break;
        }
      }
      Query q(c,
              "INSERT INTO \"rateLimit\" (\"id\", \"key\", \"count\", \"lastRequest\") VALUES ($1, $2, 1, $3) "
              "ON CONFLICT DO NOTHING",
              kWhat);
      q.text(generate_token()).text(key).integer(now_value);
      if (Status s = q.run(); !s.ok()) return internal_error(kWhat, "insert failed");
      if (q.affected() > 0) {
        if (Status s = tx.commit(kWhat); !s.ok()) return s;
        return RateLimitDecision{};
      }
    }
    if (!found) return internal_error(kWhat, "the key's row vanished");
    const RateLimitStep step = next_rate_limit_step(true, count, last, now_value, window, max);
    if (step.action == RateLimitAction::kBlock) return step.decision;  // the transaction rolls back
    {
      Query q(c,
              step.action == RateLimitAction::kReset
                  ? "UPDATE \"rateLimit\" SET \"count\" = 1, \"lastRequest\" = $1 WHERE \"key\" = $2"
                  : "UPDATE \"rateLimit\" SET \"count\" = \"count\" + 1, \"lastRequest\" = $1 WHERE \"key\" = $2",
              kWhat);
      q.integer(now_value).text(key);
      if (Status s = q.run(); !s.ok()) return s;
    }
    if (Status s = tx.commit(kWhat); !s.ok()) return s;
    return step.decision;
  }

  Result<RateLimitCounter> rate_limit_get(std::string_view key) override {
    constexpr std::string_view kWhat = "rate_limit_get";
    auto lease = pool_.acquire();
    Query q(*lease, "SELECT \"count\", \"lastRequest\" FROM \"rateLimit\" WHERE \"key\" = $1", kWhat);
    q.text(key);
    if (Status s = q.run(); !s.ok()) return internal_unless_ok(s, kWhat);
    if (q.rows() == 0) return RateLimitCounter{};
    bool bad = false;
    RateLimitCounter counter{q.int64_at(0, 0, bad), TimePoint(std::chrono::milliseconds(q.int64_at(0, 1, bad)))};
    if (bad) return corrupt_row(kWhat);
    return counter;
  }

  Status rate_limit_clear(std::string_view key) override {
    auto lease = pool_.acquire();
    Query q(*lease, "DELETE FROM \"rateLimit\" WHERE \"key\" = $1", "rate_limit_clear");
    q.text(key);
    return internal_unless_ok(q.run(), "rate_limit_clear");
  }

  // --- changes made elsewhere ---

  bool watch_changes(std::function<void(std::string_view)> on_change) override {
    std::lock_guard lock(listener_mu_);
    if (!on_change && listener_ == nullptr) return true;
    if (listener_ == nullptr) {
      listener_ = std::make_unique<ChangeListener>(spec_);
      if (!listener_->running()) {
        listener_.reset();
        return false;  // the caller falls back on its ttl
      }
    }
    listener_->set_callback(std::move(on_change));
    return true;
  }

 private:
  // For methods whose only documented error is INTERNAL_SERVER_ERROR.
  static Status internal_unless_ok(Status s, std::string_view what) {
    if (s.ok() || s.code() == ErrorCode::kInternalServerError) return s;
    return internal_error(what, "constraint failed");
  }

  static std::int64_t clamp_to_int64(std::size_t n) {
    constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(n, kMax));
  }

  static Status insert_user(Connection& c, const User& u) {
    // "twoFactorEnabled" and "banned" are written false, as BetterAuth writes their defaults (a
    // table its migration made may have no default there, and a NULL escapes its "= false"
    // filters); set_two_factor_enabled() and set_ban() alone change them.
    Query q(c,
            "INSERT INTO \"user\" (\"id\", \"name\", \"email\", \"emailVerified\", \"image\", \"createdAt\", "
            "\"updatedAt\", \"role\", \"username\", \"displayUsername\", \"twoFactorEnabled\", "
            "\"banned\") VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8, $9, $10, false, false)",
            "create_user");
    q.text(u.id).text(u.name).text(u.email).boolean(u.email_verified).optional_text(u.image);
    q.time(u.created_at).time(u.updated_at).optional_text(u.role);
    q.optional_text(u.username).optional_text(u.display_username);
    return q.run();
  }

  // Adds the eleven columns of an API key from "refillInterval" to "expiresAt" (in the table's
  // order) as the next parameters.
  static void add_api_key_state(Query& q, const ApiKey& k) {
    q.optional_integer(k.refill_interval_ms).optional_integer(k.refill_amount).optional_time(k.last_refill_at);
    q.boolean(k.enabled).boolean(k.rate_limit_enabled);
    q.optional_integer(k.rate_limit_time_window_ms).optional_integer(k.rate_limit_max).integer(k.request_count);
    q.optional_integer(k.remaining).optional_time(k.last_request).optional_time(k.expires_at);
  }

  static Status insert_member(Connection& c, const Member& m, std::string_view what) {
    Query q(c,
            "INSERT INTO \"member\" (\"id\", \"organizationId\", \"userId\", \"role\", \"createdAt\") "
            "VALUES ($1, $2, $3, $4, $5::timestamptz)",
            what);
    q.text(m.id).text(m.organization_id).text(m.user_id).text(m.role).time(m.created_at);
    return q.run();
  }

  // add_member()'s checks and insert, on `c` inside the caller's transaction. The organization is
  // locked (a concurrent addition to it waits, then counts this member), then the user (as
  // create_organization() locks it before counting the user's memberships).
  static Status add_member_checked(Connection& c, const Member& m, std::size_t limit, std::string_view what) {
    if (Status s = lock_organization(c, m.organization_id, what); !s.ok()) return s;
    if (Status s = lock_user(c, m.user_id, what); !s.ok()) return s;
    {
      Query q(c, "SELECT 1 FROM \"member\" WHERE \"organizationId\" = $1 AND \"userId\" = $2 LIMIT 1", what);
      q.text(m.organization_id).text(m.user_id);
      if (Status s = q.run(); !s.ok()) return s;
      if (q.rows() > 0) return Status(ErrorCode::kUserIsAlreadyAMember);
    }
    {
      Query q(c, "SELECT count(*) FROM \"member\" WHERE \"organizationId\" = $1", what);
      q.text(m.organization_id);
      if (Status s = q.run(); !s.ok()) return s;
      bool bad = false;
      const std::int64_t count = q.int64_at(0, 0, bad);
      if (bad) return corrupt_row(what);
      if (count >= clamp_to_int64(limit)) return Status(ErrorCode::kMembershipLimitReached);
    }
    return insert_member(c, m, what);
  }

  static Status insert_account(Connection& c, const Account& a, std::string_view what) {
    Query q(c,
            "INSERT INTO \"account\" (\"id\", \"accountId\", \"providerId\", \"userId\", \"password\", "
            "\"createdAt\", \"updatedAt\", \"scope\") VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8)",
            what);
    q.text(a.id).text(a.account_id).text(a.provider_id).text(a.user_id).optional_text(a.password);
    q.time(a.created_at).time(a.updated_at).optional_text(a.scope);
    return q.run();
  }

  const ConnectSpec spec_;
  ConnectionPool<Connection> pool_;
  std::mutex listener_mu_;
  std::unique_ptr<ChangeListener> listener_;  // started by the first watch_changes()
};

#undef PGS_MS
#undef PGS_NOTIFY_FROM
#undef PGS_CHANNEL
#undef PGS_USER_COLUMNS
#undef PGS_SESSION_COLUMNS
#undef PGS_ACCOUNT_COLUMNS
#undef PGS_VERIFICATION_COLUMNS
#undef PGS_TWO_FACTOR_COLUMNS
#undef PGS_JWK_COLUMNS
#undef PGS_PASSKEY_COLUMNS
#undef PGS_ORGANIZATION_COLUMNS
#undef PGS_MEMBER_COLUMNS
#undef PGS_INVITATION_COLUMNS
#undef PGS_API_KEY_COLUMNS

// A schema name as a quoted identifier, or nothing if it is not a plain one.
std::optional<std::string> quoted_schema(std::string_view name) {
  if (name.empty() || name.size() > 63) return std::nullopt;
  for (const char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!ok) return std::nullopt;
  }
  return "\"" + std::string(name) + "\"";
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options) {
  ConnectSpec spec;
  spec.url = options.url;
  spec.setup = "SET TimeZone = 'UTC'";
  if (!options.schema.empty()) {
    const auto quoted = quoted_schema(options.schema);
    if (!quoted) return internal_error("open", "a schema name is letters, digits and _ (at most 63)");
    spec.setup += "; SET search_path = " + *quoted;
  }
  auto store = std::make_unique<PostgresStore>(std::move(spec));
  for (int i = 0; i < std::max(1, options.connections); ++i) {
    auto conn = connect(store->spec());
    if (!conn.ok()) return conn.status();
    store->pool().add(std::make_unique<Connection>(std::move(conn).value(), store->spec()));
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace portcullis::store

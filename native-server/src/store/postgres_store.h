// Portcullis server: the PostgreSQL store (libpq), for deployments that outgrow one machine.
//
// BetterAuth's PostgreSQL schema (text ids, boolean emailVerified, timestamptz dates), so a
// BetterAuth database on PostgreSQL is served as it is and a BetterAuth server can share it.
// Connections come from a fixed pool, each with its prepared statements; writes that must be
// atomic run in transactions, and migrate() holds an advisory lock so that replicas starting
// together apply each migration once.
//
// Replicas. Many servers can share one database. Every write that changes what get-session
// answers (deleting or refreshing a session, changing or deleting a user) sends, once it has
// committed, a PostgreSQL notification naming the user; watch_changes() listens for them on a
// connection of its own, so a session cache in each replica (store/session_cache.h) forgets what
// it holds of that user as soon as any replica revokes one of its sessions.

#ifndef PORTCULLIS_STORE_POSTGRES_STORE_H_
#define PORTCULLIS_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace portcullis::store {

struct PostgresOptions {
  // A libpq connection URI ("postgres://user:password@host:5432/db?sslmode=require") or a
  // keyword/value string ("host=... dbname=...").
  std::string url;
  // The schema the tables live in (it must exist); empty: the server's search_path.
  std::string schema;
  // Connections in the pool, all opened at start.
  int connections = 8;
};

// Returns true if `database` names a PostgreSQL database (a postgres:// or postgresql:// URI)
// rather than a SQLite file.
bool is_postgres_url(std::string_view database);

// Returns `database` as it may be logged: a URL's password (user:password@, or a password=
// parameter) replaced by "***". Anything else is returned as it is.
std::string redact_database_url(std::string_view database);

// Connects the pool's connections (without migrating).
// Errors: INTERNAL_SERVER_ERROR if a connection cannot be made; the message names the cause as
// libpq states it, without the password.
Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options);

}  // namespace portcullis::store

#endif  // PORTCULLIS_STORE_POSTGRES_STORE_H_

// Portcullis server: the parts every command that touches the database needs, opened from the
// configuration (the serve command, the user and session commands, and the HTTP fuzz target).

#ifndef PORTCULLIS_RUNTIME_H_
#define PORTCULLIS_RUNTIME_H_

#include <memory>

#include "auth/breached_passwords.h"
#include "auth/hash_pool.h"
#include "auth/service.h"
#include "config.h"
#include "mail/mailer.h"
#include "portcullis/error.h"
#include "store/session_cache.h"
#include "store/store.h"

namespace portcullis {

struct Runtime {
  std::unique_ptr<store::Store> store;  // SQLite or PostgreSQL (behind the session cache), migrated
  std::unique_ptr<auth::HashPool> hashes;
  std::unique_ptr<mail::MailQueue> mail;  // null without RuntimeOptions::mail, or with mail "none"
  // The breached-password list (config.breached_passwords), or null; the service asks it.
  std::unique_ptr<auth::BreachedPasswords> breached_passwords;
  std::unique_ptr<auth::AuthService> service;
  // What the session cache did (RuntimeOptions::session_cache with a ttl), or null.
  std::shared_ptr<store::SessionCacheCounters> session_cache;
};

// What a command needs besides the store, the hash pool and the service.
struct RuntimeOptions {
  bool mail = false;           // the configured mailer
  // The session cache (config.session_cache_ttl): for a server. A one-shot command needs none, and
  // on PostgreSQL the cache would open a connection of its own to listen for other servers' writes.
  bool session_cache = false;
};

// Opens config.database (a SQLite file, created if missing, or a postgres:// URL) and migrates
// it; opens the hash pool, what `options` asks for, the breached-password list, and the auth
// service over them. Errors: those of opening or migrating the store; of loading the SMTP library
// (mail "smtp"); VALIDATION_ERROR for a breached-password list that cannot be opened.
Result<Runtime> open_runtime(const Config& config, RuntimeOptions options);

}  // namespace portcullis

#endif  // PORTCULLIS_RUNTIME_H_

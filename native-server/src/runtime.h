// Portcullis server: the parts every command that touches the database needs, opened from the
// configuration (the serve command, the user and session commands, and the HTTP fuzz target).

#ifndef PORTCULLIS_RUNTIME_H_
#define PORTCULLIS_RUNTIME_H_

#include <memory>

#include "auth/hash_pool.h"
#include "auth/service.h"
#include "config.h"
#include "mail/mailer.h"
#include "portcullis/error.h"
#include "store/store.h"

namespace portcullis {

struct Runtime {
  std::unique_ptr<store::Store> store;  // SQLite or PostgreSQL behind the session cache, migrated
  std::unique_ptr<auth::HashPool> hashes;
  std::unique_ptr<mail::MailQueue> mail;  // null without `with_mail`, or with mail "none"
  std::unique_ptr<auth::AuthService> service;
};

// Opens config.database (a SQLite file, created if missing, or a postgres:// URL) and migrates
// it; opens the hash pool, with `with_mail` the configured mailer, and the auth service over them.
// Errors: those of opening or migrating the store; of loading the SMTP library (mail "smtp").
Result<Runtime> open_runtime(const Config& config, bool with_mail);

}  // namespace portcullis

#endif  // PORTCULLIS_RUNTIME_H_

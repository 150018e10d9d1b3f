// Portcullis server: see runtime.h.

#include "runtime.h"

#include <cstddef>
#include <utility>

#include "store/postgres_store.h"
#include "store/session_cache.h"
#include "store/sqlite_store.h"

namespace portcullis {

Result<Runtime> open_runtime(const Config& config, RuntimeOptions wanted) {
  Result<std::unique_ptr<store::Store>> store = Status(ErrorCode::kInternalServerError);
  if (store::is_postgres_url(config.database)) {
    store::PostgresOptions options;
    options.url = config.database;
    store = store::open_postgres_store(options);
  } else {
    store::SqliteOptions options;
    options.path = config.database;
    store = store::open_sqlite_store(options);
  }
  if (!store) return store.status();
  Runtime rt;
  rt.store = std::move(store).value();
  if (wanted.session_cache) {
    store::SessionCacheOptions cache;
    cache.ttl = config.session_cache_ttl;
    cache.capacity = config.session_cache_size;
    if (cache.ttl.count() > 0 && cache.capacity > 0) cache.counters = rt.session_cache = std::make_shared<store::SessionCacheCounters>();
    rt.store = store::with_session_cache(std::move(rt.store), cache);
  }
  if (Status s = rt.store->migrate(); !s.ok()) return s;
  rt.hashes = std::make_unique<auth::HashPool>(hash_worker_count(config), static_cast<std::size_t>(config.hash_queue));
  if (wanted.mail && config.mail == "outbox") {
    rt.mail = std::make_unique<mail::MailQueue>(mail::make_outbox_mailer(config.mail_outbox_dir));
  } else if (wanted.mail && config.mail == "smtp") {
    if (Status s = mail::load_smtp_library(); !s.ok()) return s;
    rt.mail = std::make_unique<mail::MailQueue>(mail::make_smtp_mailer(config.smtp));
  }
  if (!config.breached_passwords.empty()) {
    auto list = auth::open_breached_passwords(config.breached_passwords, config.breached_passwords_timeout);
    if (!list) return Status(list.status().code(), "breachedPasswords: " + list.status().message());
    rt.breached_passwords = std::move(list).value();
  }
  rt.service = std::make_unique<auth::AuthService>(config, *rt.store, *rt.hashes, rt.mail.get());
  rt.service->set_breached_passwords(rt.breached_passwords.get());
  return rt;
}

}  // namespace portcullis

// Portcullis tests: the storage conformance suite.
//
// The cases tagged [store] run against every backend in backends.cc (SQLite always; PostgreSQL
// when PORTCULLIS_TEST_POSTGRES is set and that backend exists), each on a fresh database, and
// assert only what a caller of store.h sees. The cases tagged [sqlite] check what is particular to
// the SQLite file: BetterAuth's own database opens as it is, the on-disk formats, corruption and
// lock timeouts; those tagged [postgres] what is particular to PostgreSQL: replicas hearing each
// other's writes, reconnecting, connection errors (they need PORTCULLIS_TEST_POSTGRES).
//
// No sleeps: concurrent cases start their threads together on a latch and check the totals.

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "backends.h"
#include "common/time.h"
#include "portcullis/token.h"
#include "store/postgres_store.h"
#include "store/session_cache.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace portcullis::store {
namespace {

using std::chrono::milliseconds;
using testing::make_backend;

// The newest schema version; bump it with each migration added to the backends.
constexpr int kLatestSchemaVersion = 9;

// Test data only (a bad literal throws std::bad_optional_access).
TimePoint iso(const char* text) { return parse_iso8601(text).value(); }

// A fixed instant with milliseconds, so round trips must keep them.
const TimePoint kT0 = iso("2026-11-25T04:46:53.751Z");

TimePoint at(std::int64_t offset_ms) { return kT0 + milliseconds(offset_ms); }

std::int64_t ms(TimePoint t) { return t.time_since_epoch().count(); }

User make_user(const std::string& email, TimePoint created = kT0) {
  User u;
  u.id = generate_token();
  u.name = "Ada Lovelace";
  u.email = email;
  u.email_verified = false;
  u.created_at = created;
  u.updated_at = created + milliseconds(1);
  return u;
}

Account credential_for(const User& u, const std::string& hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA") {
  Account a;
  a.id = generate_token();
  a.account_id = u.id;
  a.provider_id = std::string(kCredentialProvider);
  a.user_id = u.id;
  a.password = hash;
  a.created_at = u.created_at;
  a.updated_at = u.updated_at;
  return a;
}

Session make_session(const std::string& user_id, TimePoint created, TimePoint expires) {
  Session s;
  s.id = generate_token();
  s.token = generate_token();
  s.user_id = user_id;
  s.created_at = created;
  s.updated_at = created;
  s.expires_at = expires;
  return s;
}

Verification make_verification(const std::string& identifier, const std::string& value, TimePoint expires) {
  Verification v;
  v.id = generate_token();
  v.identifier = identifier;
  v.value = value;
  v.expires_at = expires;
  v.created_at = kT0;
  v.updated_at = kT0 + milliseconds(2);
  return v;
}

void check_same(const User& got, const User& want) {
  CHECK(got.id == want.id);
  CHECK(got.name == want.name);
  CHECK(got.email == want.email);
  CHECK(got.email_verified == want.email_verified);
  CHECK(got.image.has_value() == want.image.has_value());
  CHECK(got.image.value_or("<null>") == want.image.value_or("<null>"));
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(ms(got.updated_at) == ms(want.updated_at));
  CHECK(got.two_factor_enabled == want.two_factor_enabled);
  CHECK(got.role.value_or("<null>") == want.role.value_or("<null>"));
  CHECK(got.ban.has_value() == want.ban.has_value());
  if (got.ban && want.ban) {
    CHECK(got.ban->reason.value_or("<null>") == want.ban->reason.value_or("<null>"));
    CHECK(got.ban->expires.has_value() == want.ban->expires.has_value());
    if (got.ban->expires && want.ban->expires) CHECK(ms(*got.ban->expires) == ms(*want.ban->expires));
  }
  CHECK(got.username.has_value() == want.username.has_value());
  CHECK(got.username.value_or("<null>") == want.username.value_or("<null>"));
  CHECK(got.display_username.has_value() == want.display_username.has_value());
  CHECK(got.display_username.value_or("<null>") == want.display_username.value_or("<null>"));
}

void check_same(const Account& got, const Account& want) {
  CHECK(got.id == want.id);
  CHECK(got.account_id == want.account_id);
  CHECK(got.provider_id == want.provider_id);
  CHECK(got.user_id == want.user_id);
  CHECK(got.password.value_or("<null>") == want.password.value_or("<null>"));
  CHECK(got.scope.has_value() == want.scope.has_value());
  CHECK(got.scope.value_or("<null>") == want.scope.value_or("<null>"));
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(ms(got.updated_at) == ms(want.updated_at));
}

void check_same(const Session& got, const Session& want) {
  CHECK(got.id == want.id);
  CHECK(got.token == want.token);
  CHECK(got.user_id == want.user_id);
  CHECK(ms(got.expires_at) == ms(want.expires_at));
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(ms(got.updated_at) == ms(want.updated_at));
  CHECK(got.ip_address.has_value() == want.ip_address.has_value());
  CHECK(got.ip_address.value_or("<null>") == want.ip_address.value_or("<null>"));
  CHECK(got.user_agent.has_value() == want.user_agent.has_value());
  CHECK(got.user_agent.value_or("<null>") == want.user_agent.value_or("<null>"));
  CHECK(got.impersonated_by.has_value() == want.impersonated_by.has_value());
  CHECK(got.impersonated_by.value_or("<null>") == want.impersonated_by.value_or("<null>"));
  CHECK(got.active_organization_id.value_or("<null>") == want.active_organization_id.value_or("<null>"));
}

void check_same(const Verification& got, const Verification& want) {
  CHECK(got.id == want.id);
  CHECK(got.identifier == want.identifier);
  CHECK(got.value == want.value);
  CHECK(ms(got.expires_at) == ms(want.expires_at));
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(ms(got.updated_at) == ms(want.updated_at));
}

// A second factor as the plugin writes it on enabling: not yet verified, no failures.
TwoFactor make_two_factor(const std::string& user_id) {
  TwoFactor t;
  t.id = generate_token();
  t.user_id = user_id;
  t.secret = "enc:totp-secret:" + generate_token(8);
  t.backup_codes = "enc:[\"a1b2c\",\"d3e4f\"]:" + generate_token(8);
  t.verified = false;
  return t;
}

void check_same(const TwoFactor& got, const TwoFactor& want) {
  CHECK(got.id == want.id);
  CHECK(got.user_id == want.user_id);
  CHECK(got.secret == want.secret);
  CHECK(got.backup_codes == want.backup_codes);
  CHECK(got.verified == want.verified);
  CHECK(got.failed_verification_count == want.failed_verification_count);
  CHECK(got.locked_until.has_value() == want.locked_until.has_value());
  if (got.locked_until && want.locked_until) CHECK(ms(*got.locked_until) == ms(*want.locked_until));
}

// A signing key as the jwt plugin writes it: an Ed25519 key pair, the private JWK encrypted (a
// JSON string of hex), and no expiry, algorithm or curve unless the test sets them.
Jwk make_jwk(const std::string& id, TimePoint created) {
  Jwk k;
  k.id = id;
  k.public_key = R"({"crv":"Ed25519","x":")" + generate_token(43) + R"(","kty":"OKP"})";
  k.private_key = nlohmann::json(generate_token(64)).dump();
  k.created_at = created;
  return k;
}

void check_same(const Jwk& got, const Jwk& want) {
  CHECK(got.id == want.id);
  CHECK(got.public_key == want.public_key);
  CHECK(got.private_key == want.private_key);
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(got.expires_at.has_value() == want.expires_at.has_value());
  if (got.expires_at && want.expires_at) CHECK(ms(*got.expires_at) == ms(*want.expires_at));
  CHECK(got.alg.has_value() == want.alg.has_value());
  CHECK(got.alg.value_or("<null>") == want.alg.value_or("<null>"));
  CHECK(got.crv.has_value() == want.crv.has_value());
  CHECK(got.crv.value_or("<null>") == want.crv.value_or("<null>"));
}

// A passkey as the plugin writes it on registration: every column set (the tests clear the
// optional ones where they need NULL), a fresh id and credential id.
Passkey make_passkey(const std::string& user_id, TimePoint created) {
  Passkey p;
  p.id = generate_token();
  p.name = "MacBook Touch ID";
  p.public_key = "pQECAyYgASFYI" + generate_token(40) + "IlggQ1M0OCr==";
  p.user_id = user_id;
  p.credential_id = "Zm9v-" + generate_token(38) + "_w";
  p.counter = 0;
  p.device_type = "multiDevice";
  p.backed_up = true;
  p.transports = "internal,hybrid";
  p.created_at = created;
  p.aaguid = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";
  return p;
}

void check_same(const Passkey& got, const Passkey& want) {
  CHECK(got.id == want.id);
  CHECK(got.name.has_value() == want.name.has_value());
  CHECK(got.name.value_or("<null>") == want.name.value_or("<null>"));
  CHECK(got.public_key == want.public_key);
  CHECK(got.user_id == want.user_id);
  CHECK(got.credential_id == want.credential_id);
  CHECK(got.counter == want.counter);
  CHECK(got.device_type == want.device_type);
  CHECK(got.backed_up == want.backed_up);
  CHECK(got.transports.has_value() == want.transports.has_value());
  CHECK(got.transports.value_or("<null>") == want.transports.value_or("<null>"));
  CHECK(got.created_at.has_value() == want.created_at.has_value());
  if (got.created_at && want.created_at) CHECK(ms(*got.created_at) == ms(*want.created_at));
  CHECK(got.aaguid.has_value() == want.aaguid.has_value());
  CHECK(got.aaguid.value_or("<null>") == want.aaguid.value_or("<null>"));
  CHECK(got == want);
}

std::vector<std::string> ids_of(const std::vector<Passkey>& passkeys) {
  std::vector<std::string> out;
  for (const Passkey& p : passkeys) out.push_back(p.id);
  return out;
}

std::vector<std::string> ids_of(const std::vector<Jwk>& keys) {
  std::vector<std::string> out;
  for (const Jwk& k : keys) out.push_back(k.id);
  return out;
}

std::vector<std::string> ids_of(const std::vector<User>& users) {
  std::vector<std::string> out;
  for (const User& u : users) out.push_back(u.id);
  return out;
}

template <class T>
ErrorCode code_of(const Result<T>& r) {
  return r.status().code();
}

std::vector<std::string> tokens_of(const std::vector<Session>& sessions) {
  std::vector<std::string> out;
  for (const Session& s : sessions) out.push_back(s.token);
  return out;
}

// Runs `fn(i)` on `n` threads that start together; returns what each returned.
template <class Fn>
auto run_concurrently(int n, Fn fn) {
  using R = decltype(fn(0));
  std::vector<std::optional<R>> results(static_cast<std::size_t>(n));
  std::latch start(n);
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)].emplace(fn(i));
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

// How many of run_concurrently()'s Result<bool>s were true and false, and how many were
// USER_ALREADY_EXISTS (taken); any other error is reported (and counted as none of these).
struct Tally {
  int yes = 0;
  int no = 0;
  int taken = 0;
};
template <class Results>
Tally tally(const Results& results) {
  Tally t;
  for (const auto& r : results) {
    if (r->ok()) {
      ++(**r ? t.yes : t.no);
    } else if (r->status().code() == ErrorCode::kUserAlreadyExists) {
      ++t.taken;
    } else {
      UNSCOPED_INFO("unexpected: " << r->status().code_name() << " " << r->status().message());
    }
  }
  return t;
}

// --- a raw SQLite connection, for the SQLite-specific cases ------------------------------------

struct RawDb {
  struct Closer {
    void operator()(sqlite3* handle) const { sqlite3_close_v2(handle); }
  };
  std::unique_ptr<sqlite3, Closer> db;

  explicit RawDb(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db.reset(raw);
    REQUIRE(rc == SQLITE_OK);
  }

  void exec(const char* sql) {
    const int rc = sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr);
    INFO(sqlite3_errmsg(db.get()));
    REQUIRE(rc == SQLITE_OK);
  }

  // The first column of the first row as text ("<none>" without rows, "<null>" for NULL).
  std::string scalar(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
    if (sqlite3_step(st.get()) != SQLITE_ROW) return "<none>";
    const auto* text = sqlite3_column_text(st.get(), 0);
    if (text == nullptr) return "<null>";
    return reinterpret_cast<const char*>(text);
  }
  std::string scalar(const std::string& sql) { return scalar(sql.c_str()); }
};

std::unique_ptr<Store> open_sqlite(const std::string& path, milliseconds busy_timeout = milliseconds(5000)) {
  SqliteOptions options;
  options.path = path;
  options.busy_timeout = busy_timeout;
  auto opened = open_sqlite_store(options);
  INFO(opened.status().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// ================================================================================================
// Cases every backend must pass.
// ================================================================================================

TEST_CASE("store: migrate is idempotent and versioned", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();

  auto before = store.schema_version();
  REQUIRE(before.ok());
  CHECK(*before == 0);

  REQUIRE(store.migrate().ok());
  auto after = store.schema_version();
  REQUIRE(after.ok());
  CHECK(*after == kLatestSchemaVersion);

  const User u = make_user("ada@example.com");
  REQUIRE(store.create_user(u, credential_for(u)).ok());

  REQUIRE(store.migrate().ok());
  REQUIRE(store.migrate().ok());
  auto again = store.schema_version();
  REQUIRE(again.ok());
  CHECK(*again == kLatestSchemaVersion);

  auto found = store.find_user_by_email("ada@example.com");
  REQUIRE(found.ok());
  check_same(*found, u);
}

TEST_CASE("store: users and accounts", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  const User ada = make_user("ada@example.com");
  const Account ada_credential = credential_for(ada);
  REQUIRE(store.create_user(ada, ada_credential).ok());

  SECTION("create_user writes the user and the account; find by id and e-mail") {
    auto by_id = store.find_user_by_id(ada.id);
    REQUIRE(by_id.ok());
    check_same(*by_id, ada);
    CHECK_FALSE(by_id->image.has_value());
    CHECK_FALSE(by_id->email_verified);

    auto by_email = store.find_user_by_email("ada@example.com");
    REQUIRE(by_email.ok());
    check_same(*by_email, ada);

    auto account = store.find_credential_account(ada.id);
    REQUIRE(account.ok());
    check_same(*account, ada_credential);
  }

  SECTION("list_accounts gives every provider's account of the user, oldest first, with its scope") {
    // As a BetterAuth server with social sign-in would have linked them: no password, scopes.
    Account github;
    github.id = generate_token();
    github.account_id = "583231";
    github.provider_id = "github";
    github.user_id = ada.id;
    github.scope = "read:user,user:email";
    github.created_at = ada.created_at + milliseconds(5);
    github.updated_at = github.created_at;
    Account google = github;
    google.id = generate_token();
    google.account_id = "1093";
    google.provider_id = "google";
    google.scope.reset();
    google.created_at = ada.created_at - milliseconds(5);  // linked before the credential
    google.updated_at = google.created_at;
    REQUIRE(store.create_account(github).ok());
    REQUIRE(store.create_account(google).ok());
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, credential_for(bob)).ok());

    auto accounts = store.list_accounts(ada.id);
    REQUIRE(accounts.ok());
    REQUIRE(accounts->size() == 3);
    check_same((*accounts)[0], google);
    check_same((*accounts)[1], ada_credential);
    check_same((*accounts)[2], github);

    auto bobs = store.list_accounts(bob.id);
    REQUIRE(bobs.ok());
    CHECK(bobs->size() == 1);
    auto nobody = store.list_accounts("no-such-id");
    REQUIRE(nobody.ok());
    CHECK(nobody->empty());
    // The credential lookup is unchanged by the other providers' accounts.
    auto credential = store.find_credential_account(ada.id);
    REQUIRE(credential.ok());
    check_same(*credential, ada_credential);
  }

  SECTION("unlink_account deletes one of the user's accounts, never the last one") {
    Account github = credential_for(ada);
    github.id = generate_token();
    github.account_id = "583231";
    github.provider_id = "github";
    github.password.reset();
    REQUIRE(store.create_account(github).ok());
    const User bob = make_user("bob@example.com");
    const Account bob_credential = credential_for(bob);
    REQUIRE(store.create_user(bob, bob_credential).ok());

    // Another user's account, or no account at all: ACCOUNT_NOT_FOUND, nothing deleted.
    CHECK(store.unlink_account(ada.id, bob_credential.id).code() == ErrorCode::kAccountNotFound);
    CHECK(store.unlink_account(ada.id, "no-such-account").code() == ErrorCode::kAccountNotFound);
    CHECK(store.unlink_account("no-such-user", github.id).code() == ErrorCode::kAccountNotFound);
    // Bob's only account.
    CHECK(store.unlink_account(bob.id, bob_credential.id).code() == ErrorCode::kFailedToUnlinkLastAccount);
    REQUIRE(store.list_accounts(bob.id)->size() == 1);

    REQUIRE(store.unlink_account(ada.id, ada_credential.id).ok());
    auto left = store.list_accounts(ada.id);
    REQUIRE(left.ok());
    REQUIRE(left->size() == 1);
    check_same(left->front(), github);
    CHECK(code_of(store.find_credential_account(ada.id)) == ErrorCode::kNotFound);
    CHECK(store.unlink_account(ada.id, ada_credential.id).code() == ErrorCode::kAccountNotFound);
    CHECK(store.unlink_account(ada.id, github.id).code() == ErrorCode::kFailedToUnlinkLastAccount);
    CHECK(store.list_accounts(ada.id)->size() == 1);
  }

  SECTION("create_user without an account writes the user alone") {
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, std::nullopt).ok());
    auto found = store.find_user_by_email("bob@example.com");
    REQUIRE(found.ok());
    check_same(*found, bob);
    CHECK(code_of(store.find_credential_account(bob.id)) == ErrorCode::kNotFound);
    CHECK(store.list_accounts(bob.id)->empty());
    // Still one user per address.
    User again = make_user("bob@example.com");
    CHECK(store.create_user(again, std::nullopt).code() == ErrorCode::kUserAlreadyExists);
  }

  SECTION("claim_unverified_user removes the accounts and sessions of an unverified user, once") {
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, credential_for(bob)).ok());
    REQUIRE(store.create_session(make_session(ada.id, at(1), at(86400000))).ok());
    REQUIRE(store.create_session(make_session(bob.id, at(1), at(86400000))).ok());

    auto claimed = store.claim_unverified_user(ada.id, at(5));
    REQUIRE(claimed.ok());
    CHECK(*claimed);
    auto after = store.find_user_by_id(ada.id);
    REQUIRE(after.ok());
    CHECK(after->email_verified);
    CHECK(ms(after->updated_at) == ms(at(5)));
    CHECK(store.list_accounts(ada.id)->empty());
    CHECK(store.list_sessions(ada.id)->empty());
    // Another user's are left alone.
    CHECK(store.list_accounts(bob.id)->size() == 1);
    CHECK(store.list_sessions(bob.id)->size() == 1);

    // Verified now: nothing more happens.
    REQUIRE(store.create_account(credential_for(*after)).ok());
    auto twice = store.claim_unverified_user(ada.id, at(6));
    REQUIRE(twice.ok());
    CHECK_FALSE(*twice);
    CHECK(store.list_accounts(ada.id)->size() == 1);
    CHECK(code_of(store.claim_unverified_user("no-such-id", at(7))) == ErrorCode::kNotFound);
  }

  SECTION("unknown users are NOT_FOUND") {
    CHECK(code_of(store.find_user_by_id("no-such-id")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_email("nobody@example.com")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_credential_account("no-such-id")) == ErrorCode::kNotFound);
    // The lookup is exact: the caller normalises e-mails.
    CHECK(code_of(store.find_user_by_email("ADA@example.com")) == ErrorCode::kNotFound);
  }

  SECTION("a set image, emailVerified and millisecond timestamps round-trip") {
    User grace = make_user("grace@example.com", iso("2027-01-02T03:04:05.006Z"));
    grace.email_verified = true;
    grace.image = "https://example.com/grace.png";
    grace.name = "Grace Hopper \xE2\x9C\x93";  // UTF-8 kept as it is
    grace.updated_at = iso("2027-01-02T03:04:05.999Z");
    REQUIRE(store.create_user(grace, credential_for(grace)).ok());
    auto found = store.find_user_by_id(grace.id);
    REQUIRE(found.ok());
    check_same(*found, grace);
    CHECK(found->email_verified);
    CHECK(found->image == std::optional<std::string>("https://example.com/grace.png"));
    CHECK(ms(found->created_at) % 1000 == 6);
  }

  SECTION("a duplicate e-mail is USER_ALREADY_EXISTS and writes nothing") {
    const User twin = make_user("ada@example.com");
    const Account twin_credential = credential_for(twin);
    const Status s = store.create_user(twin, twin_credential);
    CHECK(s.code() == ErrorCode::kUserAlreadyExists);
    CHECK(s.message().find("ada@example.com") == std::string::npos);
    CHECK(code_of(store.find_user_by_id(twin.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_credential_account(twin.id)) == ErrorCode::kNotFound);
    auto users = store.list_users(100, 0);
    REQUIRE(users.ok());
    CHECK(users->size() == 1);
    auto still = store.find_user_by_email("ada@example.com");
    REQUIRE(still.ok());
    CHECK(still->id == ada.id);
  }

  SECTION("a taken user id is USER_ALREADY_EXISTS") {
    User clash = make_user("other@example.com");
    clash.id = ada.id;
    CHECK(store.create_user(clash, credential_for(clash)).code() == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_user_by_email("other@example.com")) == ErrorCode::kNotFound);
  }

  SECTION("a taken account id fails the whole create_user: the user is not written either") {
    const User bob = make_user("bob@example.com");
    Account bob_credential = credential_for(bob);
    bob_credential.id = ada_credential.id;
    CHECK(store.create_user(bob, bob_credential).code() == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_user_by_id(bob.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_email("bob@example.com")) == ErrorCode::kNotFound);
  }

  SECTION("list_users orders by creation time then id, with limit and offset") {
    // Created out of order; two share an instant, so the id breaks the tie.
    User u3 = make_user("u3@example.com", at(3000));
    User u1 = make_user("u1@example.com", at(1000));
    User u2a = make_user("u2a@example.com", at(2000));
    User u2b = make_user("u2b@example.com", at(2000));
    u2a.id = "AAAA-tie";
    u2b.id = "BBBB-tie";
    for (const User* u : {&u3, &u2b, &u1, &u2a}) REQUIRE(store.create_user(*u, credential_for(*u)).ok());

    auto page1 = store.list_users(3, 0);
    REQUIRE(page1.ok());
    REQUIRE(page1->size() == 3);
    CHECK((*page1)[0].id == ada.id);  // kT0 is the earliest
    CHECK((*page1)[1].id == u1.id);
    CHECK((*page1)[2].id == "AAAA-tie");

    auto page2 = store.list_users(3, 3);
    REQUIRE(page2.ok());
    REQUIRE(page2->size() == 2);
    CHECK((*page2)[0].id == "BBBB-tie");
    CHECK((*page2)[1].id == u3.id);
    check_same((*page2)[1], u3);

    auto beyond = store.list_users(10, 5);
    REQUIRE(beyond.ok());
    CHECK(beyond->empty());
    auto none = store.list_users(0, 0);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }

  SECTION("update_user writes every field but created_at") {
    User changed = ada;
    changed.name = "Augusta Ada King";
    changed.email = "countess@example.com";
    changed.email_verified = true;
    changed.image = "https://example.com/ada.png";
    changed.created_at = at(999999);  // ignored
    changed.updated_at = at(5000);
    REQUIRE(store.update_user(changed).ok());

    auto found = store.find_user_by_id(ada.id);
    REQUIRE(found.ok());
    CHECK(found->name == "Augusta Ada King");
    CHECK(found->email == "countess@example.com");
    CHECK(found->email_verified);
    CHECK(found->image == std::optional<std::string>("https://example.com/ada.png"));
    CHECK(ms(found->created_at) == ms(ada.created_at));
    CHECK(ms(found->updated_at) == ms(at(5000)));
    CHECK(code_of(store.find_user_by_email("ada@example.com")) == ErrorCode::kNotFound);
    auto by_new_email = store.find_user_by_email("countess@example.com");
    REQUIRE(by_new_email.ok());
    CHECK(by_new_email->id == ada.id);

    // And back: the image can be cleared.
    changed.image.reset();
    changed.email_verified = false;
    REQUIRE(store.update_user(changed).ok());
    auto cleared = store.find_user_by_id(ada.id);
    REQUIRE(cleared.ok());
    CHECK_FALSE(cleared->image.has_value());
    CHECK_FALSE(cleared->email_verified);
  }

  SECTION("update_user to a taken e-mail is USER_ALREADY_EXISTS and changes nothing") {
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, credential_for(bob)).ok());
    User changed = bob;
    changed.email = "ada@example.com";
    changed.name = "Robert";
    CHECK(store.update_user(changed).code() == ErrorCode::kUserAlreadyExists);
    auto found = store.find_user_by_id(bob.id);
    REQUIRE(found.ok());
    check_same(*found, bob);
  }

  SECTION("update_user of an unknown user is NOT_FOUND") {
    User ghost = make_user("ghost@example.com");
    CHECK(store.update_user(ghost).code() == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_id(ghost.id)) == ErrorCode::kNotFound);
  }

  SECTION("delete_user takes the verification rows that belong to the user, and only those") {
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, credential_for(bob)).ok());
    const auto json_for = [](const std::string& id) {
      return nlohmann::json{{"email", "x@example.com"}, {"kind", "verify-email"}, {"userId", id}}.dump();
    };
    const std::vector<Verification> adas = {
        make_verification("reset-password:ada", ada.id, at(3600000)),
        make_verification("known-device:ada", ada.id, at(3600000)),
        make_verification("verify-email:ada", json_for(ada.id), at(3600000)),
    };
    const std::vector<Verification> others = {
        make_verification("reset-password:bob", bob.id, at(3600000)),
        make_verification("verify-email:bob", json_for(bob.id), at(3600000)),
        // Not Ada's: her id inside another value, or as a prefix of another id.
        make_verification("note:1", "about " + ada.id, at(3600000)),
        make_verification("verify-email:ada-longer", json_for(ada.id + "x"), at(3600000)),
    };
    for (const auto& v : adas) REQUIRE(store.create_verification(v).ok());
    for (const auto& v : others) REQUIRE(store.create_verification(v).ok());

    REQUIRE(store.delete_user(ada.id).ok());
    for (const auto& v : adas) CHECK(code_of(store.find_verification(v.identifier)) == ErrorCode::kNotFound);
    for (const auto& v : others) CHECK(store.find_verification(v.identifier).ok());
  }

  SECTION("delete_user takes the user's sessions and accounts with it, and only those") {
    const Session s1 = make_session(ada.id, at(1), at(86400000));
    const Session s2 = make_session(ada.id, at(2), at(86400000));
    REQUIRE(store.create_session(s1).ok());
    REQUIRE(store.create_session(s2).ok());
    const User bob = make_user("bob@example.com");
    REQUIRE(store.create_user(bob, credential_for(bob)).ok());
    const Session bob_session = make_session(bob.id, at(3), at(86400000));
    REQUIRE(store.create_session(bob_session).ok());

    REQUIRE(store.delete_user(ada.id).ok());
    CHECK(code_of(store.find_user_by_id(ada.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_email("ada@example.com")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_session(s1.token)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_session(s2.token)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_credential_account(ada.id)) == ErrorCode::kNotFound);
    auto left = store.list_sessions(ada.id);
    REQUIRE(left.ok());
    CHECK(left->empty());

    auto bobs = store.find_session(bob_session.token);
    REQUIRE(bobs.ok());
    CHECK(bobs->user.id == bob.id);
    CHECK(store.find_credential_account(bob.id).ok());

    CHECK(store.delete_user(ada.id).code() == ErrorCode::kNotFound);
    // The e-mail is free again.
    const User ada2 = make_user("ada@example.com");
    CHECK(store.create_user(ada2, credential_for(ada2)).ok());
  }

  SECTION("find_credential_account ignores other providers; create_account adds one") {
    const User oauth_only = make_user("oauth@example.com");
    Account github;
    github.id = generate_token();
    github.account_id = "github-12345";
    github.provider_id = "github";
    github.user_id = oauth_only.id;
    github.created_at = at(10);
    github.updated_at = at(10);
    REQUIRE(store.create_user(oauth_only, github).ok());
    CHECK(code_of(store.find_credential_account(oauth_only.id)) == ErrorCode::kNotFound);

    Account credential = credential_for(oauth_only, "salt:key");
    credential.created_at = at(20);
    credential.updated_at = at(21);
    REQUIRE(store.create_account(credential).ok());
    auto found = store.find_credential_account(oauth_only.id);
    REQUIRE(found.ok());
    check_same(*found, credential);

    Account clash = credential_for(oauth_only);
    clash.id = credential.id;
    CHECK(store.create_account(clash).code() == ErrorCode::kUserAlreadyExists);
  }

  SECTION("set_account_password replaces the hash") {
    REQUIRE(store.set_account_password(ada_credential.id, "new-hash", at(7000)).ok());
    auto found = store.find_credential_account(ada.id);
    REQUIRE(found.ok());
    CHECK(found->password == std::optional<std::string>("new-hash"));
    CHECK(ms(found->updated_at) == ms(at(7000)));
    CHECK(ms(found->created_at) == ms(ada_credential.created_at));
    CHECK(store.set_account_password("no-such-account", "x", at(7000)).code() == ErrorCode::kNotFound);
  }

  SECTION("upgrade_account_password replaces only when the expected hash still matches") {
    const std::string old_hash = *ada_credential.password;
    // Someone changed the password in between: the upgrade must not undo it.
    REQUIRE(store.set_account_password(ada_credential.id, "changed-hash", at(100)).ok());
    REQUIRE(store.upgrade_account_password(ada_credential.id, old_hash, "upgraded-hash", at(200)).ok());
    auto after_stale = store.find_credential_account(ada.id);
    REQUIRE(after_stale.ok());
    CHECK(after_stale->password == std::optional<std::string>("changed-hash"));
    CHECK(ms(after_stale->updated_at) == ms(at(100)));

    REQUIRE(store.upgrade_account_password(ada_credential.id, "changed-hash", "upgraded-hash", at(300)).ok());
    auto after = store.find_credential_account(ada.id);
    REQUIRE(after.ok());
    CHECK(after->password == std::optional<std::string>("upgraded-hash"));
    CHECK(ms(after->updated_at) == ms(at(300)));

    CHECK(store.upgrade_account_password("no-such-account", "a", "b", at(400)).ok());
  }
}

// Creates `users` (each with a credential) from as many threads at once, where only one can win
// (they share a unique e-mail or username): checks that exactly one did, that the others got
// USER_ALREADY_EXISTS and left no account behind, and that the store holds that one user alone.
// Returns the winner's index.
std::size_t one_of_concurrent_sign_ups(Store& store, const std::vector<User>& users) {
  std::vector<Account> accounts;
  for (const User& u : users) accounts.push_back(credential_for(u));
  const auto results = run_concurrently(static_cast<int>(users.size()), [&](int i) {
    const auto k = static_cast<std::size_t>(i);
    return store.create_user(users[k], accounts[k]);
  });

  int ok = 0, exists = 0, other = 0;
  std::size_t winner = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Status& s = *results[i];
    if (s.ok()) {
      ++ok;
      winner = i;
    } else if (s.code() == ErrorCode::kUserAlreadyExists) {
      ++exists;
    } else {
      ++other;
      UNSCOPED_INFO("unexpected: " << s.code_name() << " " << s.message());
    }
  }
  CHECK(ok == 1);
  CHECK(exists == static_cast<int>(users.size()) - 1);
  CHECK(other == 0);

  auto all = store.list_users(1000, 0);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  check_same((*all)[0], users[winner]);
  CHECK(store.find_credential_account(users[winner].id).ok());
  int stray_accounts = 0;
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i != winner && store.find_credential_account(users[i].id).ok()) ++stray_accounts;
  }
  CHECK(stray_accounts == 0);
  return winner;
}

TEST_CASE("store: fifty concurrent sign-ups with one e-mail make one user", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  std::vector<User> users;
  for (int i = 0; i < 50; ++i) users.push_back(make_user("race@example.com", at(i)));
  const std::size_t winner = one_of_concurrent_sign_ups(store, users);
  auto found = store.find_user_by_email("race@example.com");
  REQUIRE(found.ok());
  CHECK(found->id == users[winner].id);
}

TEST_CASE("store: concurrent unlinks of all of a user's accounts leave one", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  // Eight accounts per user, all unlinked at once: exactly seven go, one stays.
  constexpr int kAccounts = 8;
  for (int round = 0; round < 5; ++round) {
    const User u = make_user("unlink" + std::to_string(round) + "@example.com");
    const Account credential = credential_for(u);
    REQUIRE(store.create_user(u, credential).ok());
    std::vector<std::string> ids{credential.id};
    for (int i = 1; i < kAccounts; ++i) {
      Account a = credential_for(u);
      a.provider_id = "provider" + std::to_string(i);
      a.account_id = std::to_string(i);
      a.password.reset();
      REQUIRE(store.create_account(a).ok());
      ids.push_back(a.id);
    }
    const auto results = run_concurrently(kAccounts, [&](int i) {
      return store.unlink_account(u.id, ids[static_cast<std::size_t>(i)]);
    });
    int ok = 0, last = 0;
    for (const auto& r : results) {
      if (r->ok()) ++ok;
      else if (r->code() == ErrorCode::kFailedToUnlinkLastAccount) ++last;
      else UNSCOPED_INFO("unexpected: " << r->code_name() << " " << r->message());
    }
    CHECK(ok == kAccounts - 1);
    CHECK(last == 1);
    auto left = store.list_accounts(u.id);
    REQUIRE(left.ok());
    CHECK(left->size() == 1);
  }
}

TEST_CASE("store: sessions", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  User ada = make_user("ada@example.com");
  ada.image = "https://example.com/ada.png";
  ada.email_verified = true;
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  const User bob = make_user("bob@example.com");
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());

  SECTION("create then find returns the session and its user in one read") {
    Session s = make_session(ada.id, at(1000), at(1000 + 604800000));
    s.ip_address = "2001:0db8:abcd:0012:0000:0000:0000:0000";
    s.user_agent = "Mozilla/5.0";
    s.updated_at = at(1500);
    REQUIRE(store.create_session(s).ok());
    auto found = store.find_session(s.token);
    REQUIRE(found.ok());
    check_same(found->session, s);
    check_same(found->user, ada);

    // Empty strings are not NULL.
    Session blank = make_session(ada.id, at(2000), at(3000));
    blank.ip_address = "";
    blank.user_agent = std::nullopt;
    REQUIRE(store.create_session(blank).ok());
    auto found_blank = store.find_session(blank.token);
    REQUIRE(found_blank.ok());
    check_same(found_blank->session, blank);
  }

  SECTION("an unknown token is NOT_FOUND; an expired session is still returned") {
    CHECK(code_of(store.find_session("no-such-token")) == ErrorCode::kNotFound);
    const Session expired = make_session(ada.id, at(-20000), at(-10000));
    REQUIRE(store.create_session(expired).ok());
    auto found = store.find_session(expired.token);
    REQUIRE(found.ok());
    CHECK(ms(found->session.expires_at) == ms(at(-10000)));
  }

  SECTION("create_session for an unknown user is NOT_FOUND") {
    const Session orphan = make_session("no-such-user", at(0), at(1000));
    CHECK(store.create_session(orphan).code() == ErrorCode::kNotFound);
    CHECK(code_of(store.find_session(orphan.token)) == ErrorCode::kNotFound);
  }

  SECTION("a taken token or id is USER_ALREADY_EXISTS") {
    const Session s = make_session(ada.id, at(0), at(1000));
    REQUIRE(store.create_session(s).ok());
    Session same_token = make_session(bob.id, at(0), at(1000));
    same_token.token = s.token;
    CHECK(store.create_session(same_token).code() == ErrorCode::kUserAlreadyExists);
    Session same_id = make_session(bob.id, at(0), at(1000));
    same_id.id = s.id;
    CHECK(store.create_session(same_id).code() == ErrorCode::kUserAlreadyExists);
    auto found = store.find_session(s.token);
    REQUIRE(found.ok());
    CHECK(found->user.id == ada.id);
    auto bobs = store.list_sessions(bob.id);
    REQUIRE(bobs.ok());
    CHECK(bobs->empty());
  }

  SECTION("touch_session sets expires_at and updated_at only") {
    const Session s = make_session(ada.id, at(0), at(1000));
    REQUIRE(store.create_session(s).ok());
    REQUIRE(store.touch_session(s.token, at(900000), at(500)).ok());
    auto found = store.find_session(s.token);
    REQUIRE(found.ok());
    CHECK(ms(found->session.expires_at) == ms(at(900000)));
    CHECK(ms(found->session.updated_at) == ms(at(500)));
    CHECK(ms(found->session.created_at) == ms(at(0)));
    CHECK(found->session.id == s.id);
    CHECK(store.touch_session("no-such-token", at(1), at(1)).code() == ErrorCode::kNotFound);
  }

  SECTION("impersonated_by (BetterAuth's admin plugin's \"impersonatedBy\") round-trips; touch_session keeps it") {
    Session impersonated = make_session(ada.id, at(2000), at(100000));
    impersonated.impersonated_by = bob.id;  // Bob, an administrator, signed in as Ada
    const Session own = make_session(ada.id, at(1000), at(100000));
    REQUIRE(store.create_session(impersonated).ok());
    REQUIRE(store.create_session(own).ok());

    auto found = store.find_session(impersonated.token);
    REQUIRE(found.ok());
    check_same(found->session, impersonated);
    CHECK(found->session.impersonated_by == std::optional<std::string>(bob.id));
    CHECK(found->user.id == ada.id);  // the impersonated user, not the administrator
    check_same(found->user, ada);
    auto found_own = store.find_session(own.token);
    REQUIRE(found_own.ok());
    CHECK_FALSE(found_own->session.impersonated_by.has_value());

    auto list = store.list_sessions(ada.id);
    REQUIRE(list.ok());
    REQUIRE(tokens_of(*list) == std::vector<std::string>{impersonated.token, own.token});
    check_same((*list)[0], impersonated);
    check_same((*list)[1], own);
    auto bobs = store.list_sessions(bob.id);  // the administrator's own sessions do not hold it
    REQUIRE(bobs.ok());
    CHECK(bobs->empty());

    REQUIRE(store.touch_session(impersonated.token, at(900000), at(5000)).ok());
    REQUIRE(store.touch_session(own.token, at(900000), at(5000)).ok());
    auto touched = store.find_session(impersonated.token);
    REQUIRE(touched.ok());
    CHECK(touched->session.impersonated_by == std::optional<std::string>(bob.id));
    CHECK(ms(touched->session.expires_at) == ms(at(900000)));
    CHECK_FALSE(store.find_session(own.token)->session.impersonated_by.has_value());
    auto touched_list = store.list_sessions(ada.id);
    REQUIRE(touched_list.ok());
    REQUIRE(touched_list->size() == 2);
    CHECK((*touched_list)[0].impersonated_by == std::optional<std::string>(bob.id));
    CHECK_FALSE((*touched_list)[1].impersonated_by.has_value());
  }

  SECTION("list_sessions returns the user's sessions, newest first, expired included") {
    const Session old_one = make_session(ada.id, at(1000), at(-1));  // expired
    const Session newest = make_session(ada.id, at(3000), at(100000));
    const Session middle = make_session(ada.id, at(2000), at(100000));
    const Session bobs = make_session(bob.id, at(4000), at(100000));
    for (const Session* s : {&old_one, &newest, &middle, &bobs}) REQUIRE(store.create_session(*s).ok());

    auto list = store.list_sessions(ada.id);
    REQUIRE(list.ok());
    CHECK(tokens_of(*list) == std::vector<std::string>{newest.token, middle.token, old_one.token});
    REQUIRE(list->size() == 3);
    check_same((*list)[0], newest);

    auto none = store.list_sessions("no-such-user");
    REQUIRE(none.ok());
    CHECK(none->empty());
  }

  SECTION("delete_session removes it; an absent token is OK") {
    const Session s = make_session(ada.id, at(0), at(1000));
    REQUIRE(store.create_session(s).ok());
    REQUIRE(store.delete_session(s.token).ok());
    CHECK(code_of(store.find_session(s.token)) == ErrorCode::kNotFound);
    CHECK(store.delete_session(s.token).ok());
    CHECK(store.delete_session("never-existed").ok());
  }

  SECTION("delete_user_session deletes only a session of that user") {
    const Session bobs = make_session(bob.id, at(0), at(1000));
    REQUIRE(store.create_session(bobs).ok());
    // Ada cannot revoke Bob's session by its token.
    CHECK(store.delete_user_session(ada.id, bobs.token).ok());
    CHECK(store.find_session(bobs.token).ok());
    CHECK(store.delete_user_session(bob.id, bobs.token).ok());
    CHECK(code_of(store.find_session(bobs.token)) == ErrorCode::kNotFound);
    CHECK(store.delete_user_session(bob.id, bobs.token).ok());
  }

  SECTION("delete_sessions keeps one or none, and counts what it deleted") {
    const Session a1 = make_session(ada.id, at(1), at(1000));
    const Session a2 = make_session(ada.id, at(2), at(1000));
    const Session a3 = make_session(ada.id, at(3), at(1000));
    const Session b1 = make_session(bob.id, at(4), at(1000));
    for (const Session* s : {&a1, &a2, &a3, &b1}) REQUIRE(store.create_session(*s).ok());

    auto kept_one = store.delete_sessions(ada.id, a2.token);
    REQUIRE(kept_one.ok());
    CHECK(*kept_one == 2);
    auto left = store.list_sessions(ada.id);
    REQUIRE(left.ok());
    CHECK(tokens_of(*left) == std::vector<std::string>{a2.token});

    auto kept_none = store.delete_sessions(ada.id, "");
    REQUIRE(kept_none.ok());
    CHECK(*kept_none == 1);
    auto empty = store.list_sessions(ada.id);
    REQUIRE(empty.ok());
    CHECK(empty->empty());

    // Keeping another user's token does not protect it, and Bob's sessions are untouched.
    auto nothing = store.delete_sessions(ada.id, b1.token);
    REQUIRE(nothing.ok());
    CHECK(*nothing == 0);
    CHECK(store.find_session(b1.token).ok());
  }
}

TEST_CASE("store: verifications", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  SECTION("consume returns the row, then it is gone") {
    const Verification v = make_verification("reset-password:abc123", "user-1", at(3600000));
    REQUIRE(store.create_verification(v).ok());
    auto first = store.consume_verification("reset-password:abc123");
    REQUIRE(first.ok());
    check_same(*first, v);
    CHECK(code_of(store.consume_verification("reset-password:abc123")) == ErrorCode::kNotFound);
    CHECK(code_of(store.consume_verification("reset-password:unknown")) == ErrorCode::kNotFound);
  }

  SECTION("an id is stored once: a second row with it is refused and changes nothing") {
    const Verification v = make_verification("totp-used:user-3", "user-3", at(3600000));
    REQUIRE(store.create_verification(v).ok());
    Verification again = make_verification("totp-used:other", "user-4", at(7200000));
    again.id = v.id;
    CHECK(store.create_verification(again).code() == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_verification("totp-used:other")) == ErrorCode::kNotFound);
    auto kept = store.find_verification("totp-used:user-3");
    REQUIRE(kept.ok());
    check_same(*kept, v);
  }

  SECTION("find_verification reads without consuming") {
    const Verification v = make_verification("reset-password:peek", "user-9", at(3600000));
    REQUIRE(store.create_verification(v).ok());
    auto peek = store.find_verification("reset-password:peek");
    REQUIRE(peek.ok());
    check_same(*peek, v);
    auto peek_again = store.find_verification("reset-password:peek");
    REQUIRE(peek_again.ok());
    CHECK(peek_again->id == v.id);
    CHECK(code_of(store.find_verification("reset-password:unknown")) == ErrorCode::kNotFound);
    REQUIRE(store.consume_verification("reset-password:peek").ok());
    CHECK(code_of(store.find_verification("reset-password:peek")) == ErrorCode::kNotFound);
  }

  SECTION("an expired row is returned (and deleted) too") {
    const Verification v = make_verification("reset-password:old", "user-2", at(-1000));
    REQUIRE(store.create_verification(v).ok());
    auto got = store.consume_verification("reset-password:old");
    REQUIRE(got.ok());
    CHECK(ms(got->expires_at) == ms(at(-1000)));
    CHECK(code_of(store.consume_verification("reset-password:old")) == ErrorCode::kNotFound);
  }

  SECTION("consuming one identifier does not touch another") {
    REQUIRE(store.create_verification(make_verification("delete-account-one", "u1", at(1000))).ok());
    REQUIRE(store.create_verification(make_verification("delete-account-two", "u2", at(1000))).ok());
    REQUIRE(store.consume_verification("delete-account-one").ok());
    auto two = store.consume_verification("delete-account-two");
    REQUIRE(two.ok());
    CHECK(two->value == "u2");
  }

  SECTION("twenty concurrent consumes of one token: exactly one succeeds") {
    REQUIRE(store.create_verification(make_verification("reset-password:race", "user-3", at(3600000))).ok());
    constexpr int kThreads = 20;
    const auto results =
        run_concurrently(kThreads, [&](int) { return store.consume_verification("reset-password:race"); });
    int ok = 0, not_found = 0, other = 0;
    for (const auto& r : results) {
      if (r->ok()) {
        ++ok;
        CHECK((*r)->value == "user-3");
      } else if (code_of(*r) == ErrorCode::kNotFound) {
        ++not_found;
      } else {
        ++other;
        UNSCOPED_INFO("unexpected: " << r->status().code_name() << " " << r->status().message());
      }
    }
    CHECK(ok == 1);
    CHECK(not_found == kThreads - 1);
    CHECK(other == 0);
  }

  SECTION("delete_expired removes expired sessions and verifications and keeps live ones (ASVS 8.3.8)") {
    const User u = make_user("ada@example.com");
    REQUIRE(store.create_user(u, credential_for(u)).ok());
    const TimePoint now = at(100000);
    const Session expired = make_session(u.id, at(0), now - milliseconds(1));
    const Session live = make_session(u.id, at(0), now + milliseconds(1));
    const Session far = make_session(u.id, at(0), iso("2099-01-01T00:00:00.000Z"));
    for (const Session* s : {&expired, &live, &far}) REQUIRE(store.create_session(*s).ok());
    REQUIRE(store.create_verification(make_verification("v:expired", "x", now - milliseconds(5000))).ok());
    REQUIRE(store.create_verification(make_verification("v:live", "y", now + milliseconds(5000))).ok());

    auto deleted = store.delete_expired(now);
    REQUIRE(deleted.ok());
    CHECK(*deleted == 2);
    CHECK(code_of(store.find_session(expired.token)) == ErrorCode::kNotFound);
    CHECK(store.find_session(live.token).ok());
    CHECK(store.find_session(far.token).ok());
    CHECK(code_of(store.consume_verification("v:expired")) == ErrorCode::kNotFound);

    auto again = store.delete_expired(now);
    REQUIRE(again.ok());
    CHECK(*again == 0);
    CHECK(store.consume_verification("v:live").ok());
    CHECK(store.find_user_by_id(u.id).ok());
  }
}

TEST_CASE("store: rate limits", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  const milliseconds window(10000);
  constexpr std::int64_t kMax = 3;
  auto hit = [&](const std::string& key, std::int64_t offset_ms) {
    auto r = store.rate_limit_hit(key, window, kMax, at(offset_ms));
    INFO(r.status().message());
    REQUIRE(r.ok());
    return *r;
  };

  SECTION("three per ten seconds: the fourth is blocked until the window has passed") {
    const std::string key = "127.0.0.1/sign-in/email";
    CHECK(hit(key, 0).allowed);
    CHECK(hit(key, 1000).allowed);
    CHECK(hit(key, 2000).allowed);

    const RateLimitDecision blocked = hit(key, 3000);
    CHECK_FALSE(blocked.allowed);
    CHECK(blocked.retry_after_seconds >= 1);
    CHECK(blocked.retry_after_seconds == 9);  // ceil((2000 + 10000 - 3000) / 1000)

    // A blocked request changes nothing: the window still counts from the last allowed one.
    const RateLimitDecision still = hit(key, 11999);
    CHECK_FALSE(still.allowed);
    CHECK(still.retry_after_seconds == 1);

    // lastRequest + window reached: the count starts again.
    CHECK(hit(key, 12000).allowed);
    CHECK(hit(key, 12001).allowed);
    CHECK(hit(key, 12002).allowed);
    const RateLimitDecision again = hit(key, 12003);
    CHECK_FALSE(again.allowed);
    CHECK(again.retry_after_seconds == 10);  // ceil(9999 / 1000)
  }

  SECTION("rate_limit_get reads a counter without changing it; rate_limit_clear removes it") {
    auto none = store.rate_limit_get("k");
    REQUIRE(none.ok());
    CHECK(none->count == 0);
    CHECK(hit("k", 0).allowed);
    CHECK(hit("k", 1500).allowed);
    CHECK(hit("other", 1600).allowed);
    for (int i = 0; i < 2; ++i) {  // reading twice changes nothing
      auto counter = store.rate_limit_get("k");
      REQUIRE(counter.ok());
      CHECK(counter->count == 2);
      CHECK(ms(counter->last_request) == ms(at(1500)));
    }
    REQUIRE(store.rate_limit_clear("k").ok());
    REQUIRE(store.rate_limit_clear("k").ok());  // none: OK
    CHECK(store.rate_limit_get("k")->count == 0);
    CHECK(store.rate_limit_get("other")->count == 1);
    CHECK(hit("k", 1700).allowed);  // counts from 1 again
    CHECK(store.rate_limit_get("k")->count == 1);
  }

  SECTION("keys are independent") {
    for (int i = 0; i < 3; ++i) CHECK(hit("key-a", i).allowed);
    CHECK_FALSE(hit("key-a", 10).allowed);
    CHECK(hit("key-b", 10).allowed);
    CHECK(hit("key-b", 11).allowed);
    CHECK(hit("key-b", 12).allowed);
    CHECK_FALSE(hit("key-b", 13).allowed);
    CHECK_FALSE(hit("key-a", 14).allowed);
  }

  SECTION("concurrent hits are counted exactly") {
    constexpr int kThreads = 20;
    const auto results = run_concurrently(kThreads, [&](int) {
      return store.rate_limit_hit("burst", window, kMax, at(0));
    });
    int allowed = 0, blocked = 0, failed = 0;
    for (const auto& r : results) {
      if (!r->ok()) {
        ++failed;
      } else if ((*r)->allowed) {
        ++allowed;
      } else {
        ++blocked;
        CHECK((*r)->retry_after_seconds == 10);
      }
    }
    CHECK(allowed == kMax);
    CHECK(blocked == kThreads - kMax);
    CHECK(failed == 0);
  }
}

TEST_CASE("store: bans (BetterAuth's admin plugin's columns)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  const User bob = make_user("bob@example.com");
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());
  const Session adas = make_session(ada.id, kT0, at(3600000));
  const Session bobs = make_session(bob.id, kT0, at(3600000));
  REQUIRE(store.create_session(adas).ok());
  REQUIRE(store.create_session(bobs).ok());

  SECTION("a new user is not banned") {
    auto ban = store.find_ban(ada.id);
    REQUIRE(ban.ok());
    CHECK_FALSE(ban->has_value());
  }

  SECTION("a ban round-trips its reason and expiry, deletes the user's sessions only, and is lifted") {
    const Ban ban{"spam", iso("2027-03-04T05:06:07.089Z")};
    REQUIRE(store.set_ban(ada.id, ban, at(5)).ok());
    auto found = store.find_ban(ada.id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK(found->value().reason == ban.reason);
    REQUIRE(found->value().expires.has_value());
    CHECK(ms(*found->value().expires) == ms(*ban.expires));
    CHECK(code_of(store.find_session(adas.token)) == ErrorCode::kNotFound);
    CHECK(store.find_session(bobs.token).ok());
    CHECK(ms(store.find_user_by_id(ada.id)->updated_at) == ms(at(5)));
    CHECK_FALSE(store.find_ban(bob.id)->has_value());

    REQUIRE(store.set_ban(ada.id, std::nullopt, at(6)).ok());
    CHECK_FALSE(store.find_ban(ada.id)->has_value());
  }

  SECTION("a ban without reason or expiry") {
    REQUIRE(store.set_ban(bob.id, Ban{}, at(5)).ok());
    auto found = store.find_ban(bob.id);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK(found->value() == Ban{});
  }

  SECTION("an unknown user: NOT_FOUND, nothing written") {
    CHECK(code_of(store.find_ban("nobody")) == ErrorCode::kNotFound);
    CHECK(store.set_ban("nobody", Ban{}, at(5)).code() == ErrorCode::kNotFound);
    CHECK(store.find_session(adas.token).ok());
  }
}

TEST_CASE("store: the second factor (BetterAuth's twoFactor rows)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  const User bob = make_user("bob@example.com");
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());
  const TwoFactor adas = make_two_factor(ada.id);
  const TwoFactor bobs = make_two_factor(bob.id);
  // A lock with milliseconds, so the round trip must keep them.
  const TimePoint lock = iso("2027-03-04T05:06:07.089Z");

  SECTION("a new user has no second factor and twoFactorEnabled false") {
    auto user = store.find_user_by_id(ada.id);
    REQUIRE(user.ok());
    CHECK_FALSE(user->two_factor_enabled);
    CHECK(code_of(store.find_two_factor(ada.id)) == ErrorCode::kNotFound);
  }

  SECTION("put_two_factor then find_two_factor round-trips every field") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.put_two_factor(bobs).ok());
    auto found = store.find_two_factor(ada.id);
    REQUIRE(found.ok());
    check_same(*found, adas);
    CHECK_FALSE(found->verified);
    CHECK(found->failed_verification_count == 0);
    CHECK_FALSE(found->locked_until.has_value());

    // The count and the lock, through the methods that write them.
    for (std::int64_t i = 1; i <= 3; ++i) {
      auto count = store.record_two_factor_failure(adas.id, 3, lock);
      REQUIRE(count.ok());
      CHECK(*count == i);
    }
    REQUIRE(store.mark_two_factor_verified(adas.id).ok());
    auto locked = store.find_two_factor(ada.id);
    REQUIRE(locked.ok());
    TwoFactor want = adas;
    want.verified = true;
    want.failed_verification_count = 3;
    want.locked_until = lock;
    check_same(*locked, want);
    CHECK(ms(*locked->locked_until) % 1000 == 89);

    // Bob's row is his own.
    auto his = store.find_two_factor(bob.id);
    REQUIRE(his.ok());
    check_same(*his, bobs);
  }

  SECTION("put_two_factor stores verified = true as given, and clears a count and lock it is handed") {
    TwoFactor verified = adas;
    verified.verified = true;
    verified.failed_verification_count = 7;  // ignored: a new row starts clean
    verified.locked_until = lock;
    REQUIRE(store.put_two_factor(verified).ok());
    auto found = store.find_two_factor(ada.id);
    REQUIRE(found.ok());
    CHECK(found->verified);
    CHECK(found->failed_verification_count == 0);
    CHECK_FALSE(found->locked_until.has_value());
  }

  SECTION("put_two_factor over the user's row replaces it, keeping its id, and clears failures and lock") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.mark_two_factor_verified(adas.id).ok());
    REQUIRE(store.record_two_factor_failure(adas.id, 1, lock).ok());

    TwoFactor again = make_two_factor(ada.id);  // a new id, secret and codes, not verified
    REQUIRE(store.put_two_factor(again).ok());
    auto found = store.find_two_factor(ada.id);
    REQUIRE(found.ok());
    TwoFactor want = again;
    want.id = adas.id;  // the row the user had
    check_same(*found, want);
    CHECK(code_of(store.record_two_factor_failure(again.id, 10, lock)) == ErrorCode::kNotFound);
  }

  SECTION("put_two_factor for an unknown user is NOT_FOUND and writes nothing") {
    TwoFactor orphan = make_two_factor("no-such-user");
    CHECK(store.put_two_factor(orphan).code() == ErrorCode::kNotFound);
    CHECK(code_of(store.find_two_factor("no-such-user")) == ErrorCode::kNotFound);
    CHECK(store.mark_two_factor_verified(orphan.id).code() == ErrorCode::kNotFound);
  }

  SECTION("a row id another user's row has is USER_ALREADY_EXISTS") {
    REQUIRE(store.put_two_factor(adas).ok());
    TwoFactor clash = bobs;
    clash.id = adas.id;
    CHECK(store.put_two_factor(clash).code() == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_two_factor(bob.id)) == ErrorCode::kNotFound);
    auto hers = store.find_two_factor(ada.id);
    REQUIRE(hers.ok());
    check_same(*hers, adas);
  }

  SECTION("set_two_factor_enabled sets the flag and updatedAt; every read of the user shows it") {
    const Session session = make_session(ada.id, at(0), at(3600000));
    REQUIRE(store.create_session(session).ok());
    REQUIRE(store.find_session(session.token).ok());  // in the cache, where there is one
    REQUIRE(store.put_two_factor(adas).ok());

    REQUIRE(store.set_two_factor_enabled(ada.id, true, at(5000)).ok());
    User want = ada;
    want.two_factor_enabled = true;
    want.updated_at = at(5000);
    auto by_id = store.find_user_by_id(ada.id);
    REQUIRE(by_id.ok());
    check_same(*by_id, want);
    auto by_email = store.find_user_by_email("ada@example.com");
    REQUIRE(by_email.ok());
    check_same(*by_email, want);
    auto listed = store.list_users(10, 0);
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 2);
    CHECK(((*listed)[0].id == ada.id ? (*listed)[0] : (*listed)[1]).two_factor_enabled);
    auto with_session = store.find_session(session.token);
    REQUIRE(with_session.ok());
    check_same(with_session->user, want);
    // Enabling leaves the row; Bob is untouched.
    CHECK(store.find_two_factor(ada.id).ok());
    CHECK_FALSE(store.find_user_by_id(bob.id)->two_factor_enabled);

    // update_user writes the profile, never the flag, whatever the User it is handed holds.
    User profile = want;
    profile.name = "Ada King";
    profile.two_factor_enabled = false;
    profile.updated_at = at(6000);
    REQUIRE(store.update_user(profile).ok());
    auto after_update = store.find_user_by_id(ada.id);
    REQUIRE(after_update.ok());
    CHECK(after_update->name == "Ada King");
    CHECK(after_update->two_factor_enabled);
    auto session_after_update = store.find_session(session.token);
    REQUIRE(session_after_update.ok());
    CHECK(session_after_update->user.two_factor_enabled);
    CHECK(session_after_update->user.name == "Ada King");

    // Disabling clears the flag and deletes the row, in one step.
    REQUIRE(store.set_two_factor_enabled(ada.id, false, at(7000)).ok());
    auto disabled = store.find_user_by_id(ada.id);
    REQUIRE(disabled.ok());
    CHECK_FALSE(disabled->two_factor_enabled);
    CHECK(ms(disabled->updated_at) == ms(at(7000)));
    auto session_disabled = store.find_session(session.token);
    REQUIRE(session_disabled.ok());
    CHECK_FALSE(session_disabled->user.two_factor_enabled);
    CHECK(code_of(store.find_two_factor(ada.id)) == ErrorCode::kNotFound);
    CHECK(store.mark_two_factor_verified(adas.id).code() == ErrorCode::kNotFound);

    // update_user does not turn it back on either.
    profile.two_factor_enabled = true;
    REQUIRE(store.update_user(profile).ok());
    CHECK_FALSE(store.find_user_by_id(ada.id)->two_factor_enabled);
    CHECK_FALSE(store.find_session(session.token)->user.two_factor_enabled);
  }

  SECTION("set_two_factor_enabled(false) deletes only that user's row; without a row it is OK") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.put_two_factor(bobs).ok());
    REQUIRE(store.set_two_factor_enabled(ada.id, false, at(1)).ok());
    REQUIRE(store.set_two_factor_enabled(ada.id, false, at(2)).ok());
    CHECK(code_of(store.find_two_factor(ada.id)) == ErrorCode::kNotFound);
    auto his = store.find_two_factor(bob.id);
    REQUIRE(his.ok());
    check_same(*his, bobs);
  }

  SECTION("set_two_factor_enabled of an unknown user is NOT_FOUND") {
    CHECK(store.set_two_factor_enabled("no-such-user", true, at(1)).code() == ErrorCode::kNotFound);
    CHECK(store.set_two_factor_enabled("no-such-user", false, at(1)).code() == ErrorCode::kNotFound);
  }

  SECTION("mark_two_factor_verified sets verified on that row only") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.put_two_factor(bobs).ok());
    REQUIRE(store.mark_two_factor_verified(adas.id).ok());
    REQUIRE(store.mark_two_factor_verified(adas.id).ok());  // again: still OK
    CHECK(store.find_two_factor(ada.id)->verified);
    CHECK_FALSE(store.find_two_factor(bob.id)->verified);
    CHECK(store.mark_two_factor_verified("no-such-row").code() == ErrorCode::kNotFound);
  }

  SECTION("replace_backup_codes replaces only when the expected codes still match") {
    REQUIRE(store.put_two_factor(adas).ok());
    auto stale = store.replace_backup_codes(adas.id, "enc:something-else", "enc:new");
    REQUIRE(stale.ok());
    CHECK_FALSE(*stale);
    CHECK(store.find_two_factor(ada.id)->backup_codes == adas.backup_codes);

    auto replaced = store.replace_backup_codes(adas.id, adas.backup_codes, "enc:new");
    REQUIRE(replaced.ok());
    CHECK(*replaced);
    auto found = store.find_two_factor(ada.id);
    REQUIRE(found.ok());
    TwoFactor want = adas;
    want.backup_codes = "enc:new";
    check_same(*found, want);

    // The same code again: the codes it expected are gone.
    auto reused = store.replace_backup_codes(adas.id, adas.backup_codes, "enc:newer");
    REQUIRE(reused.ok());
    CHECK_FALSE(*reused);
    CHECK(store.find_two_factor(ada.id)->backup_codes == "enc:new");

    auto nowhere = store.replace_backup_codes("no-such-row", adas.backup_codes, "enc:x");
    REQUIRE(nowhere.ok());
    CHECK_FALSE(*nowhere);
  }

  SECTION("record_two_factor_failure counts, locks at max_failures, and reset clears both") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.put_two_factor(bobs).ok());
    auto first = store.record_two_factor_failure(adas.id, 3, lock);
    REQUIRE(first.ok());
    CHECK(*first == 1);
    CHECK(*store.record_two_factor_failure(adas.id, 3, lock) == 2);
    CHECK_FALSE(store.find_two_factor(ada.id)->locked_until.has_value());  // below max: no lock
    CHECK(*store.record_two_factor_failure(adas.id, 3, lock) == 3);
    auto locked = store.find_two_factor(ada.id);
    REQUIRE(locked.ok());
    CHECK(locked->failed_verification_count == 3);
    REQUIRE(locked->locked_until.has_value());
    CHECK(ms(*locked->locked_until) == ms(lock));
    // Beyond max, as BetterAuth does: counted, and the lock set to the later instant given.
    const TimePoint later = lock + milliseconds(60001);
    CHECK(*store.record_two_factor_failure(adas.id, 3, later) == 4);
    CHECK(ms(*store.find_two_factor(ada.id)->locked_until) == ms(later));
    // Bob's row is untouched.
    CHECK(store.find_two_factor(bob.id)->failed_verification_count == 0);

    REQUIRE(store.reset_two_factor_failures(adas.id).ok());
    auto reset = store.find_two_factor(ada.id);
    REQUIRE(reset.ok());
    check_same(*reset, adas);
    REQUIRE(store.reset_two_factor_failures(adas.id).ok());
    CHECK(store.reset_two_factor_failures("no-such-row").ok());
    CHECK(code_of(store.record_two_factor_failure("no-such-row", 3, lock)) == ErrorCode::kNotFound);
  }

  SECTION("delete_user takes the user's twoFactor row with it, and only that") {
    REQUIRE(store.put_two_factor(adas).ok());
    REQUIRE(store.put_two_factor(bobs).ok());
    REQUIRE(store.set_two_factor_enabled(ada.id, true, at(1)).ok());
    REQUIRE(store.delete_user(ada.id).ok());
    CHECK(code_of(store.find_two_factor(ada.id)) == ErrorCode::kNotFound);
    CHECK(store.mark_two_factor_verified(adas.id).code() == ErrorCode::kNotFound);
    CHECK(code_of(store.record_two_factor_failure(adas.id, 3, lock)) == ErrorCode::kNotFound);
    auto his = store.find_two_factor(bob.id);
    REQUIRE(his.ok());
    check_same(*his, bobs);
    // A new user with Ada's e-mail starts without a second factor.
    const User ada2 = make_user("ada@example.com");
    REQUIRE(store.create_user(ada2, credential_for(ada2)).ok());
    CHECK_FALSE(store.find_user_by_id(ada2.id)->two_factor_enabled);
    CHECK(code_of(store.find_two_factor(ada2.id)) == ErrorCode::kNotFound);
  }
}

TEST_CASE("store: twenty concurrent uses of one backup code: exactly one succeeds", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store.create_user(u, credential_for(u)).ok());

  for (int round = 0; round < 3; ++round) {
    TwoFactor row = make_two_factor(u.id);
    REQUIRE(store.put_two_factor(row).ok());
    row = *store.find_two_factor(u.id);  // the id the user's row has kept
    constexpr int kThreads = 20;
    const auto results = run_concurrently(kThreads, [&](int i) {
      return store.replace_backup_codes(row.id, row.backup_codes, "enc:spent-by-" + std::to_string(i));
    });
    int won = 0, lost = 0, failed = 0;
    int winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      const auto& r = *results[static_cast<std::size_t>(i)];
      if (!r.ok()) {
        ++failed;
        UNSCOPED_INFO("unexpected: " << r.status().code_name() << " " << r.status().message());
      } else if (*r) {
        ++won;
        winner = i;
      } else {
        ++lost;
      }
    }
    CHECK(won == 1);
    CHECK(lost == kThreads - 1);
    CHECK(failed == 0);
    auto after = store.find_two_factor(u.id);
    REQUIRE(after.ok());
    CHECK(after->backup_codes == "enc:spent-by-" + std::to_string(winner));
  }
}

TEST_CASE("store: twenty concurrent wrong codes are all counted and lock the account", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store.create_user(u, credential_for(u)).ok());
  const TwoFactor row = make_two_factor(u.id);
  REQUIRE(store.put_two_factor(row).ok());

  constexpr int kThreads = 20;
  constexpr std::int64_t kMaxFailures = 10;
  const TimePoint lock = iso("2027-03-04T05:06:07.089Z");
  const auto results =
      run_concurrently(kThreads, [&](int) { return store.record_two_factor_failure(row.id, kMaxFailures, lock); });
  // Each call saw its own count: 1..20, each once.
  std::vector<int> seen(kThreads + 1, 0);
  int failed = 0;
  for (const auto& r : results) {
    if (!r->ok()) {
      ++failed;
      UNSCOPED_INFO("unexpected: " << r->status().code_name() << " " << r->status().message());
    } else if (**r >= 1 && **r <= kThreads) {
      ++seen[static_cast<std::size_t>(**r)];
    }
  }
  CHECK(failed == 0);
  CHECK(std::count(seen.begin() + 1, seen.end(), 1) == kThreads);
  auto after = store.find_two_factor(u.id);
  REQUIRE(after.ok());
  CHECK(after->failed_verification_count == kThreads);
  REQUIRE(after->locked_until.has_value());
  CHECK(ms(*after->locked_until) == ms(lock));
}

TEST_CASE("store: signing keys (BetterAuth's jwks rows)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  SECTION("there are none at first") {
    auto keys = store.list_jwks();
    REQUIRE(keys.ok());
    CHECK(keys->empty());
  }

  // A key with every column set, and an older one with the optional ones NULL (as the plugin
  // wrote its keys before it had "alg" and "crv"); the newer is written first.
  Jwk newer = make_jwk(generate_token(), at(1000));
  newer.expires_at = at(30LL * 86400000 + 7);
  newer.alg = "EdDSA";
  newer.crv = "Ed25519";
  const Jwk older = make_jwk(generate_token(), at(-5));

  SECTION("keys are read back as written, to the millisecond, oldest first") {
    REQUIRE(store.create_jwk(newer).ok());
    REQUIRE(store.create_jwk(older).ok());
    auto keys = store.list_jwks();
    REQUIRE(keys.ok());
    REQUIRE(keys->size() == 2);
    check_same((*keys)[0], older);
    check_same((*keys)[1], newer);
    CHECK_FALSE((*keys)[0].expires_at.has_value());
    CHECK_FALSE((*keys)[0].alg.has_value());
    CHECK_FALSE((*keys)[0].crv.has_value());
  }

  SECTION("a taken id is USER_ALREADY_EXISTS and writes nothing") {
    REQUIRE(store.create_jwk(newer).ok());
    REQUIRE(store.create_jwk(older).ok());
    Jwk again = make_jwk(newer.id, at(2000));
    again.alg = "ES256";
    CHECK(store.create_jwk(again).code() == ErrorCode::kUserAlreadyExists);
    auto keys = store.list_jwks();
    REQUIRE(keys.ok());
    REQUIRE(keys->size() == 2);
    check_same((*keys)[0], older);
    check_same((*keys)[1], newer);  // the first key's values, not the refused one's
  }

  SECTION("keys made at the same instant are in order of id") {
    for (const char* id : {"kid-c", "kid-a", "kid-b"}) REQUIRE(store.create_jwk(make_jwk(id, kT0)).ok());
    REQUIRE(store.create_jwk(make_jwk("kid-z", at(-1))).ok());
    auto keys = store.list_jwks();
    REQUIRE(keys.ok());
    CHECK(ids_of(*keys) == std::vector<std::string>{"kid-z", "kid-a", "kid-b", "kid-c"});
  }
}

TEST_CASE("store: twenty concurrent creations of one key id make one key", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  // As two replicas starting together may each make the first key: one wins, the others learn.
  constexpr int kThreads = 20;
  const std::string id = generate_token();
  const auto results = run_concurrently(kThreads, [&](int i) { return store.create_jwk(make_jwk(id, at(i))); });
  int created = 0, taken = 0;
  for (const auto& r : results) {
    if (r->ok()) {
      ++created;
    } else if (r->code() == ErrorCode::kUserAlreadyExists) {
      ++taken;
    } else {
      UNSCOPED_INFO("unexpected: " << r->code_name() << " " << r->message());
    }
  }
  CHECK(created == 1);
  CHECK(taken == kThreads - 1);
  auto keys = store.list_jwks();
  REQUIRE(keys.ok());
  CHECK(ids_of(*keys) == std::vector<std::string>{id});
}

TEST_CASE("store: passkeys (BetterAuth's passkey rows)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());
  constexpr std::size_t kMax = 25;

  // `p` is stored exactly as given, under both of its keys.
  const auto check_stored = [&](const Passkey& p) {
    auto by_id = store.find_passkey(p.id);
    REQUIRE(by_id.ok());
    check_same(*by_id, p);
    auto by_credential = store.find_passkey_by_credential_id(p.credential_id);
    REQUIRE(by_credential.ok());
    check_same(*by_credential, p);
  };
  // Nothing of `p` is stored, under either key.
  const auto check_absent = [&](const Passkey& p) {
    CHECK(code_of(store.find_passkey(p.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_passkey_by_credential_id(p.credential_id)) == ErrorCode::kNotFound);
  };

  SECTION("there are none at first") {
    auto listed = store.list_passkeys(ada.id);
    REQUIRE(listed.ok());
    CHECK(listed->empty());
    CHECK(code_of(store.find_passkey("no-such-id")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_passkey_by_credential_id("no-such-credential")) == ErrorCode::kNotFound);
  }

  SECTION("passkeys are read back as written, to the millisecond, oldest first") {
    // Written newest first: a full one, one with every optional column NULL (BetterAuth's
    // "createdAt" is optional; such a row sorts first), two made at the same instant (then by id).
    Passkey newer = make_passkey(ada.id, at(86400000));
    newer.counter = 2147483647;  // the largest BetterAuth's integer column holds
    Passkey bare = make_passkey(ada.id, kT0);
    bare.name.reset();
    bare.transports.reset();
    bare.created_at.reset();
    bare.aaguid.reset();
    bare.device_type = "singleDevice";
    bare.backed_up = false;
    bare.counter = 17;
    Passkey same_b = make_passkey(ada.id, at(5));
    same_b.id = "pk-b";
    Passkey same_a = make_passkey(ada.id, at(5));
    same_a.id = "pk-a";
    Passkey bobs = make_passkey(bob.id, at(-1000));
    for (const Passkey* p : {&newer, &bare, &same_b, &same_a, &bobs}) {
      auto created = store.create_passkey(*p, kMax);
      REQUIRE(created.ok());
      CHECK(*created);
    }
    auto listed = store.list_passkeys(ada.id);
    REQUIRE(listed.ok());
    REQUIRE(ids_of(*listed) == std::vector<std::string>{bare.id, "pk-a", "pk-b", newer.id});
    check_same((*listed)[0], bare);
    check_same((*listed)[1], same_a);
    check_same((*listed)[2], same_b);
    check_same((*listed)[3], newer);
    for (const Passkey* p : {&newer, &bare, &same_b, &same_a, &bobs}) check_stored(*p);
    auto bobs_listed = store.list_passkeys(bob.id);
    REQUIRE(bobs_listed.ok());
    CHECK(ids_of(*bobs_listed) == std::vector<std::string>{bobs.id});
  }

  SECTION("a credential id is registered once, for any user; a taken id is refused; nothing is written") {
    const Passkey first = make_passkey(ada.id, kT0);
    REQUIRE(*store.create_passkey(first, kMax));

    // The same credential for another user, and again for the same one (another row id).
    for (const User* u : {&bob, &ada}) {
      Passkey again = make_passkey(u->id, at(1));
      again.credential_id = first.credential_id;
      CHECK(code_of(store.create_passkey(again, kMax)) == ErrorCode::kUserAlreadyExists);
      CHECK(code_of(store.find_passkey(again.id)) == ErrorCode::kNotFound);
    }
    // A taken row id, with a new credential id.
    Passkey same_id = make_passkey(bob.id, at(2));
    same_id.id = first.id;
    CHECK(code_of(store.create_passkey(same_id, kMax)) == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_passkey_by_credential_id(same_id.credential_id)) == ErrorCode::kNotFound);

    CHECK(ids_of(*store.list_passkeys(ada.id)) == std::vector<std::string>{first.id});
    CHECK(store.list_passkeys(bob.id)->empty());
    check_stored(first);
  }

  SECTION("a user at the limit gets false and nothing is written; other users are not limited") {
    std::vector<Passkey> made;
    for (int i = 0; i < 3; ++i) {
      made.push_back(make_passkey(ada.id, at(i)));
      auto created = store.create_passkey(made.back(), 3);
      REQUIRE(created.ok());
      CHECK(*created);
    }
    const Passkey fourth = make_passkey(ada.id, at(3));
    auto refused = store.create_passkey(fourth, 3);
    REQUIRE(refused.ok());
    CHECK_FALSE(*refused);
    check_absent(fourth);
    CHECK(store.list_passkeys(ada.id)->size() == 3);
    // A credential id taken elsewhere is still USER_ALREADY_EXISTS at the limit.
    Passkey taken = make_passkey(ada.id, at(4));
    taken.credential_id = made[0].credential_id;
    CHECK(code_of(store.create_passkey(taken, 3)) == ErrorCode::kUserAlreadyExists);
    // A limit of zero refuses any.
    const Passkey none = make_passkey(bob.id, at(5));
    CHECK_FALSE(*store.create_passkey(none, 0));
    check_absent(none);
    // The limit is per user.
    const Passkey bobs = make_passkey(bob.id, at(6));
    CHECK(*store.create_passkey(bobs, 3));
    check_stored(bobs);
    // Below the limit again after a delete.
    REQUIRE(store.delete_passkey(made[1].id, ada.id).ok());
    CHECK(*store.create_passkey(fourth, 3));
    check_stored(fourth);
    CHECK(store.list_passkeys(ada.id)->size() == 3);
  }

  SECTION("the counter is set only from the expected value") {
    const Passkey p = make_passkey(ada.id, kT0);
    const Passkey other = make_passkey(bob.id, kT0);
    REQUIRE(*store.create_passkey(p, kMax));
    REQUIRE(*store.create_passkey(other, kMax));

    auto first = store.update_passkey_counter(p.id, 0, 5);
    REQUIRE(first.ok());
    CHECK(*first);
    auto replayed = store.update_passkey_counter(p.id, 0, 6);  // the same assertion again
    REQUIRE(replayed.ok());
    CHECK_FALSE(*replayed);
    CHECK(store.find_passkey(p.id)->counter == 5);
    CHECK(*store.update_passkey_counter(p.id, 5, 2147483647));
    CHECK(store.find_passkey(p.id)->counter == 2147483647);
    CHECK_FALSE(*store.update_passkey_counter(p.id, 5, 9));
    // A value outside what the column holds matches nothing.
    CHECK_FALSE(*store.update_passkey_counter(p.id, 4294967295LL, 1));
    CHECK(store.find_passkey(p.id)->counter == 2147483647);
    // Unknown ids change nothing; the other user's passkey is untouched.
    auto unknown = store.update_passkey_counter("no-such-id", 0, 1);
    REQUIRE(unknown.ok());
    CHECK_FALSE(*unknown);
    check_stored(other);
    // Nothing else of the row changes.
    Passkey want = p;
    want.counter = 2147483647;
    check_stored(want);
  }

  SECTION("rename and delete act only on the user's own passkey") {
    Passkey p = make_passkey(ada.id, kT0);
    p.name.reset();
    REQUIRE(*store.create_passkey(p, kMax));

    // Bob cannot rename or delete Ada's passkey: NOT_FOUND, as for no passkey at all.
    CHECK(store.rename_passkey(p.id, bob.id, "Mine now").code() == ErrorCode::kNotFound);
    CHECK(store.delete_passkey(p.id, bob.id).code() == ErrorCode::kNotFound);
    CHECK(store.rename_passkey("no-such-id", ada.id, "Nope").code() == ErrorCode::kNotFound);
    CHECK(store.delete_passkey("no-such-id", ada.id).code() == ErrorCode::kNotFound);
    CHECK(store.rename_passkey(p.id, "no-such-user", "Nope").code() == ErrorCode::kNotFound);
    check_stored(p);

    REQUIRE(store.rename_passkey(p.id, ada.id, "YubiKey 5C").ok());
    Passkey renamed = p;
    renamed.name = "YubiKey 5C";
    check_stored(renamed);
    REQUIRE(store.rename_passkey(p.id, ada.id, "YubiKey 5C").ok());  // the same name again: still found
    check_stored(renamed);

    REQUIRE(store.delete_passkey(p.id, ada.id).ok());
    check_absent(p);
    CHECK(store.list_passkeys(ada.id)->empty());
    CHECK(store.delete_passkey(p.id, ada.id).code() == ErrorCode::kNotFound);
    CHECK(store.rename_passkey(p.id, ada.id, "Gone").code() == ErrorCode::kNotFound);
    // Its credential id is free again.
    Passkey again = make_passkey(bob.id, at(1));
    again.credential_id = p.credential_id;
    CHECK(*store.create_passkey(again, kMax));
  }

  SECTION("delete_user deletes the user's passkeys, and only them") {
    const Passkey a1 = make_passkey(ada.id, at(1));
    const Passkey a2 = make_passkey(ada.id, at(2));
    const Passkey b1 = make_passkey(bob.id, at(3));
    for (const Passkey* p : {&a1, &a2, &b1}) REQUIRE(*store.create_passkey(*p, kMax));
    REQUIRE(store.delete_user(ada.id).ok());
    check_absent(a1);
    check_absent(a2);
    CHECK(store.list_passkeys(ada.id)->empty());
    check_stored(b1);
    // Ada's credential ids are free again.
    Passkey again = make_passkey(bob.id, at(4));
    again.credential_id = a1.credential_id;
    CHECK(*store.create_passkey(again, kMax));
  }

  SECTION("claim_unverified_user deletes the user's passkeys, and only them, once") {
    const Passkey a1 = make_passkey(ada.id, at(1));
    const Passkey b1 = make_passkey(bob.id, at(2));
    for (const Passkey* p : {&a1, &b1}) REQUIRE(*store.create_passkey(*p, kMax));
    auto claimed = store.claim_unverified_user(ada.id, at(5));
    REQUIRE(claimed.ok());
    CHECK(*claimed);
    check_absent(a1);
    CHECK(store.list_passkeys(ada.id)->empty());
    check_stored(b1);

    // Verified now: a passkey the owner adds stays.
    const Passkey a2 = make_passkey(ada.id, at(6));
    REQUIRE(*store.create_passkey(a2, kMax));
    auto twice = store.claim_unverified_user(ada.id, at(7));
    REQUIRE(twice.ok());
    CHECK_FALSE(*twice);
    check_stored(a2);
  }

  SECTION("a user that does not exist: NOT_FOUND, nothing written; no passkeys to list") {
    const Passkey orphan = make_passkey("no-such-user", kT0);
    CHECK(code_of(store.create_passkey(orphan, kMax)) == ErrorCode::kNotFound);
    check_absent(orphan);
    auto listed = store.list_passkeys("no-such-user");
    REQUIRE(listed.ok());
    CHECK(listed->empty());
    // A deleted user too.
    REQUIRE(store.delete_user(bob.id).ok());
    const Passkey late = make_passkey(bob.id, kT0);
    CHECK(code_of(store.create_passkey(late, kMax)) == ErrorCode::kNotFound);
    check_absent(late);
  }
}

TEST_CASE("store: twenty concurrent passkey creations for one user with a limit of three make three",
          "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());

  constexpr int kThreads = 20;
  const auto results =
      run_concurrently(kThreads, [&](int i) { return store.create_passkey(make_passkey(ada.id, at(i)), 3); });
  const Tally t = tally(results);
  CHECK(t.yes == 3);
  CHECK(t.no == kThreads - 3);
  auto listed = store.list_passkeys(ada.id);
  REQUIRE(listed.ok());
  CHECK(listed->size() == 3);
}

TEST_CASE("store: twenty concurrent registrations of one credential id by different users make one",
          "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  constexpr int kThreads = 20;
  std::vector<User> users;
  for (int i = 0; i < kThreads; ++i) {
    users.push_back(make_user("user" + std::to_string(i) + "@example.com"));
    REQUIRE(store.create_user(users.back(), std::nullopt).ok());
  }
  const std::string credential_id = "Y3JlZA-" + generate_token(36);
  const auto results = run_concurrently(kThreads, [&](int i) {
    Passkey p = make_passkey(users[static_cast<std::size_t>(i)].id, at(i));
    p.credential_id = credential_id;
    return store.create_passkey(p, 25);
  });
  const Tally t = tally(results);
  CHECK(t.yes == 1);
  CHECK(t.taken == kThreads - 1);
  auto found = store.find_passkey_by_credential_id(credential_id);
  REQUIRE(found.ok());
  std::size_t rows = 0;
  for (const User& u : users) rows += store.list_passkeys(u.id)->size();
  CHECK(rows == 1);
}

TEST_CASE("store: twenty concurrent sign-ins with one assertion: one moves the counter", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  Passkey p = make_passkey(ada.id, kT0);
  p.counter = 41;
  REQUIRE(*store.create_passkey(p, 25));

  constexpr int kThreads = 20;
  const auto results = run_concurrently(kThreads, [&](int) { return store.update_passkey_counter(p.id, 41, 42); });
  const Tally t = tally(results);
  CHECK(t.yes == 1);  // moved
  CHECK(t.no == kThreads - 1);  // stale
  CHECK(store.find_passkey(p.id)->counter == 42);
}

// Every read of a user gives `want` for its id: by id, by e-mail, by username (when it has one),
// as the user of the session with `token`, in list_users and in query_users.
void check_user_reads(Store& store, const User& want, const std::string& token) {
  auto by_id = store.find_user_by_id(want.id);
  REQUIRE(by_id.ok());
  check_same(*by_id, want);
  auto by_email = store.find_user_by_email(want.email);
  REQUIRE(by_email.ok());
  check_same(*by_email, want);
  if (want.username) {
    auto by_username = store.find_user_by_username(*want.username);
    REQUIRE(by_username.ok());
    check_same(*by_username, want);
  }
  auto with_session = store.find_session(token);
  REQUIRE(with_session.ok());
  check_same(with_session->user, want);
  auto listed = store.list_users(100, 0);
  REQUIRE(listed.ok());
  const auto in_list = std::find_if(listed->begin(), listed->end(), [&](const User& u) { return u.id == want.id; });
  REQUIRE(in_list != listed->end());
  check_same(*in_list, want);
  UserQuery query;
  query.filter_field = UserField::kId;
  query.filter_value = want.id;
  auto queried = store.query_users(query);
  REQUIRE(queried.ok());
  REQUIRE(queried->users.size() == 1);
  check_same(queried->users[0], want);
}

TEST_CASE("store: roles, and the ban in every read of a user (BetterAuth's admin plugin)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  User ada = make_user("ada@example.com");
  ada.role = "admin";
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  const User bob = make_user("bob@example.com", at(1));  // no role: NULL
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());
  const Session adas = make_session(ada.id, kT0, at(3600000));
  const Session bobs = make_session(bob.id, kT0, at(3600000));
  REQUIRE(store.create_session(adas).ok());
  REQUIRE(store.create_session(bobs).ok());

  // Every read of a user gives `want` for `id` (and the session's user for `token`).
  const auto check_reads = [&](const User& want, const std::string& token) { check_user_reads(store, want, token); };

  SECTION("the role round-trips through every read; a user created without one has none") {
    check_reads(ada, adas.token);
    CHECK(store.find_user_by_id(ada.id)->role == std::optional<std::string>("admin"));
    check_reads(bob, bobs.token);
    CHECK_FALSE(store.find_user_by_id(bob.id)->role.has_value());
    CHECK_FALSE(store.find_user_by_id(bob.id)->ban.has_value());
  }

  SECTION("set_role sets and clears the role and updatedAt, and a cached session sees it at once") {
    REQUIRE(store.find_session(bobs.token).ok());  // cached, where there is a cache
    User want = bob;
    want.role = "user,admin";
    want.updated_at = at(7);
    REQUIRE(store.set_role(bob.id, want.role, at(7)).ok());
    check_reads(want, bobs.token);

    want.role.reset();
    want.updated_at = at(8);
    REQUIRE(store.set_role(bob.id, std::nullopt, at(8)).ok());
    check_reads(want, bobs.token);
    check_reads(ada, adas.token);  // untouched
  }

  SECTION("set_role of an unknown user is NOT_FOUND and writes nothing") {
    CHECK(store.set_role("nobody", std::string("admin"), at(7)).code() == ErrorCode::kNotFound);
    check_reads(ada, adas.token);
    check_reads(bob, bobs.token);
  }

  SECTION("update_user leaves the role and the ban, whatever the User it is handed holds") {
    const Ban ban{"spam", iso("2027-03-04T05:06:07.089Z")};
    REQUIRE(store.set_ban(ada.id, ban, at(3)).ok());
    const Session later = make_session(ada.id, at(4), at(3600000));  // the ban deleted adas
    REQUIRE(store.create_session(later).ok());
    User profile = ada;
    profile.name = "Ada King";
    profile.role = "user";
    profile.ban.reset();
    profile.updated_at = at(9);
    REQUIRE(store.update_user(profile).ok());
    User want = profile;
    want.role = "admin";
    want.ban = ban;
    check_reads(want, later.token);

    User bobs_profile = bob;
    bobs_profile.role = "admin";
    bobs_profile.ban = Ban{"forged", std::nullopt};
    REQUIRE(store.update_user(bobs_profile).ok());
    check_reads(bob, bobs.token);
    CHECK_FALSE(store.find_ban(bob.id)->has_value());
  }

  SECTION("set_ban's ban is in User.ban from every read, and gone once lifted") {
    const Ban ban{"spam", iso("2027-03-04T05:06:07.089Z")};
    REQUIRE(store.set_ban(bob.id, ban, at(5)).ok());
    // The ban deleted Bob's sessions; one made since shows the ban with the user.
    const Session since = make_session(bob.id, at(6), at(3600000));
    REQUIRE(store.create_session(since).ok());
    User want = bob;
    want.ban = ban;
    want.updated_at = at(5);
    check_reads(want, since.token);
    CHECK(store.find_ban(bob.id)->value() == ban);

    REQUIRE(store.set_ban(bob.id, Ban{}, at(6)).ok());  // no reason, no expiry
    const Session again = make_session(bob.id, at(7), at(3600000));
    REQUIRE(store.create_session(again).ok());
    want.ban = Ban{};
    want.updated_at = at(6);
    check_reads(want, again.token);

    REQUIRE(store.find_session(again.token).ok());  // cached, where there is a cache
    REQUIRE(store.set_ban(bob.id, std::nullopt, at(8)).ok());
    want.ban.reset();
    want.updated_at = at(8);
    check_reads(want, again.token);
    CHECK_FALSE(store.find_ban(bob.id)->has_value());
    check_reads(ada, adas.token);
  }
}

TEST_CASE("store: usernames (BetterAuth's username plugin's columns)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  // Ada has a username (stored normalised) and its display form; Bob has neither (NULL in both).
  User ada = make_user("ada@example.com");
  ada.username = "ada_l";
  ada.display_username = "Ada_L";
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  const User bob = make_user("bob@example.com", at(1));
  REQUIRE(store.create_user(bob, credential_for(bob)).ok());
  const Session adas = make_session(ada.id, kT0, at(3600000));
  const Session bobs = make_session(bob.id, kT0, at(3600000));
  REQUIRE(store.create_session(adas).ok());
  REQUIRE(store.create_session(bobs).ok());

  const auto check_reads = [&](const User& want, const std::string& token) { check_user_reads(store, want, token); };

  SECTION("both round-trip through every read; a user created without them has NULL in both") {
    check_reads(ada, adas.token);
    auto by_username = store.find_user_by_username("ada_l");
    REQUIRE(by_username.ok());
    CHECK(by_username->id == ada.id);
    CHECK(by_username->username == std::optional<std::string>("ada_l"));
    CHECK(by_username->display_username == std::optional<std::string>("Ada_L"));
    check_reads(bob, bobs.token);
    auto none = store.find_user_by_id(bob.id);
    REQUIRE(none.ok());
    CHECK_FALSE(none->username.has_value());
    CHECK_FALSE(none->display_username.has_value());
    UserQuery all;
    auto page = store.query_users(all);
    REQUIRE(page.ok());
    REQUIRE(page->users.size() == 2);
    check_same(page->users[0], ada);
    check_same(page->users[1], bob);
  }

  SECTION("find_user_by_username matches the stored value exactly; NOT_FOUND otherwise") {
    // The caller normalises: the stored value is lower case, and the display form is not looked up.
    CHECK(code_of(store.find_user_by_username("ADA_L")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("Ada_L")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("ada")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("ada_l ")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("ada%")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_username("nobody")) == ErrorCode::kNotFound);
    CHECK(store.find_user_by_username("ada_l")->id == ada.id);
  }

  SECTION("update_user sets, changes and clears them; a cached session sees it at once") {
    REQUIRE(store.find_session(bobs.token).ok());  // cached, where there is a cache
    User want = bob;
    want.username = "bob";
    want.display_username = "Bob";
    want.updated_at = at(7);
    REQUIRE(store.update_user(want).ok());
    check_reads(want, bobs.token);

    want.username = "robert";
    want.display_username = "Robert";
    want.updated_at = at(8);
    REQUIRE(store.update_user(want).ok());
    check_reads(want, bobs.token);
    CHECK(code_of(store.find_user_by_username("bob")) == ErrorCode::kNotFound);

    want.display_username.reset();  // one without the other
    want.updated_at = at(9);
    REQUIRE(store.update_user(want).ok());
    check_reads(want, bobs.token);

    want.username.reset();
    want.updated_at = at(10);
    REQUIRE(store.update_user(want).ok());
    check_reads(want, bobs.token);
    CHECK_FALSE(store.find_user_by_id(bob.id)->username.has_value());
    CHECK(code_of(store.find_user_by_username("robert")) == ErrorCode::kNotFound);
    check_reads(ada, adas.token);  // untouched

    // A username given up can be taken by another user.
    User ada_renamed = ada;
    ada_renamed.username = "countess";
    ada_renamed.display_username = "Countess";
    REQUIRE(store.update_user(ada_renamed).ok());
    want.username = "ada_l";
    want.display_username = "ADA_L";
    REQUIRE(store.update_user(want).ok());
    CHECK(store.find_user_by_username("ada_l")->id == bob.id);
    CHECK(store.find_user_by_username("countess")->id == ada.id);
  }

  SECTION("a taken username is USER_ALREADY_EXISTS on create_user, and nothing is written") {
    User twin = make_user("twin@example.com", at(2));
    twin.username = "ada_l";
    twin.display_username = "ADA_L";
    const Account twin_credential = credential_for(twin);
    const Status s = store.create_user(twin, twin_credential);
    CHECK(s.code() == ErrorCode::kUserAlreadyExists);
    CHECK(s.message().find("ada_l") == std::string::npos);
    CHECK(code_of(store.find_user_by_id(twin.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_user_by_email("twin@example.com")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_credential_account(twin.id)) == ErrorCode::kNotFound);
    auto users = store.list_users(100, 0);
    REQUIRE(users.ok());
    CHECK(users->size() == 2);
    check_reads(ada, adas.token);
    check_reads(bob, bobs.token);
  }

  SECTION("a taken username is USER_ALREADY_EXISTS on update_user, and nothing is written") {
    User changed = bob;
    changed.name = "Robert";
    changed.username = "ada_l";
    changed.display_username = "Ada_L";
    changed.updated_at = at(7);
    CHECK(store.update_user(changed).code() == ErrorCode::kUserAlreadyExists);
    check_reads(bob, bobs.token);
    check_reads(ada, adas.token);
    CHECK(store.find_user_by_username("ada_l")->id == ada.id);

    // Ada keeping her own username is no clash.
    User ada_changed = ada;
    ada_changed.name = "Ada King";
    ada_changed.display_username = "ADA_l";
    ada_changed.updated_at = at(8);
    REQUIRE(store.update_user(ada_changed).ok());
    check_reads(ada_changed, adas.token);
  }

  SECTION("users without a username coexist, in create_user and update_user") {
    const User carol = make_user("carol@example.com", at(2));
    const User dave = make_user("dave@example.com", at(3));
    REQUIRE(store.create_user(carol, credential_for(carol)).ok());
    REQUIRE(store.create_user(dave, credential_for(dave)).ok());
    User ada_without = ada;  // a second user gives hers up
    ada_without.username.reset();
    ada_without.display_username.reset();
    REQUIRE(store.update_user(ada_without).ok());
    User carol_changed = carol;
    carol_changed.name = "Carol";
    REQUIRE(store.update_user(carol_changed).ok());
    auto users = store.list_users(100, 0);
    REQUIRE(users.ok());
    REQUIRE(users->size() == 4);
    for (const User& u : *users) CHECK_FALSE(u.username.has_value());
    check_reads(ada_without, adas.token);
    check_reads(bob, bobs.token);
    CHECK(code_of(store.find_user_by_username("ada_l")) == ErrorCode::kNotFound);
  }
}

TEST_CASE("store: fifty concurrent sign-ups with one username make one user", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  std::vector<User> users;
  for (int i = 0; i < 50; ++i) {
    users.push_back(make_user("race" + std::to_string(i) + "@example.com", at(i)));
    users.back().username = "racer";
    users.back().display_username = "Racer" + std::to_string(i);
  }
  const std::size_t winner = one_of_concurrent_sign_ups(store, users);
  auto found = store.find_user_by_username("racer");
  REQUIRE(found.ok());
  CHECK(found->id == users[winner].id);
}

TEST_CASE("store: query_users searches, filters, sorts and pages (BetterAuth's admin list-users)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());

  // Four users whose every field orders them differently (names and e-mails compare alike in any
  // collation); id-2 and id-4 share a creation time, id-2 and id-3 (NULL and "user") a role.
  const auto user = [](const char* id, const char* name, const char* email, bool verified,
                       std::optional<std::string> role, std::int64_t created, std::int64_t updated) {
    User u = make_user(email, at(created));
    u.id = id;
    u.name = name;
    u.email_verified = verified;
    u.role = std::move(role);
    u.updated_at = at(updated);
    return u;
  };
  const User u1 = user("id-1", "Ada", "ada@example.com", true, "admin", 1000, 5000);
  User u2 = user("id-2", "Bob", "bob@example.org", false, std::nullopt, 2000, 4000);
  const User u3 = user("id-3", "Cyd", "cyd@example.com", true, "user", 3000, 3000);
  const User u4 = user("id-4", "Dee", "dee@sample.net", false, "user,admin", 2000, 9000);
  for (const User* u : std::vector<const User*>{&u3, &u1, &u4, &u2}) {
    REQUIRE(store.create_user(*u, credential_for(*u)).ok());
  }
  const Ban ban{"spam", std::nullopt};
  REQUIRE(store.set_ban(u2.id, ban, at(4000)).ok());  // the ban's updatedAt is u2's
  u2.ban = ban;

  const auto ids = [&](const UserQuery& q) {
    auto page = store.query_users(q);
    INFO(page.status().message());
    REQUIRE(page.ok());
    return ids_of(page->users);
  };
  const auto total = [&](const UserQuery& q) {
    auto page = store.query_users(q);
    REQUIRE(page.ok());
    return page->total;
  };
  using Ids = std::vector<std::string>;

  SECTION("no search, no filter: every user, by creation time then id, whole") {
    auto page = store.query_users(UserQuery{});
    REQUIRE(page.ok());
    CHECK(page->total == 4);
    CHECK(ids_of(page->users) == Ids{"id-1", "id-2", "id-4", "id-3"});
    REQUIRE(page->users.size() == 4);
    check_same(page->users[0], u1);
    check_same(page->users[1], u2);
    check_same(page->users[2], u4);
    check_same(page->users[3], u3);
  }

  SECTION("each sort field, both ways, ties broken by id in the same direction") {
    const std::vector<std::pair<UserField, Ids>> ascending = {
        {UserField::kId, {"id-1", "id-2", "id-3", "id-4"}},
        {UserField::kName, {"id-1", "id-2", "id-3", "id-4"}},
        {UserField::kEmail, {"id-1", "id-2", "id-3", "id-4"}},
        {UserField::kEmailVerified, {"id-2", "id-4", "id-1", "id-3"}},
        {UserField::kRole, {"id-1", "id-2", "id-3", "id-4"}},  // admin, (NULL) user, user, user,admin
        {UserField::kBanned, {"id-1", "id-3", "id-4", "id-2"}},
        {UserField::kCreatedAt, {"id-1", "id-2", "id-4", "id-3"}},
        {UserField::kUpdatedAt, {"id-3", "id-2", "id-1", "id-4"}},
    };
    for (const auto& [field, want] : ascending) {
      INFO("sort field " << static_cast<int>(field));
      UserQuery q;
      q.sort_by = field;
      CHECK(ids(q) == want);
      q.descending = true;
      CHECK(ids(q) == Ids(want.rbegin(), want.rend()));
    }
  }

  SECTION("search: contains, starts with, ends with; ignoring case; on the name or the e-mail") {
    UserQuery q;
    q.sort_by = UserField::kId;
    q.search = "EXAMPLE";
    CHECK(ids(q) == Ids{"id-1", "id-2", "id-3"});
    CHECK(total(q) == 3);
    q.search_match = TextMatch::kStartsWith;
    CHECK(ids(q).empty());
    q.search = "B";
    CHECK(ids(q) == Ids{"id-2"});
    q.search_match = TextMatch::kEndsWith;
    q.search = ".COM";
    CHECK(ids(q) == Ids{"id-1", "id-3"});
    q.search = "example";
    CHECK(ids(q).empty());

    q.search_field = UserField::kName;
    q.search_match = TextMatch::kContains;
    q.search = "d";  // Ada, Cyd, Dee: the case of neither side counts
    CHECK(ids(q) == Ids{"id-1", "id-3", "id-4"});
    q.search = "sample";  // in Dee's e-mail, not in a name
    CHECK(ids(q).empty());
    q.search_field = UserField::kEmail;
    CHECK(ids(q) == Ids{"id-4"});
    q.search_field = UserField::kName;
    q.search_match = TextMatch::kStartsWith;
    q.search = "bO";
    CHECK(ids(q) == Ids{"id-2"});
    q.search_match = TextMatch::kEndsWith;
    q.search = "EE";
    CHECK(ids(q) == Ids{"id-4"});
  }

  SECTION("search takes %, _ and \\ literally, and binds the text") {
    for (const char* name : {"100% sure", "100 percent", "a_b", "axb", "back\\slash", "backslash"}) {
      User u = make_user(std::string(name).substr(0, 3) + generate_token(6) + "@literal.test");
      u.name = name;
      REQUIRE(store.create_user(u, credential_for(u)).ok());
    }
    UserQuery q;
    q.search_field = UserField::kName;
    const auto names = [&](const char* search, TextMatch match) {
      q.search = search;
      q.search_match = match;
      auto page = store.query_users(q);
      REQUIRE(page.ok());
      std::vector<std::string> out;
      for (const User& u : page->users) out.push_back(u.name);
      std::sort(out.begin(), out.end());
      return out;
    };
    CHECK(names("%", TextMatch::kContains) == Ids{"100% sure"});
    CHECK(names("0%", TextMatch::kContains) == Ids{"100% sure"});
    CHECK(names("100%", TextMatch::kStartsWith) == Ids{"100% sure"});
    CHECK(names("10", TextMatch::kStartsWith) == Ids{"100 percent", "100% sure"});
    CHECK(names("_", TextMatch::kContains) == Ids{"a_b"});
    CHECK(names("a_b", TextMatch::kContains) == Ids{"a_b"});
    CHECK(names("_b", TextMatch::kEndsWith) == Ids{"a_b"});
    CHECK(names("\\", TextMatch::kContains) == Ids{"back\\slash"});
    CHECK(names("k\\s", TextMatch::kContains) == Ids{"back\\slash"});
    CHECK(names("\\slash", TextMatch::kEndsWith) == Ids{"back\\slash"});
    CHECK(names("\\%", TextMatch::kContains).empty());
    CHECK(names("'; DROP TABLE \"user\"; --", TextMatch::kContains).empty());
    CHECK(total(UserQuery{}) == 10);
  }

  SECTION("filter: each field equal and not equal") {
    struct Case {
      UserField field;
      const char* value;
      Ids equal;
      Ids differ;
    };
    const std::vector<Case> cases = {
        {UserField::kId, "id-2", {"id-2"}, {"id-1", "id-3", "id-4"}},
        {UserField::kName, "Cyd", {"id-3"}, {"id-1", "id-2", "id-4"}},
        {UserField::kEmail, "dee@sample.net", {"id-4"}, {"id-1", "id-2", "id-3"}},
        {UserField::kRole, "user", {"id-2", "id-3"}, {"id-1", "id-4"}},  // a NULL role is "user"
        {UserField::kRole, "admin", {"id-1"}, {"id-2", "id-3", "id-4"}},
        {UserField::kEmailVerified, "true", {"id-1", "id-3"}, {"id-2", "id-4"}},
        {UserField::kEmailVerified, "false", {"id-2", "id-4"}, {"id-1", "id-3"}},
        {UserField::kBanned, "true", {"id-2"}, {"id-1", "id-3", "id-4"}},
        {UserField::kBanned, "false", {"id-1", "id-3", "id-4"}, {"id-2"}},
        {UserField::kName, "cyd", {}, {"id-1", "id-2", "id-3", "id-4"}},  // equality is exact
    };
    for (const Case& c : cases) {
      INFO("filter field " << static_cast<int>(c.field) << " = " << c.value);
      UserQuery q;
      q.sort_by = UserField::kId;
      q.filter_field = c.field;
      q.filter_value = c.value;
      CHECK(ids(q) == c.equal);
      CHECK(total(q) == c.equal.size());
      q.filter_negate = true;
      CHECK(ids(q) == c.differ);
      CHECK(total(q) == c.differ.size());
    }

    // With a search: both must hold.
    UserQuery q;
    q.sort_by = UserField::kId;
    q.search = "example";
    q.filter_field = UserField::kRole;
    q.filter_value = "user";
    CHECK(ids(q) == Ids{"id-2", "id-3"});
  }

  SECTION("filter: a text field contains, starts or ends with the value, in any ASCII case") {
    struct Case {
      UserField field;
      const char* value;
      TextMatch match;
      Ids want;
    };
    const std::vector<Case> cases = {
        {UserField::kEmail, "EXAMPLE", TextMatch::kContains, {"id-1", "id-2", "id-3"}},
        {UserField::kEmail, ".com", TextMatch::kEndsWith, {"id-1", "id-3"}},
        {UserField::kEmail, "d", TextMatch::kStartsWith, {"id-4"}},
        {UserField::kName, "y", TextMatch::kContains, {"id-3"}},
        {UserField::kRole, "admin", TextMatch::kContains, {"id-1", "id-4"}},
        {UserField::kRole, "user", TextMatch::kStartsWith, {"id-2", "id-3", "id-4"}},  // a NULL role is "user"
        {UserField::kId, "-4", TextMatch::kEndsWith, {"id-4"}},
        {UserField::kName, "%", TextMatch::kContains, {}},  // the value's % and _ are themselves
        {UserField::kName, "_", TextMatch::kContains, {}},
    };
    for (const Case& c : cases) {
      INFO("filter field " << static_cast<int>(c.field) << " ~ " << c.value);
      UserQuery q;
      q.sort_by = UserField::kId;
      q.filter_field = c.field;
      q.filter_value = c.value;
      q.filter_match = c.match;
      CHECK(ids(q) == c.want);
      CHECK(total(q) == c.want.size());
    }
    // With a search on the same field: both must hold.
    UserQuery q;
    q.sort_by = UserField::kId;
    q.search = "example";
    q.filter_value = "b";
    q.filter_match = TextMatch::kStartsWith;
    CHECK(ids(q) == Ids{"id-2"});
  }

  SECTION("an unusable query is INTERNAL_SERVER_ERROR") {
    UserQuery matched;
    matched.filter_field = UserField::kBanned;
    matched.filter_value = "true";
    matched.filter_match = TextMatch::kContains;
    CHECK(code_of(store.query_users(matched)) == ErrorCode::kInternalServerError);
    matched.filter_field = UserField::kName;
    matched.filter_negate = true;
    CHECK(code_of(store.query_users(matched)) == ErrorCode::kInternalServerError);
    UserQuery q;
    q.filter_field = UserField::kBanned;
    q.filter_value = "yes";
    CHECK(code_of(store.query_users(q)) == ErrorCode::kInternalServerError);
    q.filter_field = UserField::kEmailVerified;
    q.filter_value = "TRUE";
    CHECK(code_of(store.query_users(q)) == ErrorCode::kInternalServerError);
    q.filter_field = UserField::kCreatedAt;
    q.filter_value = "2026-11-25T04:46:53.751Z";
    CHECK(code_of(store.query_users(q)) == ErrorCode::kInternalServerError);
    q.filter_field = UserField::kUpdatedAt;
    CHECK(code_of(store.query_users(q)) == ErrorCode::kInternalServerError);
    UserQuery search;
    search.search = "admin";
    search.search_field = UserField::kRole;
    CHECK(code_of(store.query_users(search)) == ErrorCode::kInternalServerError);
    search.search_field = UserField::kId;
    CHECK(code_of(store.query_users(search)) == ErrorCode::kInternalServerError);
    // Fields that are unusable only as a search or a filter are fine unused.
    UserQuery unused;
    unused.search_field = UserField::kCreatedAt;
    unused.filter_field = UserField::kCreatedAt;
    CHECK(store.query_users(unused).ok());
  }

  SECTION("limit and offset page through the matches; total counts them all") {
    UserQuery q;
    q.sort_by = UserField::kName;
    q.limit = 2;
    auto first = store.query_users(q);
    REQUIRE(first.ok());
    CHECK(ids_of(first->users) == Ids{"id-1", "id-2"});
    CHECK(first->total == 4);
    q.offset = 2;
    auto second = store.query_users(q);
    REQUIRE(second.ok());
    CHECK(ids_of(second->users) == Ids{"id-3", "id-4"});
    CHECK(second->total == 4);
    q.offset = 3;
    CHECK(ids(q) == Ids{"id-4"});
    q.offset = 4;
    auto past = store.query_users(q);
    REQUIRE(past.ok());
    CHECK(past->users.empty());
    CHECK(past->total == 4);
    q.offset = 0;
    q.limit = 0;
    auto none = store.query_users(q);
    REQUIRE(none.ok());
    CHECK(none->users.empty());
    CHECK(none->total == 4);

    q.limit = 1;
    q.offset = 1;
    q.filter_field = UserField::kEmailVerified;
    q.filter_value = "false";
    auto filtered = store.query_users(q);
    REQUIRE(filtered.ok());
    CHECK(ids_of(filtered->users) == Ids{"id-4"});
    CHECK(filtered->total == 2);
  }

  SECTION("nothing matches: an empty page, total 0") {
    UserQuery q;
    q.search = "nobody";
    auto page = store.query_users(q);
    REQUIRE(page.ok());
    CHECK(page->users.empty());
    CHECK(page->total == 0);
  }
}

// --- organizations (BetterAuth's organization plugin) -------------------------------------------

// An organization as the plugin writes it on creation: a fresh id, a logo and metadata (the tests
// clear them where they need NULL).
Organization make_organization(const std::string& slug, TimePoint created) {
  Organization o;
  o.id = generate_token();
  o.name = "Analytical Engines " + slug;
  o.slug = slug;
  o.logo = "https://example.com/" + slug + ".png";
  o.metadata = R"({"plan":"pro","seats":12})";
  o.created_at = created;
  return o;
}

Member make_member(const std::string& organization_id, const std::string& user_id, const std::string& role,
                   TimePoint created) {
  Member m;
  m.id = generate_token();
  m.organization_id = organization_id;
  m.user_id = user_id;
  m.role = role;
  m.created_at = created;
  return m;
}

Invitation make_invitation(const std::string& organization_id, const std::string& email,
                           const std::string& inviter_id, TimePoint created, TimePoint expires) {
  Invitation i;
  i.id = generate_token();
  i.organization_id = organization_id;
  i.email = email;
  i.role = "admin,member";
  i.status = "pending";
  i.expires_at = expires;
  i.created_at = created;
  i.inviter_id = inviter_id;
  return i;
}

std::vector<std::string> ids_of(const std::vector<Organization>& organizations) {
  std::vector<std::string> out;
  for (const Organization& o : organizations) out.push_back(o.id);
  return out;
}

std::vector<std::string> ids_of(const std::vector<Invitation>& invitations) {
  std::vector<std::string> out;
  for (const Invitation& i : invitations) out.push_back(i.id);
  return out;
}

std::vector<std::string> ids_of(const MemberPage& page) {
  std::vector<std::string> out;
  for (const MemberWithUser& m : page.members) out.push_back(m.member.id);
  return out;
}

// The invitation `i` as stored, with another status.
Invitation with_status(Invitation i, const std::string& status) {
  i.status = status;
  return i;
}

// The active organization of the session with `token`, as find_session() reads it ("<none>" if
// unset; the lookup must succeed).
std::string active_organization(Store& store, const std::string& token) {
  auto found = store.find_session(token);
  REQUIRE(found.ok());
  return found->session.active_organization_id.value_or("<none>");
}

TEST_CASE("store: organizations and members (BetterAuth's organization plugin)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com");
  const User cy = make_user("cy@example.com");
  for (const User* u : {&ada, &bob, &cy}) REQUIRE(store.create_user(*u, credential_for(*u)).ok());
  constexpr std::size_t kLimit = 100;

  SECTION("create_organization stores the organization and its creator, read back to the millisecond") {
    const Organization org = make_organization("engines", kT0);
    const Member owner = make_member(org.id, ada.id, "owner", at(1));
    auto created = store.create_organization(org, owner, std::nullopt);
    REQUIRE(created.ok());
    CHECK(*created);
    Organization bare = make_organization("bare", at(5));
    bare.logo.reset();
    bare.metadata.reset();
    REQUIRE(*store.create_organization(bare, make_member(bare.id, bob.id, "owner", at(5)), kLimit));

    auto by_id = store.find_organization(org.id);
    REQUIRE(by_id.ok());
    CHECK(*by_id == org);
    auto by_slug = store.find_organization_by_slug("engines");
    REQUIRE(by_slug.ok());
    CHECK(*by_slug == org);
    auto bare_found = store.find_organization_by_slug("bare");
    REQUIRE(bare_found.ok());
    CHECK(*bare_found == bare);
    CHECK_FALSE(bare_found->logo.has_value());
    CHECK_FALSE(bare_found->metadata.has_value());

    auto member = store.find_member(org.id, ada.id);
    REQUIRE(member.ok());
    CHECK(*member == owner);
    auto by_member_id = store.find_member_by_id(org.id, owner.id);
    REQUIRE(by_member_id.ok());
    CHECK(*by_member_id == owner);

    CHECK(code_of(store.find_organization("no-such-id")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_organization_by_slug("no-such-slug")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_organization_by_slug("Engines")) == ErrorCode::kNotFound);  // slugs are exact
    CHECK(code_of(store.find_member(org.id, bob.id)) == ErrorCode::kNotFound);        // not a member
    CHECK(code_of(store.find_member("no-such-org", ada.id)) == ErrorCode::kNotFound);
    // A member is found by its id only in its own organization.
    CHECK(code_of(store.find_member_by_id(bare.id, owner.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_member_by_id(org.id, "no-such-member")) == ErrorCode::kNotFound);
  }

  SECTION("create_organization: an unknown creator is NOT_FOUND, a taken slug or id USER_ALREADY_EXISTS; "
          "nothing is written") {
    const Organization org = make_organization("engines", kT0);
    REQUIRE(*store.create_organization(org, make_member(org.id, ada.id, "owner", kT0), kLimit));

    // No such user, with a slug that is taken too: NOT_FOUND comes first.
    Organization orphan = make_organization("engines", kT0);
    CHECK(code_of(store.create_organization(orphan, make_member(orphan.id, "no-such-user", "owner", kT0), kLimit)) ==
          ErrorCode::kNotFound);
    orphan.slug = "orphan";
    CHECK(code_of(store.create_organization(orphan, make_member(orphan.id, "no-such-user", "owner", kT0), kLimit)) ==
          ErrorCode::kNotFound);
    CHECK(code_of(store.find_organization(orphan.id)) == ErrorCode::kNotFound);

    const Organization same_slug = make_organization("engines", at(1));
    CHECK(code_of(store.create_organization(same_slug, make_member(same_slug.id, bob.id, "owner", at(1)), kLimit)) ==
          ErrorCode::kUserAlreadyExists);
    Organization same_id = make_organization("other", at(1));
    same_id.id = org.id;
    CHECK(code_of(store.create_organization(same_id, make_member(same_id.id, bob.id, "owner", at(1)), kLimit)) ==
          ErrorCode::kUserAlreadyExists);
    // A member id that is taken: the organization is not written either.
    const Organization taken_member = make_organization("taken-member", at(1));
    Member creator = make_member(taken_member.id, bob.id, "owner", at(1));
    creator.id = store.find_member(org.id, ada.id)->id;
    CHECK(code_of(store.create_organization(taken_member, creator, kLimit)) == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_organization_by_slug("taken-member")) == ErrorCode::kNotFound);

    CHECK(*store.find_organization_by_slug("engines") == org);
    auto bobs = store.list_user_organizations(bob.id);
    REQUIRE(bobs.ok());
    CHECK(bobs->empty());
  }

  SECTION("create_organization's limit counts the organizations the creator is a member of") {
    const Organization first = make_organization("first", at(1));
    const Organization second = make_organization("second", at(2));
    REQUIRE(*store.create_organization(first, make_member(first.id, ada.id, "owner", at(1)), 2));
    REQUIRE(*store.create_organization(second, make_member(second.id, ada.id, "owner", at(2)), 2));
    const Organization third = make_organization("third", at(3));
    auto refused = store.create_organization(third, make_member(third.id, ada.id, "owner", at(3)), 2);
    REQUIRE(refused.ok());
    CHECK_FALSE(*refused);
    CHECK(code_of(store.find_organization(third.id)) == ErrorCode::kNotFound);
    CHECK(ids_of(*store.list_user_organizations(ada.id)) == std::vector<std::string>{first.id, second.id});
    // No limit, or a higher one: created.
    CHECK(*store.create_organization(third, make_member(third.id, ada.id, "owner", at(3)), std::nullopt));

    // Memberships added by add_member() count too; a limit of 0 refuses every creation.
    REQUIRE(store.add_member(make_member(first.id, bob.id, "member", at(4)), kLimit).ok());
    const Organization bobs = make_organization("bobs", at(5));
    CHECK_FALSE(*store.create_organization(bobs, make_member(bobs.id, bob.id, "owner", at(5)), 1));
    CHECK_FALSE(*store.create_organization(bobs, make_member(bobs.id, cy.id, "owner", at(5)), 0));
    CHECK(*store.create_organization(bobs, make_member(bobs.id, bob.id, "owner", at(5)), 2));
  }

  SECTION("update_organization writes the name, slug, logo and metadata, and keeps created_at") {
    const Organization org = make_organization("engines", kT0);
    const Organization other = make_organization("looms", at(1));
    REQUIRE(*store.create_organization(org, make_member(org.id, ada.id, "owner", kT0), kLimit));
    REQUIRE(*store.create_organization(other, make_member(other.id, ada.id, "owner", at(1)), kLimit));

    Organization changed = org;
    changed.name = "Difference Engines";
    changed.slug = "difference";
    changed.logo.reset();
    changed.metadata = R"({"plan":"free"})";
    changed.created_at = at(999999);  // not written
    REQUIRE(store.update_organization(changed).ok());
    Organization want = changed;
    want.created_at = org.created_at;
    CHECK(*store.find_organization(org.id) == want);
    CHECK(*store.find_organization_by_slug("difference") == want);
    CHECK(code_of(store.find_organization_by_slug("engines")) == ErrorCode::kNotFound);

    // Another organization's slug is refused; the old one is free again.
    Organization clash = want;
    clash.slug = "looms";
    CHECK(store.update_organization(clash).code() == ErrorCode::kUserAlreadyExists);
    CHECK(*store.find_organization(org.id) == want);
    Organization freed = other;
    freed.slug = "engines";
    CHECK(store.update_organization(freed).ok());
    CHECK(store.update_organization(freed).ok());  // unchanged values: still found

    Organization unknown = make_organization("unknown", kT0);
    CHECK(store.update_organization(unknown).code() == ErrorCode::kNotFound);
    CHECK(code_of(store.find_organization_by_slug("unknown")) == ErrorCode::kNotFound);
  }

  SECTION("list_user_organizations: the user's, oldest first, then by id; empty for none") {
    Organization newer = make_organization("newer", at(5000));
    Organization same_b = make_organization("same-b", at(10));
    same_b.id = "org-b";
    Organization same_a = make_organization("same-a", at(10));
    same_a.id = "org-a";
    const Organization bobs = make_organization("bobs", at(1));
    REQUIRE(*store.create_organization(newer, make_member(newer.id, ada.id, "owner", at(5000)), kLimit));
    REQUIRE(*store.create_organization(same_b, make_member(same_b.id, ada.id, "owner", at(10)), kLimit));
    REQUIRE(*store.create_organization(same_a, make_member(same_a.id, bob.id, "owner", at(10)), kLimit));
    REQUIRE(*store.create_organization(bobs, make_member(bobs.id, bob.id, "owner", at(1)), kLimit));
    REQUIRE(store.add_member(make_member(same_a.id, ada.id, "member", at(20)), kLimit).ok());

    auto adas = store.list_user_organizations(ada.id);
    REQUIRE(adas.ok());
    REQUIRE(ids_of(*adas) == std::vector<std::string>{"org-a", "org-b", newer.id});
    CHECK((*adas)[0] == same_a);
    CHECK((*adas)[2] == newer);
    CHECK(ids_of(*store.list_user_organizations(bob.id)) == std::vector<std::string>{bobs.id, "org-a"});
    auto none = store.list_user_organizations(cy.id);
    REQUIRE(none.ok());
    CHECK(none->empty());
    auto unknown = store.list_user_organizations("no-such-user");
    REQUIRE(unknown.ok());
    CHECK(unknown->empty());
  }

  SECTION("add_member and list_members: the members with their users, oldest first, a page at a time") {
    const Organization org = make_organization("engines", kT0);
    const Member owner = make_member(org.id, ada.id, "owner", at(10));
    REQUIRE(*store.create_organization(org, owner, kLimit));
    Member second = make_member(org.id, cy.id, "member", at(20));
    second.id = "m-b";
    Member same_time = make_member(org.id, bob.id, "admin, member", at(20));
    same_time.id = "m-a";
    REQUIRE(store.add_member(second, kLimit).ok());
    REQUIRE(store.add_member(same_time, kLimit).ok());
    CHECK(*store.find_member(org.id, bob.id) == same_time);

    auto first_page = store.list_members(org.id, 2, 0);
    REQUIRE(first_page.ok());
    CHECK(first_page->total == 3);
    REQUIRE(ids_of(*first_page) == std::vector<std::string>{owner.id, "m-a"});
    CHECK(first_page->members[0].member == owner);
    check_same(first_page->members[0].user, ada);
    CHECK(first_page->members[1].member == same_time);
    check_same(first_page->members[1].user, bob);
    auto last_page = store.list_members(org.id, 2, 2);
    REQUIRE(last_page.ok());
    CHECK(last_page->total == 3);
    REQUIRE(ids_of(*last_page) == std::vector<std::string>{"m-b"});
    check_same(last_page->members[0].user, cy);
    auto past = store.list_members(org.id, 2, 3);
    REQUIRE(past.ok());
    CHECK(past->members.empty());
    CHECK(past->total == 3);

    auto unknown = store.list_members("no-such-org", 10, 0);
    REQUIRE(unknown.ok());
    CHECK(unknown->members.empty());
    CHECK(unknown->total == 0);
  }

  SECTION("add_member's errors, in order: NOT_FOUND, already a member, the limit, a taken id") {
    const Organization org = make_organization("engines", kT0);
    const Member owner = make_member(org.id, ada.id, "owner", kT0);
    REQUIRE(*store.create_organization(org, owner, kLimit));

    CHECK(store.add_member(make_member("no-such-org", bob.id, "member", at(1)), kLimit).code() ==
          ErrorCode::kNotFound);
    CHECK(store.add_member(make_member(org.id, "no-such-user", "member", at(1)), kLimit).code() ==
          ErrorCode::kNotFound);
    // Already a member, even at the limit.
    CHECK(store.add_member(make_member(org.id, ada.id, "admin", at(1)), 1).code() == ErrorCode::kUserIsAlreadyAMember);
    CHECK(store.add_member(make_member(org.id, bob.id, "member", at(1)), 1).code() ==
          ErrorCode::kMembershipLimitReached);
    Member taken = make_member(org.id, bob.id, "member", at(1));
    taken.id = owner.id;
    CHECK(store.add_member(taken, kLimit).code() == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_member(org.id, bob.id)) == ErrorCode::kNotFound);
    CHECK(store.list_members(org.id, 10, 0)->total == 1);

    REQUIRE(store.add_member(make_member(org.id, bob.id, "member", at(1)), 2).ok());
    CHECK(store.add_member(make_member(org.id, cy.id, "member", at(2)), 2).code() ==
          ErrorCode::kMembershipLimitReached);
    CHECK(store.add_member(make_member(org.id, cy.id, "member", at(2)), 3).ok());
  }

  SECTION("update_member_role: a role is written unless it takes the owner role from its last holder") {
    const Organization org = make_organization("engines", kT0);
    const Organization other = make_organization("looms", kT0);
    const Member owner = make_member(org.id, ada.id, "owner", at(1));
    const Member plain = make_member(org.id, bob.id, "member", at(2));
    REQUIRE(*store.create_organization(org, owner, kLimit));
    REQUIRE(*store.create_organization(other, make_member(other.id, cy.id, "owner", at(1)), kLimit));
    REQUIRE(store.add_member(plain, kLimit).ok());

    CHECK(store.update_member_role(org.id, owner.id, "admin", "owner").code() == ErrorCode::kCannotLeaveWithoutOwner);
    CHECK(store.find_member_by_id(org.id, owner.id)->role == "owner");
    // Keeping the owner role among others is fine (spaces around the roles are ignored).
    REQUIRE(store.update_member_role(org.id, owner.id, "admin, owner", "owner").ok());
    CHECK(store.find_member_by_id(org.id, owner.id)->role == "admin, owner");
    REQUIRE(store.update_member_role(org.id, plain.id, "admin", "owner").ok());
    CHECK(store.find_member_by_id(org.id, plain.id)->role == "admin");

    // With a second owner, the first may step down; then the second is the last.
    REQUIRE(store.update_member_role(org.id, plain.id, "owner", "owner").ok());
    REQUIRE(store.update_member_role(org.id, owner.id, "member", "owner").ok());
    CHECK(store.update_member_role(org.id, plain.id, "member", "owner").code() == ErrorCode::kCannotLeaveWithoutOwner);
    CHECK(store.find_member_by_id(org.id, plain.id)->role == "owner");

    // The owner role is the caller's: here "founder", which no one holds.
    REQUIRE(store.update_member_role(org.id, plain.id, "member", "founder").ok());
    CHECK(store.find_member_by_id(org.id, plain.id)->role == "member");

    CHECK(store.update_member_role(org.id, "no-such-member", "admin", "owner").code() == ErrorCode::kNotFound);
    // Another organization's member is not touched.
    const Member cys = *store.find_member(other.id, cy.id);
    CHECK(store.update_member_role(org.id, cys.id, "member", "owner").code() == ErrorCode::kNotFound);
    CHECK(store.find_member(other.id, cy.id)->role == "owner");
    CHECK(store.update_member_role("no-such-org", owner.id, "admin", "owner").code() == ErrorCode::kNotFound);
  }

  SECTION("remove_member: not the only owner; unsets the organization in that user's sessions only") {
    const Organization org = make_organization("engines", kT0);
    const Organization other = make_organization("looms", kT0);
    const Member owner = make_member(org.id, ada.id, "owner", at(1));
    const Member plain = make_member(org.id, bob.id, "member", at(2));
    REQUIRE(*store.create_organization(org, owner, kLimit));
    REQUIRE(*store.create_organization(other, make_member(other.id, bob.id, "owner", at(1)), kLimit));
    REQUIRE(store.add_member(plain, kLimit).ok());
    Session adas = make_session(ada.id, at(1), at(3600000));
    adas.active_organization_id = org.id;
    Session bobs_here = make_session(bob.id, at(2), at(3600000));
    bobs_here.active_organization_id = org.id;
    Session bobs_there = make_session(bob.id, at(3), at(3600000));
    bobs_there.active_organization_id = other.id;
    Session bobs_none = make_session(bob.id, at(4), at(3600000));
    for (const Session* s : {&adas, &bobs_here, &bobs_there, &bobs_none}) {
      REQUIRE(store.create_session(*s).ok());
      REQUIRE(store.find_session(s->token).ok());  // cached, where there is a cache
    }

    REQUIRE(store.remove_member(org.id, plain.id, "owner").ok());
    CHECK(code_of(store.find_member(org.id, bob.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_member_by_id(org.id, plain.id)) == ErrorCode::kNotFound);
    CHECK(active_organization(store, bobs_here.token) == "<none>");
    CHECK(active_organization(store, bobs_there.token) == other.id);
    CHECK(active_organization(store, bobs_none.token) == "<none>");
    CHECK(active_organization(store, adas.token) == org.id);
    Session want = bobs_here;
    want.active_organization_id.reset();
    CHECK(store.list_sessions(bob.id)->at(2) == want);  // nothing else of the session changed
    CHECK(ids_of(*store.list_user_organizations(bob.id)) == std::vector<std::string>{other.id});
    CHECK(store.remove_member(org.id, plain.id, "owner").code() == ErrorCode::kNotFound);

    // The only owner cannot go, until there is another.
    CHECK(store.remove_member(org.id, owner.id, "owner").code() == ErrorCode::kCannotLeaveAsOnlyOwner);
    CHECK(store.find_member(org.id, ada.id).ok());
    CHECK(active_organization(store, adas.token) == org.id);
    REQUIRE(store.add_member(make_member(org.id, cy.id, "admin,owner", at(5)), kLimit).ok());
    REQUIRE(store.remove_member(org.id, owner.id, "owner").ok());
    CHECK(active_organization(store, adas.token) == "<none>");
    CHECK(store.list_members(org.id, 10, 0)->total == 1);

    // Another organization's member is not touched; an unknown one is NOT_FOUND.
    const Member bobs_other = *store.find_member(other.id, bob.id);
    CHECK(store.remove_member(org.id, bobs_other.id, "owner").code() == ErrorCode::kNotFound);
    CHECK(store.find_member(other.id, bob.id).ok());
    CHECK(store.remove_member(org.id, "no-such-member", "owner").code() == ErrorCode::kNotFound);
  }

  SECTION("delete_organization deletes its members and invitations and unsets it in every session") {
    const Organization org = make_organization("engines", kT0);
    const Organization other = make_organization("looms", kT0);
    REQUIRE(*store.create_organization(org, make_member(org.id, ada.id, "owner", at(1)), kLimit));
    REQUIRE(*store.create_organization(other, make_member(other.id, ada.id, "owner", at(1)), kLimit));
    REQUIRE(store.add_member(make_member(org.id, bob.id, "member", at(2)), kLimit).ok());
    REQUIRE(store.add_member(make_member(other.id, bob.id, "member", at(2)), kLimit).ok());
    const Invitation invited = make_invitation(org.id, "dee@example.com", ada.id, at(3), at(3600000));
    const Invitation kept = make_invitation(other.id, "dee@example.com", ada.id, at(3), at(3600000));
    REQUIRE(store.create_invitation(invited, kLimit, false).ok());
    REQUIRE(store.create_invitation(kept, kLimit, false).ok());
    Session adas = make_session(ada.id, at(1), at(3600000));
    adas.active_organization_id = org.id;
    Session bobs = make_session(bob.id, at(2), at(3600000));
    bobs.active_organization_id = org.id;
    Session bobs_other = make_session(bob.id, at(3), at(3600000));
    bobs_other.active_organization_id = other.id;
    // A session of a user who is not a member may name it too (the store does not check).
    Session cys = make_session(cy.id, at(4), at(3600000));
    cys.active_organization_id = org.id;
    for (const Session* s : {&adas, &bobs, &bobs_other, &cys}) {
      REQUIRE(store.create_session(*s).ok());
      REQUIRE(store.find_session(s->token).ok());  // cached, where there is a cache
    }

    REQUIRE(store.delete_organization(org.id).ok());
    CHECK(code_of(store.find_organization(org.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_organization_by_slug("engines")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_member(org.id, ada.id)) == ErrorCode::kNotFound);
    CHECK(store.list_members(org.id, 10, 0)->total == 0);
    CHECK(store.list_invitations(org.id)->empty());
    CHECK(code_of(store.find_invitation(invited.id)) == ErrorCode::kNotFound);
    CHECK(ids_of(*store.list_invitations_to("dee@example.com")) == std::vector<std::string>{kept.id});
    for (const Session* s : {&adas, &bobs, &cys}) CHECK(active_organization(store, s->token) == "<none>");
    CHECK(active_organization(store, bobs_other.token) == other.id);
    auto bobs_sessions = store.list_sessions(bob.id);
    REQUIRE(bobs_sessions.ok());
    for (const Session& s : *bobs_sessions) {
      CHECK(s.active_organization_id.value_or("<none>") == (s.id == bobs_other.id ? other.id : "<none>"));
    }
    CHECK(ids_of(*store.list_user_organizations(ada.id)) == std::vector<std::string>{other.id});
    CHECK(store.list_members(other.id, 10, 0)->total == 2);

    CHECK(store.delete_organization(org.id).code() == ErrorCode::kNotFound);
    CHECK(store.delete_organization("no-such-org").code() == ErrorCode::kNotFound);
    // The slug is free again.
    const Organization again = make_organization("engines", at(5));
    CHECK(*store.create_organization(again, make_member(again.id, bob.id, "owner", at(5)), kLimit));
  }

  SECTION("delete_user deletes the user's memberships and the invitations it sent") {
    const Organization org = make_organization("engines", kT0);
    REQUIRE(*store.create_organization(org, make_member(org.id, ada.id, "owner", at(1)), kLimit));
    REQUIRE(store.add_member(make_member(org.id, bob.id, "admin", at(2)), kLimit).ok());
    const Invitation by_bob = make_invitation(org.id, "dee@example.com", bob.id, at(3), at(3600000));
    const Invitation to_bob = make_invitation(org.id, "bob@example.com", ada.id, at(4), at(3600000));
    REQUIRE(store.create_invitation(by_bob, kLimit, false).ok());
    REQUIRE(store.create_invitation(to_bob, kLimit, false).ok());

    REQUIRE(store.delete_user(bob.id).ok());
    CHECK(code_of(store.find_member(org.id, bob.id)) == ErrorCode::kNotFound);
    CHECK(store.list_members(org.id, 10, 0)->total == 1);
    CHECK(code_of(store.find_invitation(by_bob.id)) == ErrorCode::kNotFound);
    // An invitation to the user's address is the organization's, not the user's.
    CHECK(ids_of(*store.list_invitations(org.id)) == std::vector<std::string>{to_bob.id});
    CHECK(store.find_organization(org.id).ok());
  }
}

TEST_CASE("store: invitations (BetterAuth's organization plugin)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com");
  for (const User* u : {&ada, &bob}) REQUIRE(store.create_user(*u, credential_for(*u)).ok());
  const Organization org = make_organization("engines", kT0);
  const Organization other = make_organization("looms", kT0);
  REQUIRE(*store.create_organization(org, make_member(org.id, ada.id, "owner", kT0), std::nullopt));
  REQUIRE(*store.create_organization(other, make_member(other.id, ada.id, "owner", kT0), std::nullopt));
  constexpr std::size_t kLimit = 100;
  const TimePoint kLater = at(172800000);  // two days on

  SECTION("invitations are read back as written, oldest first, by organization and by address") {
    Invitation newer = make_invitation(org.id, "dee@example.com", ada.id, at(5000), kLater);
    Invitation no_role = make_invitation(org.id, "eve@example.com", ada.id, at(10), kLater);
    no_role.role.reset();
    no_role.id = "inv-b";
    Invitation same_time = make_invitation(other.id, "dee@example.com", ada.id, at(10), kLater);
    same_time.id = "inv-a";
    for (const Invitation* i : {&newer, &no_role, &same_time}) REQUIRE(store.create_invitation(*i, kLimit, false).ok());

    auto found = store.find_invitation(newer.id);
    REQUIRE(found.ok());
    CHECK(*found == newer);
    CHECK(*store.find_invitation("inv-b") == no_role);
    CHECK_FALSE(store.find_invitation("inv-b")->role.has_value());
    CHECK(code_of(store.find_invitation("no-such-invitation")) == ErrorCode::kNotFound);

    auto listed = store.list_invitations(org.id);
    REQUIRE(listed.ok());
    REQUIRE(ids_of(*listed) == std::vector<std::string>{"inv-b", newer.id});
    CHECK((*listed)[1] == newer);
    auto to_dee = store.list_invitations_to("dee@example.com");
    REQUIRE(to_dee.ok());
    REQUIRE(ids_of(*to_dee) == std::vector<std::string>{"inv-a", newer.id});
    CHECK((*to_dee)[0] == same_time);
    CHECK(store.list_invitations_to("DEE@example.com")->empty());  // addresses are exact
    CHECK(store.list_invitations("no-such-org")->empty());
    CHECK(store.list_invitations_to("nobody@example.com")->empty());

    // Whatever their status: a rejected one is listed too.
    REQUIRE(*store.update_pending_invitation(newer.id, "rejected", std::nullopt));
    CHECK(ids_of(*store.list_invitations(org.id)) == std::vector<std::string>{"inv-b", newer.id});
    CHECK(store.find_invitation(newer.id)->status == "rejected");
  }

  SECTION("create_invitation writes the status \"pending\"") {
    const Invitation accepted = with_status(make_invitation(org.id, "dee@example.com", ada.id, at(1), kLater),
                                            "accepted");
    REQUIRE(store.create_invitation(accepted, kLimit, false).ok());
    CHECK(*store.find_invitation(accepted.id) == with_status(accepted, "pending"));
  }

  SECTION("create_invitation's errors: NOT_FOUND, USER_ALREADY_EXISTS; nothing is written") {
    const Invitation first = make_invitation(org.id, "dee@example.com", ada.id, at(1), kLater);
    REQUIRE(store.create_invitation(first, kLimit, false).ok());
    CHECK(store.create_invitation(make_invitation("no-such-org", "eve@example.com", ada.id, at(2), kLater), kLimit,
                                  false)
              .code() == ErrorCode::kNotFound);
    CHECK(store.create_invitation(make_invitation(org.id, "eve@example.com", "no-such-user", at(2), kLater), kLimit,
                                  false)
              .code() == ErrorCode::kNotFound);
    Invitation taken = make_invitation(org.id, "eve@example.com", ada.id, at(2), kLater);
    taken.id = first.id;
    CHECK(store.create_invitation(taken, kLimit, false).code() == ErrorCode::kUserAlreadyExists);
    CHECK(ids_of(*store.list_invitations(org.id)) == std::vector<std::string>{first.id});
    CHECK(store.list_invitations_to("eve@example.com")->empty());
  }

  SECTION("a second pending invitation to one address: refused, or the first canceled with cancel_pending") {
    const Invitation first = make_invitation(org.id, "dee@example.com", ada.id, at(1), kLater);
    REQUIRE(store.create_invitation(first, kLimit, false).ok());
    const Invitation second = make_invitation(org.id, "dee@example.com", bob.id, at(2), kLater);
    CHECK(store.create_invitation(second, kLimit, false).code() == ErrorCode::kUserIsAlreadyInvited);
    CHECK(code_of(store.find_invitation(second.id)) == ErrorCode::kNotFound);
    CHECK(*store.find_invitation(first.id) == first);
    // Another organization, or another address, is another invitation.
    REQUIRE(store.create_invitation(make_invitation(other.id, "dee@example.com", ada.id, at(2), kLater), kLimit, false)
                .ok());
    REQUIRE(store.create_invitation(make_invitation(org.id, "eve@example.com", ada.id, at(2), kLater), kLimit, false)
                .ok());

    REQUIRE(store.create_invitation(second, kLimit, true).ok());
    CHECK(*store.find_invitation(first.id) == with_status(first, "canceled"));
    CHECK(*store.find_invitation(second.id) == second);
    // A canceled or rejected invitation does not count as one.
    REQUIRE(*store.update_pending_invitation(second.id, "rejected", std::nullopt));
    const Invitation third = make_invitation(org.id, "dee@example.com", ada.id, at(3), kLater);
    REQUIRE(store.create_invitation(third, kLimit, false).ok());
    // Nor does an expired pending one (expired at the new one's creation), which stays as it is,
    // even with cancel_pending.
    const Invitation expired = make_invitation(org.id, "fay@example.com", ada.id, at(-2000), at(-1000));
    REQUIRE(store.create_invitation(expired, kLimit, false).ok());
    const Invitation fresh = make_invitation(org.id, "fay@example.com", ada.id, at(4), kLater);
    REQUIRE(store.create_invitation(fresh, kLimit, false).ok());
    CHECK(*store.find_invitation(expired.id) == expired);
    CHECK(store.create_invitation(make_invitation(org.id, "fay@example.com", ada.id, at(5), kLater), kLimit, false)
              .code() == ErrorCode::kUserIsAlreadyInvited);
    // It expires at its expiresAt: one made then still sees it live, one made after does not.
    const Invitation soon = make_invitation(org.id, "gil@example.com", ada.id, at(1), at(1000));
    REQUIRE(store.create_invitation(soon, kLimit, false).ok());
    CHECK(store.create_invitation(make_invitation(org.id, "gil@example.com", ada.id, at(999), kLater), kLimit, false)
              .code() == ErrorCode::kUserIsAlreadyInvited);
    REQUIRE(store.create_invitation(make_invitation(org.id, "gil@example.com", ada.id, at(1000), kLater), kLimit,
                                    false)
                .ok());
  }

  SECTION("create_invitation's limit counts the organization's live pending invitations") {
    const Invitation live = make_invitation(org.id, "dee@example.com", ada.id, at(1), kLater);
    const Invitation second = make_invitation(org.id, "eve@example.com", ada.id, at(2), kLater);
    REQUIRE(store.create_invitation(live, 2, false).ok());
    REQUIRE(store.create_invitation(second, 2, false).ok());
    const Invitation third = make_invitation(org.id, "fay@example.com", ada.id, at(3), kLater);
    CHECK(store.create_invitation(third, 2, false).code() == ErrorCode::kInvitationLimitReached);
    CHECK(code_of(store.find_invitation(third.id)) == ErrorCode::kNotFound);
    // An expired one counts for nothing (a place is free once it expired).
    const Invitation expired = make_invitation(org.id, "hal@example.com", ada.id, at(-2000), at(-1000));
    REQUIRE(store.create_invitation(expired, 3, false).ok());
    CHECK(store.create_invitation(third, 3, false).ok());
    REQUIRE(*store.update_pending_invitation(third.id, "rejected", std::nullopt));
    // Another organization's do not count.
    REQUIRE(
        store.create_invitation(make_invitation(other.id, "fay@example.com", ada.id, at(3), kLater), 1, false).ok());
    // One no longer pending frees a place.
    CHECK(store.create_invitation(make_invitation(org.id, "ivy@example.com", ada.id, at(3), kLater), 2, false).code() ==
          ErrorCode::kInvitationLimitReached);
    REQUIRE(*store.update_pending_invitation(second.id, "canceled", std::nullopt));
    REQUIRE(store.create_invitation(make_invitation(org.id, "ivy@example.com", ada.id, at(3), kLater), 2, false).ok());
    CHECK(store.find_invitation(expired.id)->status == "pending");

    // A re-invitation with cancel_pending cancels first, then counts: at the limit after its
    // cancel, it fails and the cancel is undone.
    REQUIRE(store.create_invitation(make_invitation(org.id, "gus@example.com", ada.id, at(4), kLater), kLimit, false)
                .ok());
    const Invitation again = make_invitation(org.id, "dee@example.com", ada.id, at(5), kLater);
    CHECK(store.create_invitation(again, 2, true).code() == ErrorCode::kInvitationLimitReached);
    CHECK(store.find_invitation(live.id)->status == "pending");
    CHECK(code_of(store.find_invitation(again.id)) == ErrorCode::kNotFound);
    REQUIRE(store.create_invitation(again, 3, true).ok());
    CHECK(store.find_invitation(live.id)->status == "canceled");
  }

  SECTION("update_pending_invitation changes a pending invitation only") {
    const Invitation i = make_invitation(org.id, "dee@example.com", ada.id, at(1), kLater);
    REQUIRE(store.create_invitation(i, kLimit, false).ok());
    // Resent: still pending, with a new expiry.
    auto resent = store.update_pending_invitation(i.id, "pending", at(259200000));
    REQUIRE(resent.ok());
    CHECK(*resent);
    Invitation want = i;
    want.expires_at = at(259200000);
    CHECK(*store.find_invitation(i.id) == want);

    auto rejected = store.update_pending_invitation(i.id, "rejected", std::nullopt);
    REQUIRE(rejected.ok());
    CHECK(*rejected);
    CHECK(*store.find_invitation(i.id) == with_status(want, "rejected"));
    auto again = store.update_pending_invitation(i.id, "canceled", at(1));
    REQUIRE(again.ok());
    CHECK_FALSE(*again);
    CHECK(*store.find_invitation(i.id) == with_status(want, "rejected"));
    auto unknown = store.update_pending_invitation("no-such-invitation", "canceled", std::nullopt);
    REQUIRE(unknown.ok());
    CHECK_FALSE(*unknown);
  }

  SECTION("accept_invitation adds the member and marks it accepted, once; only while pending and unexpired") {
    const Invitation i = make_invitation(org.id, "bob@example.com", ada.id, at(1), at(10000));
    REQUIRE(store.create_invitation(i, kLimit, false).ok());
    const Member joined = make_member(org.id, bob.id, "admin,member", at(2));
    REQUIRE(store.accept_invitation(i.id, joined, kLimit, at(9999)).ok());
    CHECK(*store.find_member(org.id, bob.id) == joined);
    CHECK(*store.find_invitation(i.id) == with_status(i, "accepted"));
    CHECK(store.accept_invitation(i.id, make_member(org.id, bob.id, "member", at(3)), kLimit, at(3)).code() ==
          ErrorCode::kInvitationNotFound);
    CHECK(store.accept_invitation("no-such-invitation", make_member(org.id, bob.id, "member", at(3)), kLimit, at(3))
              .code() == ErrorCode::kInvitationNotFound);

    // Expired (it expires at the instant given: not after it), canceled, rejected: nothing is written.
    const User cy = make_user("cy@example.com");
    REQUIRE(store.create_user(cy, credential_for(cy)).ok());
    const Invitation expiring = make_invitation(org.id, "cy@example.com", ada.id, at(1), at(10000));
    REQUIRE(store.create_invitation(expiring, kLimit, false).ok());
    CHECK(store.accept_invitation(expiring.id, make_member(org.id, cy.id, "member", at(3)), kLimit, at(10000)).code() ==
          ErrorCode::kInvitationNotFound);
    CHECK(store.find_invitation(expiring.id)->status == "pending");
    CHECK(code_of(store.find_member(org.id, cy.id)) == ErrorCode::kNotFound);
    REQUIRE(*store.update_pending_invitation(expiring.id, "canceled", std::nullopt));
    CHECK(store.accept_invitation(expiring.id, make_member(org.id, cy.id, "member", at(3)), kLimit, at(3)).code() ==
          ErrorCode::kInvitationNotFound);
    CHECK(code_of(store.find_member(org.id, cy.id)) == ErrorCode::kNotFound);

    // An invitation to one organization does not make a member of another.
    const Invitation to_other = make_invitation(other.id, "cy@example.com", ada.id, at(1), at(10000));
    REQUIRE(store.create_invitation(to_other, kLimit, false).ok());
    CHECK(store.accept_invitation(to_other.id, make_member(org.id, cy.id, "member", at(3)), kLimit, at(3)).code() ==
          ErrorCode::kInvitationNotFound);
    CHECK(code_of(store.find_member(org.id, cy.id)) == ErrorCode::kNotFound);
    CHECK(store.find_invitation(to_other.id)->status == "pending");
  }

  SECTION("accept_invitation checks as add_member does; on an error the invitation stays pending") {
    const User cy = make_user("cy@example.com");
    REQUIRE(store.create_user(cy, credential_for(cy)).ok());
    const Invitation to_ada = make_invitation(org.id, "ada@example.com", bob.id, at(1), kLater);
    const Invitation to_cy = make_invitation(org.id, "cy@example.com", ada.id, at(1), kLater);
    const Invitation to_nobody = make_invitation(org.id, "nobody@example.com", ada.id, at(1), kLater);
    for (const Invitation* i : {&to_ada, &to_cy, &to_nobody}) REQUIRE(store.create_invitation(*i, kLimit, false).ok());

    CHECK(store.accept_invitation(to_ada.id, make_member(org.id, ada.id, "member", at(2)), kLimit, at(2)).code() ==
          ErrorCode::kUserIsAlreadyAMember);
    CHECK(store.accept_invitation(to_cy.id, make_member(org.id, cy.id, "member", at(2)), 1, at(2)).code() ==
          ErrorCode::kMembershipLimitReached);
    CHECK(store.accept_invitation(to_nobody.id, make_member(org.id, "no-such-user", "member", at(2)), kLimit, at(2))
              .code() == ErrorCode::kNotFound);
    Member taken = make_member(org.id, cy.id, "member", at(2));
    taken.id = store.find_member(org.id, ada.id)->id;
    CHECK(store.accept_invitation(to_cy.id, taken, kLimit, at(2)).code() == ErrorCode::kUserAlreadyExists);
    for (const Invitation* i : {&to_ada, &to_cy, &to_nobody}) CHECK(*store.find_invitation(i->id) == *i);
    CHECK(store.list_members(org.id, 10, 0)->total == 1);

    REQUIRE(store.accept_invitation(to_cy.id, make_member(org.id, cy.id, "member", at(2)), 2, at(2)).ok());
    CHECK(store.find_invitation(to_cy.id)->status == "accepted");
    CHECK(store.list_members(org.id, 10, 0)->total == 2);
  }
}

TEST_CASE("store: a session's active organization (BetterAuth's \"activeOrganizationId\")", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());

  Session chosen = make_session(ada.id, at(2), at(3600000));
  chosen.active_organization_id = "org-1";
  const Session none = make_session(ada.id, at(1), at(3600000));
  REQUIRE(store.create_session(chosen).ok());
  REQUIRE(store.create_session(none).ok());

  SECTION("it round-trips through create_session, find_session and list_sessions; touch_session keeps it") {
    auto found = store.find_session(chosen.token);
    REQUIRE(found.ok());
    CHECK(found->session == chosen);
    CHECK(store.find_session(none.token)->session == none);
    auto listed = store.list_sessions(ada.id);
    REQUIRE(listed.ok());
    CHECK(*listed == std::vector<Session>{chosen, none});
    REQUIRE(store.touch_session(chosen.token, at(7200000), at(5)).ok());
    CHECK(active_organization(store, chosen.token) == "org-1");
  }

  SECTION("set_active_organization sets or unsets it and nothing else, seen at once (through a cache too)") {
    REQUIRE(store.find_session(none.token).ok());  // cached, where there is a cache
    REQUIRE(store.find_session(chosen.token).ok());
    REQUIRE(store.set_active_organization(none.token, std::optional<std::string>("org-2")).ok());
    Session want = none;
    want.active_organization_id = "org-2";
    CHECK(store.find_session(none.token)->session == want);
    REQUIRE(store.set_active_organization(chosen.token, std::nullopt).ok());
    want = chosen;
    want.active_organization_id.reset();
    CHECK(store.find_session(chosen.token)->session == want);
    CHECK(store.list_sessions(ada.id)->at(0) == want);
    CHECK(store.set_active_organization("no-such-token", std::optional<std::string>("org-2")).code() ==
          ErrorCode::kNotFound);
  }
}

TEST_CASE("store: concurrent removals and demotions of an organization's owners leave one", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  const bool remove = GENERATE(true, false);
  INFO("backend: " << backend << (remove ? ", removals" : ", demotions"));
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  constexpr int kOwners = 10;
  std::vector<User> users;
  for (int i = 0; i < kOwners; ++i) {
    users.push_back(make_user("owner" + std::to_string(i) + "@example.com"));
    REQUIRE(store.create_user(users.back(), credential_for(users.back())).ok());
  }
  const Organization org = make_organization("engines", kT0);
  std::vector<Member> owners;
  owners.push_back(make_member(org.id, users[0].id, "owner", kT0));
  REQUIRE(*store.create_organization(org, owners[0], std::nullopt));
  for (int i = 1; i < kOwners; ++i) {
    owners.push_back(make_member(org.id, users[static_cast<std::size_t>(i)].id, "admin,owner", at(i)));
    REQUIRE(store.add_member(owners.back(), 100).ok());
  }

  const auto results = run_concurrently(kOwners, [&](int i) {
    const std::string& id = owners[static_cast<std::size_t>(i)].id;
    return remove ? store.remove_member(org.id, id, "owner") : store.update_member_role(org.id, id, "admin", "owner");
  });
  int done = 0, refused = 0;
  for (const auto& r : results) {
    if (r->ok()) {
      ++done;
    } else if (r->code() == (remove ? ErrorCode::kCannotLeaveAsOnlyOwner : ErrorCode::kCannotLeaveWithoutOwner)) {
      ++refused;
    } else {
      UNSCOPED_INFO("unexpected: " << r->code_name() << " " << r->message());
    }
  }
  CHECK(done == kOwners - 1);
  CHECK(refused == 1);
  auto left = store.list_members(org.id, 100, 0);
  REQUIRE(left.ok());
  int holding = 0;
  for (const MemberWithUser& m : left->members) holding += has_role(m.member.role, "owner") ? 1 : 0;
  CHECK(holding == 1);
  CHECK(left->total == (remove ? 1u : static_cast<std::size_t>(kOwners)));
}

TEST_CASE("store: concurrent additions to an organization stop at its membership limit", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  constexpr int kThreads = 20;
  std::vector<User> users;
  for (int i = 0; i <= kThreads; ++i) {
    users.push_back(make_user("user" + std::to_string(i) + "@example.com"));
    REQUIRE(store.create_user(users.back(), credential_for(users.back())).ok());
  }
  const Organization org = make_organization("engines", kT0);
  REQUIRE(*store.create_organization(org, make_member(org.id, users[0].id, "owner", kT0), std::nullopt));

  // Half add members directly, half accept an invitation each.
  std::vector<Invitation> invitations;
  for (int i = 1; i <= kThreads; ++i) {
    invitations.push_back(
        make_invitation(org.id, users[static_cast<std::size_t>(i)].email, users[0].id, at(i), at(3600000)));
    REQUIRE(store.create_invitation(invitations.back(), 100, false).ok());
  }
  constexpr std::size_t kLimit = 5;
  const auto results = run_concurrently(kThreads, [&](int i) {
    const Member m = make_member(org.id, users[static_cast<std::size_t>(i + 1)].id, "member", at(i));
    return i % 2 == 0 ? store.add_member(m, kLimit)
                      : store.accept_invitation(invitations[static_cast<std::size_t>(i)].id, m, kLimit, at(i));
  });
  int added = 0, refused = 0;
  for (const auto& r : results) {
    if (r->ok()) {
      ++added;
    } else if (r->code() == ErrorCode::kMembershipLimitReached) {
      ++refused;
    } else {
      UNSCOPED_INFO("unexpected: " << r->code_name() << " " << r->message());
    }
  }
  CHECK(added == static_cast<int>(kLimit) - 1);
  CHECK(refused == kThreads - added);
  CHECK(store.list_members(org.id, 100, 0)->total == kLimit);
}

TEST_CASE("store: concurrent organization creations by one user stop at its limit", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());

  constexpr int kThreads = 20;
  const auto results = run_concurrently(kThreads, [&](int i) {
    const Organization org = make_organization("org-" + std::to_string(i), at(i));
    return store.create_organization(org, make_member(org.id, ada.id, "owner", at(i)), 3);
  });
  const Tally t = tally(results);
  CHECK(t.yes == 3);
  CHECK(t.no == kThreads - 3);
  CHECK(store.list_user_organizations(ada.id)->size() == 3);
}

// --- API keys (BetterAuth's API-key plugin) -----------------------------------------------------

// A key as the plugin writes it, with every optional column set (the tests clear the ones they
// need NULL): a fresh id and a fresh stand-in for the hash (43 characters, as base64url of a
// SHA-256 is).
ApiKey make_api_key(const std::string& user_id, TimePoint created) {
  ApiKey k;
  k.id = generate_token();
  k.config_id = "default";
  k.name = "CI deploys";
  k.start = "pc_AbC";
  k.reference_id = user_id;
  k.prefix = "pc_";
  k.key_hash = generate_token(43);
  k.refill_interval_ms = 3600000;
  k.refill_amount = 100;
  k.last_refill_at = created + milliseconds(1501);
  k.enabled = true;
  k.rate_limit_enabled = true;
  k.rate_limit_time_window_ms = 86400000;
  k.rate_limit_max = 10;
  k.request_count = 3;
  k.remaining = 97;
  k.last_request = created + milliseconds(2502);
  k.expires_at = created + milliseconds(30LL * 86400000 + 3);
  k.created_at = created;
  k.updated_at = created + milliseconds(7);
  k.permissions = R"({"files":["read","write"]})";
  k.metadata = R"({"team":"ops"})";
  return k;
}

void check_same_time(const std::optional<TimePoint>& got, const std::optional<TimePoint>& want) {
  CHECK(got.has_value() == want.has_value());
  if (got && want) CHECK(ms(*got) == ms(*want));
}

void check_same_number(const std::optional<std::int64_t>& got, const std::optional<std::int64_t>& want) {
  CHECK(got.has_value() == want.has_value());
  if (got && want) CHECK(*got == *want);
}

void check_same(const ApiKey& got, const ApiKey& want) {
  CHECK(got.id == want.id);
  CHECK(got.config_id == want.config_id);
  CHECK(got.name.has_value() == want.name.has_value());
  CHECK(got.name.value_or("<null>") == want.name.value_or("<null>"));
  CHECK(got.start.value_or("<null>") == want.start.value_or("<null>"));
  CHECK(got.reference_id == want.reference_id);
  CHECK(got.prefix.value_or("<null>") == want.prefix.value_or("<null>"));
  CHECK(got.key_hash == want.key_hash);
  check_same_number(got.refill_interval_ms, want.refill_interval_ms);
  check_same_number(got.refill_amount, want.refill_amount);
  check_same_time(got.last_refill_at, want.last_refill_at);
  CHECK(got.enabled == want.enabled);
  CHECK(got.rate_limit_enabled == want.rate_limit_enabled);
  check_same_number(got.rate_limit_time_window_ms, want.rate_limit_time_window_ms);
  check_same_number(got.rate_limit_max, want.rate_limit_max);
  CHECK(got.request_count == want.request_count);
  check_same_number(got.remaining, want.remaining);
  check_same_time(got.last_request, want.last_request);
  check_same_time(got.expires_at, want.expires_at);
  CHECK(ms(got.created_at) == ms(want.created_at));
  CHECK(ms(got.updated_at) == ms(want.updated_at));
  CHECK(got.permissions.has_value() == want.permissions.has_value());
  CHECK(got.permissions.value_or("<null>") == want.permissions.value_or("<null>"));
  CHECK(got.metadata.has_value() == want.metadata.has_value());
  CHECK(got.metadata.value_or("<null>") == want.metadata.value_or("<null>"));
  CHECK(got == want);
}

std::vector<std::string> ids_of(const ApiKeyPage& page) {
  std::vector<std::string> out;
  for (const ApiKey& k : page.keys) out.push_back(k.id);
  return out;
}

// The user's keys, in the default order (createdAt, then id), all of them.
ApiKeyPage all_api_keys(Store& store, const std::string& user_id) {
  auto page = store.list_api_keys(user_id, ApiKeyOrder{}, 1000, 0);
  REQUIRE(page.ok());
  return std::move(page).value();
}

TEST_CASE("store: API keys (BetterAuth's API-key plugin)", "[store]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com");
  for (const User* u : {&ada, &bob}) REQUIRE(store.create_user(*u, credential_for(*u)).ok());
  constexpr std::size_t kMax = 100;

  // `k` is stored exactly as given, under its id and its hash.
  const auto check_stored = [&](const ApiKey& k) {
    auto by_id = store.find_api_key(k.id);
    REQUIRE(by_id.ok());
    check_same(*by_id, k);
    auto by_hash = store.find_api_key_by_hash(k.key_hash);
    REQUIRE(by_hash.ok());
    check_same(*by_hash, k);
  };

  SECTION("there are none at first") {
    auto listed = store.list_api_keys(ada.id, ApiKeyOrder{}, 10, 0);
    REQUIRE(listed.ok());
    CHECK(listed->keys.empty());
    CHECK(listed->total == 0);
    CHECK(code_of(store.find_api_key("no-such-key")) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key_by_hash("no-such-hash")) == ErrorCode::kNotFound);
    CHECK(store.delete_api_key("no-such-key", ada.id).code() == ErrorCode::kNotFound);
  }

  SECTION("keys are read back as written, every field, to the millisecond, NULLs as NULLs") {
    ApiKey full = make_api_key(ada.id, kT0);
    // The largest values BetterAuth's integer columns hold (PostgreSQL's are int4).
    full.refill_interval_ms = 2147483647;
    full.refill_amount = 2147483647;
    full.rate_limit_time_window_ms = 2147483647;
    full.rate_limit_max = 2147483647;
    full.request_count = 2147483647;
    full.remaining = 2147483647;
    full.config_id = "internal";
    // Every optional column NULL, the flags false, no requests yet; "metadata" as the plugin
    // writes none: the JSON text null.
    ApiKey bare = make_api_key(ada.id, at(1));
    bare.name.reset();
    bare.start.reset();
    bare.prefix.reset();
    bare.refill_interval_ms.reset();
    bare.refill_amount.reset();
    bare.last_refill_at.reset();
    bare.enabled = false;
    bare.rate_limit_enabled = false;
    bare.rate_limit_time_window_ms.reset();
    bare.rate_limit_max.reset();
    bare.request_count = 0;
    bare.remaining.reset();
    bare.last_request.reset();
    bare.expires_at.reset();
    bare.permissions.reset();
    bare.metadata = "null";
    ApiKey zeros = make_api_key(ada.id, at(2));  // zeros are values, not NULLs
    zeros.remaining = 0;
    zeros.refill_amount = 0;
    zeros.rate_limit_max = 0;
    zeros.name = "";
    zeros.metadata.reset();
    ApiKey bobs = make_api_key(bob.id, at(-1000));
    for (const ApiKey* k : {&full, &bare, &zeros, &bobs}) {
      auto created = store.create_api_key(*k, kMax);
      REQUIRE(created.ok());
      CHECK(*created);
    }
    for (const ApiKey* k : {&full, &bare, &zeros, &bobs}) check_stored(*k);
    const ApiKeyPage adas = all_api_keys(store, ada.id);
    CHECK(adas.total == 3);
    REQUIRE(ids_of(adas) == std::vector<std::string>{full.id, bare.id, zeros.id});
    check_same(adas.keys[0], full);
    check_same(adas.keys[1], bare);
    check_same(adas.keys[2], zeros);
    CHECK(ids_of(all_api_keys(store, bob.id)) == std::vector<std::string>{bobs.id});
  }

  SECTION("an id or a hash is taken once; an unknown owner is NOT_FOUND; nothing is written on an error") {
    const ApiKey first = make_api_key(ada.id, kT0);
    REQUIRE(*store.create_api_key(first, kMax));

    // The same hash, for another user and for the same one (another id).
    for (const User* u : {&bob, &ada}) {
      ApiKey again = make_api_key(u->id, at(1));
      again.key_hash = first.key_hash;
      CHECK(code_of(store.create_api_key(again, kMax)) == ErrorCode::kUserAlreadyExists);
      CHECK(code_of(store.find_api_key(again.id)) == ErrorCode::kNotFound);
    }
    // A taken id, with a new hash.
    ApiKey same_id = make_api_key(bob.id, at(2));
    same_id.id = first.id;
    CHECK(code_of(store.create_api_key(same_id, kMax)) == ErrorCode::kUserAlreadyExists);
    CHECK(code_of(store.find_api_key_by_hash(same_id.key_hash)) == ErrorCode::kNotFound);
    // ... also when the owner is at the limit: the error comes first.
    CHECK(code_of(store.create_api_key(same_id, 0)) == ErrorCode::kUserAlreadyExists);
    // No such user: NOT_FOUND, before a taken id.
    ApiKey orphan = make_api_key("no-such-user", at(3));
    CHECK(code_of(store.create_api_key(orphan, kMax)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key(orphan.id)) == ErrorCode::kNotFound);
    orphan.id = first.id;
    CHECK(code_of(store.create_api_key(orphan, kMax)) == ErrorCode::kNotFound);

    check_stored(first);
    CHECK(all_api_keys(store, ada.id).total == 1);
    CHECK(all_api_keys(store, bob.id).total == 0);
  }

  SECTION("create_api_key stops at the owner's limit and writes nothing then") {
    constexpr std::size_t kLimit = 2;
    const ApiKey k1 = make_api_key(ada.id, at(1));
    const ApiKey k2 = make_api_key(ada.id, at(2));
    const ApiKey k3 = make_api_key(ada.id, at(3));
    CHECK(*store.create_api_key(k1, kLimit));
    CHECK(*store.create_api_key(k2, kLimit));
    auto third = store.create_api_key(k3, kLimit);
    REQUIRE(third.ok());
    CHECK_FALSE(*third);
    CHECK(code_of(store.find_api_key(k3.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key_by_hash(k3.key_hash)) == ErrorCode::kNotFound);
    CHECK(all_api_keys(store, ada.id).total == 2);
    // Another user's count is its own; a limit of 0 allows none.
    CHECK(*store.create_api_key(make_api_key(bob.id, at(4)), kLimit));
    CHECK_FALSE(*store.create_api_key(make_api_key(bob.id, at(5)), 0));
    // Deleting one makes room.
    REQUIRE(store.delete_api_key(k1.id, ada.id).ok());
    CHECK(*store.create_api_key(k3, kLimit));
    CHECK(ids_of(all_api_keys(store, ada.id)) == std::vector<std::string>{k2.id, k3.id});
  }

  SECTION("list_api_keys sorts by each field both ways, ties by id ascending, NULLs first ascending") {
    // Ids whose byte order ("AK-3" < "ak-1") is not a case-insensitive collation's; names likewise
    // ("Alpha" < "alpha" < "beta").
    struct Spec {
      const char* id;
      std::int64_t created, updated;
      std::optional<std::string> name;
      std::optional<std::int64_t> expires, last_request;
      bool enabled;
      std::optional<std::int64_t> remaining;
      std::int64_t request_count;
    };
    const Spec specs[] = {
        {"ak-4", 5, 50, "alpha", std::nullopt, 10, false, 5, 7},
        {"ak-2", 10, 30, std::nullopt, std::nullopt, 20, false, std::nullopt, 2},
        {"ak-1", 0, 40, "beta", 300, std::nullopt, true, 5, 2},
        {"AK-3", 10, 20, "Alpha", 100, 20, true, 0, 0},
    };
    for (const Spec& s : specs) {
      ApiKey k = make_api_key(ada.id, at(s.created));
      k.id = s.id;
      k.updated_at = at(s.updated);
      k.name = s.name;
      k.expires_at = s.expires ? std::optional<TimePoint>(at(*s.expires)) : std::nullopt;
      k.last_request = s.last_request ? std::optional<TimePoint>(at(*s.last_request)) : std::nullopt;
      k.enabled = s.enabled;
      k.remaining = s.remaining;
      k.request_count = s.request_count;
      REQUIRE(*store.create_api_key(k, kMax));
    }
    REQUIRE(*store.create_api_key(make_api_key(bob.id, at(1)), kMax));  // never in ada's lists

    using Ids = std::vector<std::string>;
    struct Want {
      ApiKeyField field;
      Ids ascending, descending;
    };
    const Want wants[] = {
        {ApiKeyField::kCreatedAt, {"ak-1", "ak-4", "AK-3", "ak-2"}, {"AK-3", "ak-2", "ak-4", "ak-1"}},
        {ApiKeyField::kUpdatedAt, {"AK-3", "ak-2", "ak-1", "ak-4"}, {"ak-4", "ak-1", "ak-2", "AK-3"}},
        {ApiKeyField::kName, {"ak-2", "AK-3", "ak-4", "ak-1"}, {"ak-1", "ak-4", "AK-3", "ak-2"}},
        {ApiKeyField::kExpiresAt, {"ak-2", "ak-4", "AK-3", "ak-1"}, {"ak-1", "AK-3", "ak-2", "ak-4"}},
        {ApiKeyField::kLastRequest, {"ak-1", "ak-4", "AK-3", "ak-2"}, {"AK-3", "ak-2", "ak-4", "ak-1"}},
        {ApiKeyField::kEnabled, {"ak-2", "ak-4", "AK-3", "ak-1"}, {"AK-3", "ak-1", "ak-2", "ak-4"}},
        {ApiKeyField::kRemaining, {"ak-2", "AK-3", "ak-1", "ak-4"}, {"ak-1", "ak-4", "AK-3", "ak-2"}},
        {ApiKeyField::kRequestCount, {"AK-3", "ak-1", "ak-2", "ak-4"}, {"ak-4", "ak-1", "ak-2", "AK-3"}},
    };
    for (const Want& w : wants) {
      for (const bool descending : {false, true}) {
        INFO("field " << static_cast<int>(w.field) << (descending ? " descending" : " ascending"));
        auto page = store.list_api_keys(ada.id, ApiKeyOrder{w.field, descending}, 10, 0);
        REQUIRE(page.ok());
        CHECK(ids_of(*page) == (descending ? w.descending : w.ascending));
        CHECK(page->total == 4);
        // The same order page by page.
        Ids paged;
        for (std::size_t offset = 0; offset < 4; offset += 3) {
          auto part = store.list_api_keys(ada.id, ApiKeyOrder{w.field, descending}, 3, offset);
          REQUIRE(part.ok());
          CHECK(part->total == 4);
          for (const ApiKey& k : part->keys) paged.push_back(k.id);
        }
        CHECK(paged == (descending ? w.descending : w.ascending));
      }
    }

    // Paging: LIMIT and OFFSET, with the total of all of the user's keys.
    const ApiKeyOrder by_created{};
    auto middle = store.list_api_keys(ada.id, by_created, 2, 1);
    REQUIRE(middle.ok());
    CHECK(ids_of(*middle) == Ids{"ak-4", "AK-3"});
    CHECK(middle->total == 4);
    check_same(middle->keys[0], *store.find_api_key("ak-4"));
    for (const auto& [limit, offset] : {std::pair<std::size_t, std::size_t>{0, 0}, {10, 4}, {10, 100}}) {
      auto empty = store.list_api_keys(ada.id, by_created, limit, offset);
      REQUIRE(empty.ok());
      CHECK(empty->keys.empty());
      CHECK(empty->total == 4);
    }
    auto last = store.list_api_keys(ada.id, by_created, 10, 3);
    REQUIRE(last.ok());
    CHECK(ids_of(*last) == Ids{"ak-2"});
    auto huge = store.list_api_keys(ada.id, by_created, std::numeric_limits<std::size_t>::max(), 0);
    REQUIRE(huge.ok());
    CHECK(huge->keys.size() == 4);
    auto nobody = store.list_api_keys("no-such-user", by_created, 10, 0);
    REQUIRE(nobody.ok());
    CHECK(nobody->keys.empty());
    CHECK(nobody->total == 0);
  }

  SECTION("change_api_key writes every field but id, referenceId, key and createdAt, and returns the row") {
    const ApiKey before = make_api_key(ada.id, kT0);
    const ApiKey other = make_api_key(ada.id, at(1));
    REQUIRE(*store.create_api_key(before, kMax));
    REQUIRE(*store.create_api_key(other, kMax));
    int calls = 0;
    auto changed = store.change_api_key(before.id, [&](ApiKey& k) {
      ++calls;
      check_same(k, before);  // the row as stored
      k.id = "another-id";
      k.reference_id = bob.id;
      k.key_hash = "another-hash";
      k.created_at = at(999);
      k.config_id = "internal";
      k.name = "renamed";
      k.start.reset();
      k.prefix = "sk_";
      k.refill_interval_ms = 60000;
      k.refill_amount.reset();
      k.last_refill_at = at(123456);
      k.enabled = false;
      k.rate_limit_enabled = false;
      k.rate_limit_time_window_ms = 1000;
      k.rate_limit_max.reset();
      k.request_count = 42;
      k.remaining = 0;
      k.last_request.reset();
      k.expires_at = at(7 * 86400000LL + 9);
      k.updated_at = at(654321);
      k.permissions.reset();
      k.metadata = "null";
      return Status::OK();
    });
    REQUIRE(changed.ok());
    CHECK(calls == 1);
    ApiKey want = before;
    want.config_id = "internal";
    want.name = "renamed";
    want.start.reset();
    want.prefix = "sk_";
    want.refill_interval_ms = 60000;
    want.refill_amount.reset();
    want.last_refill_at = at(123456);
    want.enabled = false;
    want.rate_limit_enabled = false;
    want.rate_limit_time_window_ms = 1000;
    want.rate_limit_max.reset();
    want.request_count = 42;
    want.remaining = 0;
    want.last_request.reset();
    want.expires_at = at(7 * 86400000LL + 9);
    want.updated_at = at(654321);
    want.permissions.reset();
    want.metadata = "null";
    check_same(*changed, want);
    check_stored(want);
    check_stored(other);  // no other row changed
    CHECK(code_of(store.find_api_key("another-id")) == ErrorCode::kNotFound);
    CHECK(all_api_keys(store, bob.id).total == 0);

    // And back: NULLs become values again.
    auto restored = store.change_api_key(before.id, [&](ApiKey& k) {
      check_same(k, want);
      k = before;
      return Status::OK();
    });
    REQUIRE(restored.ok());
    check_same(*restored, before);
    check_stored(before);
  }

  SECTION("change_api_key: an error of the change writes nothing and is returned as it is") {
    const ApiKey key = make_api_key(ada.id, kT0);
    REQUIRE(*store.create_api_key(key, kMax));
    int calls = 0;
    auto refused = store.change_api_key(key.id, [&](ApiKey& k) {
      ++calls;
      k.request_count += 1;
      k.enabled = false;
      k.name = "half-done";
      return Status(ErrorCode::kValidationError, "the change's own words");
    });
    REQUIRE_FALSE(refused.ok());
    CHECK(calls == 1);
    CHECK(refused.status().code() == ErrorCode::kValidationError);
    CHECK(refused.status().message() == "the change's own words");
    check_stored(key);
  }

  SECTION("change_api_key: NOT_FOUND for an unknown key, without calling the change") {
    bool called = false;
    auto missing = store.change_api_key("no-such-key", [&](ApiKey&) {
      called = true;
      return Status::OK();
    });
    CHECK(code_of(missing) == ErrorCode::kNotFound);
    CHECK_FALSE(called);
  }

  SECTION("delete_api_key deletes the owner's key only") {
    const ApiKey adas = make_api_key(ada.id, kT0);
    const ApiKey adas_other = make_api_key(ada.id, at(1));
    REQUIRE(*store.create_api_key(adas, kMax));
    REQUIRE(*store.create_api_key(adas_other, kMax));
    CHECK(store.delete_api_key(adas.id, bob.id).code() == ErrorCode::kNotFound);
    check_stored(adas);
    REQUIRE(store.delete_api_key(adas.id, ada.id).ok());
    CHECK(code_of(store.find_api_key(adas.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key_by_hash(adas.key_hash)) == ErrorCode::kNotFound);
    CHECK(store.delete_api_key(adas.id, ada.id).code() == ErrorCode::kNotFound);
    check_stored(adas_other);
  }

  SECTION("delete_user deletes the user's keys, and no one else's") {
    const ApiKey a1 = make_api_key(ada.id, kT0);
    const ApiKey a2 = make_api_key(ada.id, at(1));
    const ApiKey b1 = make_api_key(bob.id, at(2));
    for (const ApiKey* k : {&a1, &a2, &b1}) REQUIRE(*store.create_api_key(*k, kMax));
    REQUIRE(store.delete_user(ada.id).ok());
    CHECK(code_of(store.find_api_key(a1.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key_by_hash(a2.key_hash)) == ErrorCode::kNotFound);
    CHECK(all_api_keys(store, ada.id).total == 0);
    check_stored(b1);
    // A key cannot be made for the deleted user.
    CHECK(code_of(store.create_api_key(make_api_key(ada.id, at(3)), kMax)) == ErrorCode::kNotFound);
  }

  SECTION("delete_expired deletes keys that expired before now, keeps the others and those that never expire") {
    ApiKey expired = make_api_key(ada.id, kT0);
    expired.expires_at = at(-1);
    ApiKey expired_bobs = make_api_key(bob.id, kT0);
    expired_bobs.expires_at = at(-86400000);
    ApiKey now = make_api_key(ada.id, kT0);
    now.expires_at = kT0;  // not before now: kept
    ApiKey live = make_api_key(ada.id, kT0);
    live.expires_at = at(1);
    ApiKey forever = make_api_key(ada.id, kT0);
    forever.expires_at.reset();
    for (const ApiKey* k : {&expired, &expired_bobs, &now, &live, &forever}) REQUIRE(*store.create_api_key(*k, kMax));
    auto deleted = store.delete_expired(kT0);
    REQUIRE(deleted.ok());
    CHECK(*deleted == 2);
    CHECK(code_of(store.find_api_key(expired.id)) == ErrorCode::kNotFound);
    CHECK(code_of(store.find_api_key(expired_bobs.id)) == ErrorCode::kNotFound);
    for (const ApiKey* k : {&now, &live, &forever}) check_stored(*k);
    auto again = store.delete_expired(kT0);
    REQUIRE(again.ok());
    CHECK(*again == 0);
  }
}

TEST_CASE("store: twenty concurrent changes of one API key's request count all count", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());
  ApiKey key = make_api_key(ada.id, kT0);
  key.request_count = 0;
  REQUIRE(*store.create_api_key(key, 100));

  constexpr int kThreads = 20;
  std::vector<std::int64_t> seen(kThreads, -1);  // the count each change wrote
  const auto results = run_concurrently(kThreads, [&](int i) -> Result<bool> {
    auto changed = store.change_api_key(key.id, [&](ApiKey& k) {
      k.request_count += 1;
      k.last_request = at(i);
      return Status::OK();
    });
    if (!changed.ok()) return changed.status();
    seen[static_cast<std::size_t>(i)] = changed->request_count;
    return true;
  });
  const Tally t = tally(results);
  CHECK(t.yes == kThreads);
  CHECK(store.find_api_key(key.id)->request_count == kThreads);
  // Each change read what the one before it wrote: the counts written are 1..20, once each.
  std::sort(seen.begin(), seen.end());
  for (int i = 0; i < kThreads; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i + 1);
}

TEST_CASE("store: twenty concurrent API-key creations for one user with a limit of three make three",
          "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store.create_user(ada, credential_for(ada)).ok());

  constexpr int kThreads = 20;
  const auto results =
      run_concurrently(kThreads, [&](int i) { return store.create_api_key(make_api_key(ada.id, at(i)), 3); });
  const Tally t = tally(results);
  CHECK(t.yes == 3);
  CHECK(t.no == kThreads - 3);
  CHECK(all_api_keys(store, ada.id).total == 3);
}

TEST_CASE("store: twenty concurrent creations of one key hash by different users make one", "[store][concurrency]") {
  const std::string backend = GENERATE(from_range(testing::backend_names()));
  INFO("backend: " << backend);
  auto instance = make_backend(backend);
  Store& store = instance->store();
  REQUIRE(store.migrate().ok());
  constexpr int kThreads = 20;
  std::vector<User> users;
  for (int i = 0; i < kThreads; ++i) {
    users.push_back(make_user("user" + std::to_string(i) + "@example.com"));
    REQUIRE(store.create_user(users.back(), credential_for(users.back())).ok());
  }
  const std::string hash = generate_token(43);
  const auto results = run_concurrently(kThreads, [&](int i) {
    ApiKey k = make_api_key(users[static_cast<std::size_t>(i)].id, at(i));
    k.key_hash = hash;
    return store.create_api_key(k, 100);
  });
  const Tally t = tally(results);
  CHECK(t.yes == 1);
  CHECK(t.taken == kThreads - 1);
  auto found = store.find_api_key_by_hash(hash);
  REQUIRE(found.ok());
  CHECK(found->key_hash == hash);
}

// ================================================================================================
// SQLite only: the file itself.
// ================================================================================================

// BetterAuth's DDL, as its SQLite migration generator writes it.
constexpr const char* kBetterAuthSchema = R"sql(
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique,
  "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null);
create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique,
  "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text,
  "userId" text not null references "user" ("id") on delete cascade);
create table "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null,
  "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text,
  "idToken" text, "accessTokenExpiresAt" date, "refreshTokenExpiresAt" date, "scope" text, "password" text,
  "createdAt" date not null, "updatedAt" date not null);
create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null,
  "expiresAt" date not null, "createdAt" date not null, "updatedAt" date not null);
)sql";

constexpr const char* kBetterAuthRows = R"sql(
insert into "user" values ('Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'Ada', 'ada@example.com', 1, null,
  '2026-11-25T04:46:53.751Z', '2026-11-25T04:47:00.002Z');
insert into "account" values ('Ac1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'credential',
  'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null, null, null, null, null, null,
  '0123456789abcdef0123456789abcdef:fedcba98', '2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z');
insert into "session" values ('Se1s2S3s4S5s6S7s8S9s0S1s2S3s4S5s', '2026-12-02T04:46:53.800Z',
  'Tk0kTk1kTk2kTk3kTk4kTk5kTk6kTk7k', '2026-11-25T04:46:53.800Z', '2026-11-25 04:46:53', '', 'node', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5');
insert into "verification" values ('Ve1v2V3v4V5v6V7v8V9v0V1v2V3v4V5v', 'reset-password:tok', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5',
  '2026-11-25T05:46:53.751Z', '2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z');
)sql";

// An older two-factor plugin's table: no "verified", no lockout columns (and, as here, a user
// table that never had "twoFactorEnabled").
constexpr const char* kOldTwoFactorSchema = R"sql(
create table "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null,
  "userId" text not null references "user" ("id") on delete cascade);
insert into "twoFactor" values ('Tf1t2T3t4T5t6T7t8T9t0T1t2T3t4T5t', 'enc-secret', 'enc-codes',
  'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5');
)sql";

// An older jwt plugin's table: no "expiresAt", "alg" or "crv".
constexpr const char* kOldJwksSchema = R"sql(
create table "jwks" ("id" text not null primary key, "publicKey" text not null, "privateKey" text not null,
  "createdAt" date not null);
insert into "jwks" values ('Jk1j2J3j4J5j6J7j8J9j0J1j2J3j4J5j', '{"crv":"Ed25519","x":"pub","kty":"OKP"}',
  '"enc-private"', '2026-11-25T04:46:53.751Z');
)sql";

TEST_CASE("sqlite: a BetterAuth database opens as it is and gains what is missing", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthRows);
    raw.exec(kOldTwoFactorSchema);
    raw.exec(kOldJwksSchema);
  }
  auto store = open_sqlite(file.path().string());
  auto v0 = store->schema_version();
  REQUIRE(v0.ok());
  CHECK(*v0 == 0);
  REQUIRE(store->migrate().ok());
  auto v1 = store->schema_version();
  REQUIRE(v1.ok());
  CHECK(*v1 == kLatestSchemaVersion);

  const std::string user_id = "Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5";
  auto user = store->find_user_by_email("ada@example.com");
  REQUIRE(user.ok());
  CHECK(user->id == user_id);
  CHECK(user->name == "Ada");
  CHECK(user->email_verified);
  CHECK_FALSE(user->image.has_value());
  CHECK(ms(user->created_at) == ms(iso("2026-11-25T04:46:53.751Z")));
  CHECK(ms(user->updated_at) == ms(iso("2026-11-25T04:47:00.002Z")));
  CHECK_FALSE(user->username.has_value());  // the username plugin's columns, added NULL
  CHECK_FALSE(user->display_username.has_value());

  auto account = store->find_credential_account(user_id);
  REQUIRE(account.ok());
  CHECK(account->id == "Ac1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p");
  CHECK(account->account_id == user_id);
  CHECK(account->password == std::optional<std::string>("0123456789abcdef0123456789abcdef:fedcba98"));

  auto session = store->find_session("Tk0kTk1kTk2kTk3kTk4kTk5kTk6kTk7k");
  REQUIRE(session.ok());
  CHECK(session->user.id == user_id);
  CHECK(ms(session->session.expires_at) == ms(iso("2026-12-02T04:46:53.800Z")));
  CHECK(ms(session->session.updated_at) == ms(iso("2026-11-25T04:46:53.000Z")));  // SQLite's own format
  CHECK(session->session.ip_address == std::optional<std::string>(""));
  CHECK(session->session.user_agent == std::optional<std::string>("node"));
  CHECK_FALSE(session->session.impersonated_by.has_value());  // the admin plugin's column, added NULL

  auto verification = store->consume_verification("reset-password:tok");
  REQUIRE(verification.ok());
  CHECK(verification->value == user_id);

  // The rateLimit table and the indexes were added.
  CHECK(store->rate_limit_hit("k", milliseconds(1000), 1, kT0).ok());
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from sqlite_master where type = 'index' and name in "
                   "('session_userId_idx', 'account_userId_idx', 'verification_identifier_idx')") == "3");
  CHECK(raw.scalar("select count(*) from \"user\"") == "1");
  CHECK(raw.scalar("select count(*) from \"session\"") == "1");
  CHECK(raw.scalar("select count(*) from \"account\"") == "1");
  CHECK(raw.scalar("select count(*) from \"rateLimit\"") == "1");
  // BetterAuth's session columns (in its generator's order), and the admin plugin's and the
  // organization plugin's added after them.
  CHECK(raw.scalar("select group_concat(\"name\" || ' ' || lower(\"type\"), ',') from pragma_table_info('session')") ==
        "id text,expiresAt date,token text,createdAt date,updatedAt date,ipAddress text,userAgent text,userId text,"
        "impersonatedBy text,activeOrganizationId text");

  // The two-factor plugin's columns were added, its rows kept and read with the added columns'
  // defaults: the old row is verified (it predates the flag), without failures.
  CHECK(raw.scalar("select group_concat(\"name\", ',') from pragma_table_info('twoFactor')") ==
        "id,secret,backupCodes,userId,verified,failedVerificationCount,lockedUntil");
  CHECK(raw.scalar("select count(*) from pragma_table_info('user') where \"name\" = 'twoFactorEnabled'") == "1");
  // BetterAuth's user columns, and the plugins' added after them.
  CHECK(raw.scalar("select group_concat(\"name\" || ' ' || lower(\"type\"), ',') from pragma_table_info('user')") ==
        "id text,name text,email text,emailVerified integer,image text,createdAt date,updatedAt date,"
        "twoFactorEnabled integer,banned integer,banReason text,banExpires date,role text,username text,"
        "displayUsername text");
  CHECK(raw.scalar("select count(*) from pragma_index_list('user') where \"name\" = 'user_username_uidx' and "
                   "\"unique\" = 1") == "1");
  CHECK(raw.scalar("select count(*) from sqlite_master where type = 'index' and name in "
                   "('twoFactor_userId_idx', 'twoFactor_secret_idx')") == "2");
  CHECK_FALSE(user->two_factor_enabled);
  auto two_factor = store->find_two_factor(user_id);
  REQUIRE(two_factor.ok());
  CHECK(two_factor->id == "Tf1t2T3t4T5t6T7t8T9t0T1t2T3t4T5t");
  CHECK(two_factor->secret == "enc-secret");
  CHECK(two_factor->backup_codes == "enc-codes");
  CHECK(two_factor->verified);
  CHECK(two_factor->failed_verification_count == 0);
  CHECK_FALSE(two_factor->locked_until.has_value());
  // And it works: the flag, the count, the lock, the codes.
  REQUIRE(store->set_two_factor_enabled(user_id, true, kT0).ok());
  CHECK(store->find_user_by_id(user_id)->two_factor_enabled);
  CHECK(store->find_session("Tk0kTk1kTk2kTk3kTk4kTk5kTk6kTk7k")->user.two_factor_enabled);
  CHECK(*store->record_two_factor_failure(two_factor->id, 1, at(900000)) == 1);
  CHECK(ms(*store->find_two_factor(user_id)->locked_until) == ms(at(900000)));
  CHECK(*store->replace_backup_codes(two_factor->id, "enc-codes", "enc-codes-2"));
  REQUIRE(store->delete_user(user_id).ok());
  CHECK(raw.scalar("select count(*) from \"twoFactor\"") == "0");

  // The jwt plugin's columns were added, its key kept and read with them NULL: no expiry, the
  // plugin's default algorithm; and a new key goes beside it.
  CHECK(raw.scalar("select group_concat(\"name\", ',') from pragma_table_info('jwks')") ==
        "id,publicKey,privateKey,createdAt,expiresAt,alg,crv");
  auto keys = store->list_jwks();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0].id == "Jk1j2J3j4J5j6J7j8J9j0J1j2J3j4J5j");
  CHECK((*keys)[0].public_key == R"({"crv":"Ed25519","x":"pub","kty":"OKP"})");
  CHECK((*keys)[0].private_key == R"("enc-private")");
  CHECK(ms((*keys)[0].created_at) == ms(iso("2026-11-25T04:46:53.751Z")));
  CHECK_FALSE((*keys)[0].expires_at.has_value());
  CHECK_FALSE((*keys)[0].alg.has_value());
  CHECK_FALSE((*keys)[0].crv.has_value());
  Jwk added = make_jwk("Jk-new", at(1));
  added.alg = "EdDSA";
  REQUIRE(store->create_jwk(added).ok());
  CHECK(ids_of(*store->list_jwks()) == std::vector<std::string>{"Jk1j2J3j4J5j6J7j8J9j0J1j2J3j4J5j", "Jk-new"});
}

// BetterAuth 1.7 with the jwt plugin, as its SQLite generator creates the table (no indexes), with
// a key as the plugin writes one (its dates as ISO text).
constexpr const char* kBetterAuthJwksSchema = R"sql(
create table "jwks" ("id" text not null primary key, "publicKey" text not null, "privateKey" text not null,
  "createdAt" date not null, "expiresAt" date, "alg" text, "crv" text);
insert into "jwks" values ('k-new', '{"kty":"OKP"}', '"p2"', '2026-11-25T04:46:53.751Z', '2026-12-25T04:46:53.751Z',
  'EdDSA', 'Ed25519');
insert into "jwks" values ('k-old', '{"kty":"OKP"}', '"p1"', '2026-11-24T04:46:53.751Z', null, null, null);
)sql";

// BetterAuth 1.7 with the passkey plugin, as its SQLite generator creates the table (plain
// indexes, no UNIQUE on "credentialID"), with rows it may hold: one credential id twice (the
// older first by createdAt, one without a createdAt), and a user's second passkey.
constexpr const char* kBetterAuthPasskeySchema = R"sql(
create table "passkey" ("id" text not null primary key, "name" text, "publicKey" text not null,
  "userId" text not null references "user" ("id") on delete cascade, "credentialID" text not null,
  "counter" integer not null, "deviceType" text not null, "backedUp" integer not null, "transports" text,
  "createdAt" date, "aaguid" text);
create index "passkey_userId_idx" on "passkey" ("userId");
create index "passkey_credentialID_idx" on "passkey" ("credentialID");
insert into "passkey" values ('pk-new', 'Phone', 'pQECAyYg==', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'Y3JlZA', 7,
  'multiDevice', 1, 'internal,hybrid', '2026-11-26T04:46:53.751Z', 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4');
insert into "passkey" values ('pk-old', null, 'pQECAyYh==', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'Y3JlZA', 0,
  'singleDevice', 0, null, '2026-11-25T04:46:53.751Z', null);
insert into "passkey" values ('pk-undated', 'Key', 'pQECAyYi==', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'b3RoZXI', 3,
  'singleDevice', 0, 'usb', null, null);
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the passkey plugin keeps its table and passkeys", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthRows);
    raw.exec(kBetterAuthPasskeySchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  const std::string ada = "Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5";

  auto listed = store->list_passkeys(ada);
  REQUIRE(listed.ok());
  CHECK(ids_of(*listed) == std::vector<std::string>{"pk-undated", "pk-old", "pk-new"});
  Passkey want;
  want.id = "pk-new";
  want.name = "Phone";
  want.public_key = "pQECAyYg==";
  want.user_id = ada;
  want.credential_id = "Y3JlZA";
  want.counter = 7;
  want.device_type = "multiDevice";
  want.backed_up = true;
  want.transports = "internal,hybrid";
  want.created_at = iso("2026-11-26T04:46:53.751Z");
  want.aaguid = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
  check_same(*store->find_passkey("pk-new"), want);
  // The credential id BetterAuth holds twice: the older row.
  auto by_credential = store->find_passkey_by_credential_id("Y3JlZA");
  REQUIRE(by_credential.ok());
  CHECK(by_credential->id == "pk-old");
  CHECK_FALSE(by_credential->name.has_value());
  CHECK_FALSE(by_credential->backed_up);
  CHECK_FALSE(by_credential->transports.has_value());
  CHECK_FALSE(by_credential->aaguid.has_value());
  CHECK_FALSE(store->find_passkey("pk-undated")->created_at.has_value());
  // And is refused to new rows.
  Passkey again = make_passkey(ada, kT0);
  again.credential_id = "Y3JlZA";
  CHECK(code_of(store->create_passkey(again, 25)) == ErrorCode::kUserAlreadyExists);

  // Nothing was added twice; the plain indexes stay as they were.
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('passkey')") == "11");
  CHECK(raw.scalar("select group_concat(\"name\" || ':' || \"unique\", ',') from (select * from "
                   "pragma_index_list('passkey') where \"origin\" = 'c' order by \"name\")") ==
        "passkey_credentialID_idx:0,passkey_userId_idx:0");

  // Values written as BetterAuth writes them: booleans 0/1, dates as ISO text.
  Passkey added = make_passkey(ada, kT0);
  added.backed_up = false;
  REQUIRE(*store->create_passkey(added, 25));
  CHECK(raw.scalar("select \"backedUp\" || '/' || \"counter\" || '/' || \"createdAt\" from \"passkey\" "
                   "where \"id\" = '" + added.id + "'") == "0/0/2026-11-25T04:46:53.751Z");

  REQUIRE(store->delete_user(ada).ok());
  CHECK(raw.scalar("select count(*) from \"passkey\"") == "0");
}

// An older passkey plugin's table: no "aaguid".
TEST_CASE("sqlite: a BetterAuth database with an older passkey table gains what is missing", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthRows);
    raw.exec("create table \"passkey\" (\"id\" text not null primary key, \"name\" text, \"publicKey\" text not "
             "null, \"userId\" text not null references \"user\" (\"id\") on delete cascade, \"credentialID\" text "
             "not null, \"counter\" integer not null, \"deviceType\" text not null, \"backedUp\" integer not null, "
             "\"transports\" text, \"createdAt\" date)");
    raw.exec("insert into \"passkey\" values ('pk1', 'Key', 'pQE=', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'Y3Jl', 2, "
             "'singleDevice', 0, 'usb', '2026-11-25T04:46:53.751Z')");
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('passkey')") == "11");
  CHECK(raw.scalar("select count(*) from pragma_index_list('passkey') where \"name\" in "
                   "('passkey_userId_idx', 'passkey_credentialID_idx')") == "2");
  auto found = store->find_passkey_by_credential_id("Y3Jl");
  REQUIRE(found.ok());
  CHECK(found->id == "pk1");
  CHECK(found->counter == 2);
  CHECK_FALSE(found->aaguid.has_value());
  Passkey added = make_passkey("Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5", at(1));
  REQUIRE(*store->create_passkey(added, 25));
  check_same(*store->find_passkey(added.id), added);
}

TEST_CASE("sqlite: a BetterAuth database that has the jwt plugin keeps its table and keys", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthJwksSchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);

  auto keys = store->list_jwks();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].id == "k-old");
  CHECK_FALSE((*keys)[0].expires_at.has_value());
  CHECK_FALSE((*keys)[0].alg.has_value());
  CHECK((*keys)[1].id == "k-new");
  CHECK((*keys)[1].public_key == R"({"kty":"OKP"})");
  CHECK((*keys)[1].private_key == R"("p2")");
  CHECK(ms((*keys)[1].created_at) == ms(iso("2026-11-25T04:46:53.751Z")));
  REQUIRE((*keys)[1].expires_at.has_value());
  CHECK(ms(*(*keys)[1].expires_at) == ms(iso("2026-12-25T04:46:53.751Z")));
  CHECK((*keys)[1].alg == std::optional<std::string>("EdDSA"));
  CHECK((*keys)[1].crv == std::optional<std::string>("Ed25519"));

  // Nothing was added twice.
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('jwks')") == "7");
}

// BetterAuth 1.7 with the two-factor plugin, as its SQLite generator creates the tables: the
// plugin's columns have no defaults there, so rows BetterAuth wrote may hold NULL in them.
constexpr const char* kBetterAuthTwoFactorSchema = R"sql(
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique,
  "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null,
  "twoFactorEnabled" integer);
create table "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null,
  "userId" text not null references "user" ("id") on delete cascade, "verified" integer,
  "failedVerificationCount" integer, "lockedUntil" date);
create index "twoFactor_secret_idx" on "twoFactor" ("secret");
create index "twoFactor_userId_idx" on "twoFactor" ("userId");
insert into "user" values ('u-on', 'On', 'on@example.com', 1, null, '2026-11-25T04:46:53.751Z',
  '2026-11-25T04:46:53.751Z', 1);
insert into "user" values ('u-null', 'Null', 'null@example.com', 0, null, '2026-11-25T04:46:53.751Z',
  '2026-11-25T04:46:53.751Z', null);
insert into "twoFactor" values ('tf-on', 's1', 'c1', 'u-on', null, null, null);
insert into "twoFactor" values ('tf-locked', 's2', 'c2', 'u-null', 0, 4, '2026-11-25T05:01:02.345Z');
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the two-factor plugin keeps its columns and values", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthTwoFactorSchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);

  // NULLs read as BetterAuth reads them: twoFactorEnabled false, verified true, no failures.
  CHECK(store->find_user_by_id("u-on")->two_factor_enabled);
  CHECK_FALSE(store->find_user_by_id("u-null")->two_factor_enabled);
  auto on = store->find_two_factor("u-on");
  REQUIRE(on.ok());
  CHECK(on->id == "tf-on");
  CHECK(on->verified);
  CHECK(on->failed_verification_count == 0);
  CHECK_FALSE(on->locked_until.has_value());
  auto locked = store->find_two_factor("u-null");
  REQUIRE(locked.ok());
  CHECK_FALSE(locked->verified);
  CHECK(locked->failed_verification_count == 4);
  REQUIRE(locked->locked_until.has_value());
  CHECK(ms(*locked->locked_until) == ms(iso("2026-11-25T05:01:02.345Z")));

  // A NULL count counts from zero.
  CHECK(*store->record_two_factor_failure("tf-on", 10, kT0) == 1);
  CHECK(*store->record_two_factor_failure("tf-locked", 5, at(1)) == 5);
  CHECK(ms(*store->find_two_factor("u-null")->locked_until) == ms(at(1)));

  // Nothing was added twice, and the rows BetterAuth reads are as Portcullis writes them.
  RawDb raw(file.path().string());
  // And the ban's 3, the role, the username plugin's 2.
  CHECK(raw.scalar("select count(*) from pragma_table_info('user')") == "14");
  CHECK(raw.scalar("select count(*) from pragma_table_info('twoFactor')") == "7");
  REQUIRE(store->set_two_factor_enabled("u-null", true, kT0).ok());
  CHECK(raw.scalar("select \"twoFactorEnabled\" || '/' || typeof(\"twoFactorEnabled\") from \"user\" where \"id\" = "
                   "'u-null'") == "1/integer");
  CHECK(raw.scalar("select \"lockedUntil\" from \"twoFactor\" where \"id\" = 'tf-locked'") ==
        "2026-11-25T04:46:53.752Z");
  CHECK(raw.scalar("select \"verified\" || '/' || typeof(\"verified\") from \"twoFactor\" where \"id\" = "
                   "'tf-locked'") == "0/integer");
}

TEST_CASE("sqlite: a database at schema version 4 gains the admin plugin's role and impersonatedBy columns",
          "[sqlite]") {
  testing::TempDatabasePath file;
  const User ada = make_user("ada@example.com");
  const Session before = make_session(ada.id, at(1000), at(100000));
  {
    auto store = open_sqlite(file.path().string());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
    REQUIRE(store->create_session(before).ok());
  }
  {
    // As Portcullis left it before migration 5 (and so before 6, 7 and 8 too).
    RawDb raw(file.path().string());
    raw.exec("drop table \"invitation\"; drop table \"member\"; drop table \"organization\"; "
             "alter table \"session\" drop column \"activeOrganizationId\"; "
             "drop table \"passkey\"; drop index \"user_username_uidx\"; "
             "alter table \"user\" drop column \"username\"; "
             "alter table \"user\" drop column \"displayUsername\"; "
             "alter table \"user\" drop column \"role\"; alter table \"session\" drop column \"impersonatedBy\"; "
             "delete from \"portcullis_migrations\" where \"version\" >= 5");
    CHECK(raw.scalar("select count(*) from pragma_table_info('session')") == "8");
  }
  auto store = open_sqlite(file.path().string());
  CHECK(*store->schema_version() == 4);
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select lower(\"type\") from pragma_table_info('user') where \"name\" = 'role'") == "text");
  CHECK(raw.scalar("select lower(\"type\") || ' ' || \"notnull\" from pragma_table_info('session') where \"name\" = "
                   "'impersonatedBy'") == "text 0");
  CHECK(raw.scalar("select count(*) from pragma_table_info('session')") == "10");  // and "activeOrganizationId"
  auto found = store->find_user_by_id(ada.id);
  REQUIRE(found.ok());
  check_same(*found, ada);
  CHECK_FALSE(found->role.has_value());
  REQUIRE(store->set_role(ada.id, std::string("admin"), at(1)).ok());
  CHECK(raw.scalar("select \"role\" from \"user\"") == "admin");

  // The session made before reads without it; one made now keeps it.
  auto old_session = store->find_session(before.token);
  REQUIRE(old_session.ok());
  check_same(old_session->session, before);
  CHECK_FALSE(old_session->session.impersonated_by.has_value());
  Session impersonated = make_session(ada.id, at(2000), at(100000));
  impersonated.impersonated_by = "admin-id";
  REQUIRE(store->create_session(impersonated).ok());
  check_same(store->find_session(impersonated.token)->session, impersonated);
  const std::string written = "select \"impersonatedBy\" || '/' || typeof(\"impersonatedBy\") from \"session\" "
                              "where \"token\" = '" + impersonated.token + "'";
  CHECK(raw.scalar(written.c_str()) == "admin-id/text");
  const std::string not_written = "select typeof(\"impersonatedBy\") from \"session\" where \"token\" = '" +
                                  before.token + "'";
  CHECK(raw.scalar(not_written.c_str()) == "null");
}

// BetterAuth 1.7 with the admin plugin, as its SQLite generator creates the user and session
// tables: its columns have no defaults there, so rows may hold NULL in "role" and "banned"; a
// session an administrator made by impersonating a user names them in "impersonatedBy".
constexpr const char* kBetterAuthAdminSchema = R"sql(
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique,
  "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null,
  "role" text, "banned" integer, "banReason" text, "banExpires" date);
insert into "user" values ('u-admin', 'Admin', 'admin@example.com', 1, null, '2026-11-25T04:46:53.751Z',
  '2026-11-25T04:46:53.751Z', 'admin', 0, null, null);
insert into "user" values ('u-null', 'Null', 'null@example.com', 0, null, '2026-11-25T04:46:54.751Z',
  '2026-11-25T04:46:54.751Z', null, null, null, null);
insert into "user" values ('u-banned', 'Banned', 'banned@example.com', 0, null, '2026-11-25T04:46:55.751Z',
  '2026-11-25T04:46:55.751Z', 'user', 1, 'spam', '2027-01-01T00:00:00.000Z');
create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique,
  "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text,
  "userId" text not null references "user" ("id") on delete cascade, "impersonatedBy" text);
insert into "session" values ('s-impersonated', '2026-12-02T04:46:53.800Z', 'tok-impersonated',
  '2026-11-25T04:46:53.800Z', '2026-11-25T04:46:53.800Z', '', 'node', 'u-null', 'u-admin');
insert into "session" values ('s-own', '2026-12-02T04:46:53.800Z', 'tok-own',
  '2026-11-25T04:46:52.800Z', '2026-11-25T04:46:52.800Z', '', 'node', 'u-null', null);
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the admin plugin keeps its columns and values", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthAdminSchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);

  auto admin = store->find_user_by_id("u-admin");
  REQUIRE(admin.ok());
  CHECK(admin->role == std::optional<std::string>("admin"));
  CHECK_FALSE(admin->ban.has_value());
  auto null = store->find_user_by_id("u-null");
  REQUIRE(null.ok());
  CHECK_FALSE(null->role.has_value());
  CHECK_FALSE(null->ban.has_value());  // NULL "banned": not banned
  auto banned = store->find_user_by_email("banned@example.com");
  REQUIRE(banned.ok());
  REQUIRE(banned->ban.has_value());
  CHECK(banned->ban->reason == std::optional<std::string>("spam"));
  REQUIRE(banned->ban->expires.has_value());
  CHECK(ms(*banned->ban->expires) == ms(iso("2027-01-01T00:00:00.000Z")));

  // NULL role is "user", NULL banned is false, to a filter as to a sort.
  UserQuery q;
  q.filter_field = UserField::kRole;
  q.filter_value = "user";
  CHECK(ids_of(store->query_users(q)->users) == std::vector<std::string>{"u-null", "u-banned"});
  q.filter_field = UserField::kBanned;
  q.filter_value = "false";
  CHECK(ids_of(store->query_users(q)->users) == std::vector<std::string>{"u-admin", "u-null"});
  q.filter_negate = true;
  CHECK(ids_of(store->query_users(q)->users) == std::vector<std::string>{"u-banned"});
  UserQuery by_ban;
  by_ban.sort_by = UserField::kBanned;
  by_ban.descending = true;
  CHECK(ids_of(store->query_users(by_ban)->users) == std::vector<std::string>{"u-banned", "u-null", "u-admin"});

  // The impersonation is read where BetterAuth wrote it, by find_session and list_sessions.
  auto impersonated = store->find_session("tok-impersonated");
  REQUIRE(impersonated.ok());
  CHECK(impersonated->session.impersonated_by == std::optional<std::string>("u-admin"));
  CHECK(impersonated->user.id == "u-null");
  CHECK_FALSE(store->find_session("tok-own")->session.impersonated_by.has_value());
  auto listed = store->list_sessions("u-null");
  REQUIRE(listed.ok());
  REQUIRE(tokens_of(*listed) == std::vector<std::string>{"tok-impersonated", "tok-own"});
  CHECK((*listed)[0].impersonated_by == std::optional<std::string>("u-admin"));
  CHECK_FALSE((*listed)[1].impersonated_by.has_value());
  REQUIRE(store->touch_session("tok-impersonated", iso("2026-12-09T04:46:53.800Z"), kT0).ok());
  CHECK(store->find_session("tok-impersonated")->session.impersonated_by == std::optional<std::string>("u-admin"));

  // Nothing was added twice.
  RawDb raw(file.path().string());
  // And "twoFactorEnabled", the username plugin's 2.
  CHECK(raw.scalar("select count(*) from pragma_table_info('user')") == "14");
  // And the organization plugin's "activeOrganizationId".
  CHECK(raw.scalar("select count(*) from pragma_table_info('session')") == "10");
  REQUIRE(store->set_role("u-null", std::string("user,admin"), at(1)).ok());
  CHECK(raw.scalar("select \"role\" from \"user\" where \"id\" = 'u-null'") == "user,admin");
}

TEST_CASE("sqlite: a database at schema version 5 gains the username plugin's columns and unique index",
          "[sqlite]") {
  testing::TempDatabasePath file;
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com", at(1));
  const Session adas = make_session(ada.id, at(1000), at(100000));
  {
    auto store = open_sqlite(file.path().string());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
    REQUIRE(store->create_user(bob, credential_for(bob)).ok());
    REQUIRE(store->create_session(adas).ok());
  }
  {
    // As Portcullis left it before migration 6 (and so before 7 too).
    RawDb raw(file.path().string());
    raw.exec("drop table \"passkey\"; drop index \"user_username_uidx\"; "
             "alter table \"user\" drop column \"username\"; "
             "alter table \"user\" drop column \"displayUsername\"; "
             "delete from \"portcullis_migrations\" where \"version\" >= 6");
    CHECK(raw.scalar("select count(*) from pragma_table_info('user')") == "12");
  }
  auto store = open_sqlite(file.path().string());
  CHECK(*store->schema_version() == 5);
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('user')") == "14");
  CHECK(raw.scalar("select group_concat(\"name\" || ' ' || lower(\"type\") || ' ' || \"notnull\", ',') from "
                   "pragma_table_info('user') where \"name\" in ('username', 'displayUsername')") ==
        "username text 0,displayUsername text 0");
  CHECK(raw.scalar("select \"unique\" from pragma_index_list('user') where \"name\" = 'user_username_uidx'") == "1");
  CHECK(raw.scalar("select group_concat(\"name\") from pragma_index_info('user_username_uidx')") == "username");

  // The users made before read NULL in both, and can be given a username, one each.
  auto found = store->find_user_by_id(ada.id);
  REQUIRE(found.ok());
  check_same(*found, ada);
  CHECK_FALSE(found->username.has_value());
  CHECK_FALSE(store->find_session(adas.token)->user.username.has_value());
  User named = ada;
  named.username = "ada";
  named.display_username = "Ada";
  REQUIRE(store->update_user(named).ok());
  check_same(*store->find_user_by_username("ada"), named);
  check_same(store->find_session(adas.token)->user, named);
  CHECK(raw.scalar("select \"username\" || '/' || \"displayUsername\" from \"user\" where \"id\" = '" + ada.id +
                   "'") == "ada/Ada");
  User clash = bob;
  clash.username = "ada";
  CHECK(store->update_user(clash).code() == ErrorCode::kUserAlreadyExists);
  check_same(*store->find_user_by_id(bob.id), bob);
}

// BetterAuth 1.7 with the username plugin, as its SQLite generator creates the user table:
// "username" is UNIQUE there (an index of SQLite's own), and rows may have none.
constexpr const char* kBetterAuthUsernameSchema = R"sql(
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique,
  "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null,
  "username" text unique, "displayUsername" text);
insert into "user" values ('u-named', 'Ada', 'ada@example.com', 1, null, '2026-11-25T04:46:53.751Z',
  '2026-11-25T04:46:53.751Z', 'ada_l', 'Ada_L');
insert into "user" values ('u-none', 'None', 'none@example.com', 0, null, '2026-11-25T04:46:54.751Z',
  '2026-11-25T04:46:54.751Z', null, null);
insert into "user" values ('u-none-too', 'None Too', 'none2@example.com', 0, null, '2026-11-25T04:46:55.751Z',
  '2026-11-25T04:46:55.751Z', null, null);
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the username plugin keeps its columns and values", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthUsernameSchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do

  auto named = store->find_user_by_username("ada_l");
  REQUIRE(named.ok());
  CHECK(named->id == "u-named");
  CHECK(named->username == std::optional<std::string>("ada_l"));
  CHECK(named->display_username == std::optional<std::string>("Ada_L"));
  CHECK(store->find_user_by_email("ada@example.com")->username == std::optional<std::string>("ada_l"));
  auto none = store->find_user_by_id("u-none");
  REQUIRE(none.ok());
  CHECK_FALSE(none->username.has_value());
  CHECK_FALSE(none->display_username.has_value());
  CHECK(code_of(store->find_user_by_username("Ada_L")) == ErrorCode::kNotFound);

  // The username BetterAuth wrote is taken for Portcullis too, on create and on update.
  User twin = make_user("twin@example.com");
  twin.username = "ada_l";
  CHECK(store->create_user(twin, credential_for(twin)).code() == ErrorCode::kUserAlreadyExists);
  CHECK(code_of(store->find_user_by_id(twin.id)) == ErrorCode::kNotFound);
  User changed = *none;
  changed.username = "ada_l";
  CHECK(store->update_user(changed).code() == ErrorCode::kUserAlreadyExists);
  CHECK_FALSE(store->find_user_by_id("u-none")->username.has_value());
  changed.username = "grace";
  changed.display_username = "Grace";
  REQUIRE(store->update_user(changed).ok());
  CHECK(store->find_user_by_username("grace")->id == "u-none");
  // And users without one still coexist.
  const User plain = make_user("plain@example.com");
  REQUIRE(store->create_user(plain, credential_for(plain)).ok());

  // Nothing was added twice; BetterAuth's unique index and Portcullis's are both there.
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('user')") == "14");  // and the other plugins' 5
  CHECK(raw.scalar("select count(*) from pragma_index_list('user') as l where l.\"unique\" = 1 and exists (select 1 "
                   "from pragma_index_info(l.\"name\") where \"name\" = 'username')") == "2");
  CHECK(raw.scalar("select \"username\" || '/' || \"displayUsername\" from \"user\" where \"id\" = 'u-none'") ==
        "grace/Grace");
}

// BetterAuth's organization plugin (1.7) added to a BetterAuth database, as its SQLite generator
// writes it, with an organization of Ada's, an invitation, and her session working in it.
constexpr const char* kBetterAuthOrganizationSchema = R"sql(
alter table "session" add column "activeOrganizationId" text;
create table "organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique,
  "logo" text, "createdAt" date not null, "metadata" text);
create table "member" ("id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade,
  "userId" text not null references "user" ("id") on delete cascade, "role" text not null,
  "createdAt" date not null);
create table "invitation" ("id" text not null primary key,
  "organizationId" text not null references "organization" ("id") on delete cascade, "email" text not null,
  "role" text, "status" text not null, "expiresAt" date not null, "createdAt" date not null,
  "inviterId" text not null references "user" ("id") on delete cascade);
create index "member_organizationId_idx" on "member" ("organizationId");
create index "member_userId_idx" on "member" ("userId");
create index "invitation_organizationId_idx" on "invitation" ("organizationId");
create index "invitation_email_idx" on "invitation" ("email");
insert into "organization" values ('org-1', 'Engines', 'engines', null, '2026-11-25T04:46:53.751Z', '{"a":1}');
insert into "member" values ('mem-1', 'org-1', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'owner', '2026-11-25T04:46:53.751Z');
insert into "invitation" values ('inv-1', 'org-1', 'bob@example.com', null, 'pending', '2026-11-27T04:46:53.751Z',
  '2026-11-25T04:46:54.000Z', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5');
update "session" set "activeOrganizationId" = 'org-1';
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the organization plugin keeps its tables and rows", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthRows);
    raw.exec(kBetterAuthOrganizationSchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  const std::string ada = "Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5";

  Organization org;
  org.id = "org-1";
  org.name = "Engines";
  org.slug = "engines";
  org.metadata = R"({"a":1})";
  org.created_at = kT0;
  CHECK(*store->find_organization_by_slug("engines") == org);
  CHECK(ids_of(*store->list_user_organizations(ada)) == std::vector<std::string>{"org-1"});
  CHECK(*store->find_member("org-1", ada) == Member{"mem-1", "org-1", ada, "owner", kT0});
  auto invitation = store->find_invitation("inv-1");
  REQUIRE(invitation.ok());
  CHECK(*invitation == Invitation{"inv-1", "org-1", "bob@example.com", std::nullopt, "pending",
                                  iso("2026-11-27T04:46:53.751Z"), iso("2026-11-25T04:46:54.000Z"), ada});
  CHECK(store->find_session("Tk0kTk1kTk2kTk3kTk4kTk5kTk6kTk7k")->session.active_organization_id ==
        std::optional<std::string>("org-1"));

  // Nothing was added twice.
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select count(*) from pragma_table_info('session')") == "10");  // and "impersonatedBy"
  CHECK(raw.scalar("select count(*) from sqlite_master where type = 'index' and (name like 'member%' or "
                   "name like 'invitation%')") == "4");

  // Deleting the organization unsets it in the session BetterAuth made.
  REQUIRE(store->delete_organization("org-1").ok());
  CHECK_FALSE(store->find_session("Tk0kTk1kTk2kTk3kTk4kTk5kTk6kTk7k")->session.active_organization_id.has_value());
  CHECK(raw.scalar("select count(*) from \"member\"") == "0");
  CHECK(raw.scalar("select count(*) from \"invitation\"") == "0");
}

// BetterAuth 1.7 with the API-key plugin, as its SQLite generator creates the table (plain
// indexes, no UNIQUE on "key", no defaults), with rows it may hold: a key as the plugin writes one
// ("metadata" the JSON text null, flags 1/0, dates ISO text), one with every optional column NULL
// (as a row written before a column had a value), a disabled one, and one hash held three times
// (two of them made at the same instant).
constexpr const char* kBetterAuthApiKeySchema = R"sql(
create table "apikey" ("id" text not null primary key, "configId" text not null, "name" text, "start" text,
  "referenceId" text not null, "prefix" text, "key" text not null, "refillInterval" integer, "refillAmount" integer,
  "lastRefillAt" date, "enabled" integer, "rateLimitEnabled" integer, "rateLimitTimeWindow" integer,
  "rateLimitMax" integer, "requestCount" integer, "remaining" integer, "lastRequest" date, "expiresAt" date,
  "createdAt" date not null, "updatedAt" date not null, "permissions" text, "metadata" text);
create index "apikey_configId_idx" on "apikey" ("configId");
create index "apikey_referenceId_idx" on "apikey" ("referenceId");
create index "apikey_key_idx" on "apikey" ("key");
insert into "apikey" values ('ak-plugin', 'default', 'deploys', 'pc_Abc', 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', 'pc_',
  'hash-plugin', null, null, null, 1, 1, 86400000, 10, 0, null, null, '2026-12-25T04:46:53.751Z',
  '2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z', '{"files":["read"]}', 'null');
insert into "apikey" values ('ak-nulls', 'default', null, null, 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null,
  'hash-nulls', null, null, null, null, null, null, null, null, null, null, null,
  '2026-11-25T04:46:54.000Z', '2026-11-25T04:46:54.000Z', null, null);
insert into "apikey" values ('ak-off', 'default', 'off', null, 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null,
  'hash-off', 3600000, 5, '2026-11-25T05:00:00.000Z', 0, 0, 1000, 2, 4, 1, '2026-11-25T05:00:01.002Z', null,
  '2026-11-25T04:46:55.000Z', '2026-11-25T04:46:55.000Z', null, '{"a":1}');
insert into "apikey" values ('ak-twice-z', 'default', null, null, 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null,
  'hash-twice', null, null, null, 1, 1, null, null, 0, null, null, null,
  '2026-11-25T04:46:56.000Z', '2026-11-25T04:46:56.000Z', null, 'null');
insert into "apikey" values ('ak-twice-y', 'default', null, null, 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null,
  'hash-twice', null, null, null, 1, 1, null, null, 0, null, null, null,
  '2026-11-25T04:46:56.000Z', '2026-11-25T04:46:56.000Z', null, 'null');
insert into "apikey" values ('ak-twice-x', 'default', null, null, 'Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5', null,
  'hash-twice', null, null, null, 1, 1, null, null, 0, null, null, null,
  '2026-11-25T04:46:55.500Z', '2026-11-25T04:46:56.000Z', null, 'null');
)sql";

TEST_CASE("sqlite: a BetterAuth database that has the API-key plugin keeps its table and keys", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    RawDb raw(file.path().string());
    raw.exec(kBetterAuthSchema);
    raw.exec(kBetterAuthRows);
    raw.exec(kBetterAuthApiKeySchema);
  }
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  const std::string ada = "Ua9xLr2QpT7mK3vB8nC1dE4fG6hJ0kW5";

  // The plugin's key, as the plugin wrote it.
  ApiKey plugin;
  plugin.id = "ak-plugin";
  plugin.name = "deploys";
  plugin.start = "pc_Abc";
  plugin.reference_id = ada;
  plugin.prefix = "pc_";
  plugin.key_hash = "hash-plugin";
  plugin.rate_limit_time_window_ms = 86400000;
  plugin.rate_limit_max = 10;
  plugin.expires_at = iso("2026-12-25T04:46:53.751Z");
  plugin.created_at = kT0;
  plugin.updated_at = kT0;
  plugin.permissions = R"({"files":["read"]})";
  plugin.metadata = "null";
  check_same(*store->find_api_key("ak-plugin"), plugin);
  check_same(*store->find_api_key_by_hash("hash-plugin"), plugin);

  // NULL "enabled" and "rateLimitEnabled" read as true, NULL "requestCount" as 0, the others as
  // none.
  ApiKey nulls;
  nulls.id = "ak-nulls";
  nulls.reference_id = ada;
  nulls.key_hash = "hash-nulls";
  nulls.created_at = iso("2026-11-25T04:46:54.000Z");
  nulls.updated_at = nulls.created_at;
  check_same(*store->find_api_key("ak-nulls"), nulls);

  ApiKey off;
  off.id = "ak-off";
  off.name = "off";
  off.reference_id = ada;
  off.key_hash = "hash-off";
  off.refill_interval_ms = 3600000;
  off.refill_amount = 5;
  off.last_refill_at = iso("2026-11-25T05:00:00.000Z");
  off.enabled = false;
  off.rate_limit_enabled = false;
  off.rate_limit_time_window_ms = 1000;
  off.rate_limit_max = 2;
  off.request_count = 4;
  off.remaining = 1;
  off.last_request = iso("2026-11-25T05:00:01.002Z");
  off.created_at = iso("2026-11-25T04:46:55.000Z");
  off.updated_at = off.created_at;
  off.metadata = R"({"a":1})";
  check_same(*store->find_api_key("ak-off"), off);

  // A hash held three times: the oldest, then the first by id.
  CHECK(store->find_api_key_by_hash("hash-twice")->id == "ak-twice-x");
  {
    RawDb raw(file.path().string());
    raw.exec("delete from \"apikey\" where \"id\" = 'ak-twice-x'");
  }
  CHECK(store->find_api_key_by_hash("hash-twice")->id == "ak-twice-y");
  // ... and the store makes no fourth.
  ApiKey fourth = make_api_key(ada, at(1));
  fourth.key_hash = "hash-twice";
  CHECK(code_of(store->create_api_key(fourth, 100)) == ErrorCode::kUserAlreadyExists);

  // Sorted as read: a NULL "enabled" is true, a NULL "requestCount" 0.
  using Ids = std::vector<std::string>;
  const auto ids = [&](ApiKeyField field, bool descending) {
    auto page = store->list_api_keys(ada, ApiKeyOrder{field, descending}, 100, 0);
    REQUIRE(page.ok());
    CHECK(page->total == 5);
    return ids_of(*page);
  };
  CHECK(ids(ApiKeyField::kEnabled, false) == Ids{"ak-off", "ak-nulls", "ak-plugin", "ak-twice-y", "ak-twice-z"});
  CHECK(ids(ApiKeyField::kRequestCount, true) == Ids{"ak-off", "ak-nulls", "ak-plugin", "ak-twice-y", "ak-twice-z"});
  CHECK(ids(ApiKeyField::kCreatedAt, false) == Ids{"ak-plugin", "ak-nulls", "ak-off", "ak-twice-y", "ak-twice-z"});

  // A change writes the values it read: the NULLs become what they read as.
  auto changed = store->change_api_key("ak-nulls", [](ApiKey& k) {
    k.request_count += 1;
    return Status::OK();
  });
  REQUIRE(changed.ok());
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select \"enabled\" || ' ' || \"rateLimitEnabled\" || ' ' || \"requestCount\" || ' ' || "
                   "typeof(\"remaining\") || typeof(\"metadata\") from \"apikey\" where \"id\" = 'ak-nulls'") ==
        "1 1 1 nullnull");

  // Nothing was added twice.
  CHECK(raw.scalar("select count(*) from pragma_table_info('apikey')") == "22");
  CHECK(raw.scalar("select count(*) from sqlite_master where type = 'index' and tbl_name = 'apikey' and "
                   "name like 'apikey%'") == "3");

  // Deleting the user deletes its keys (the table has no foreign key to cascade).
  REQUIRE(store->delete_user(ada).ok());
  CHECK(raw.scalar("select count(*) from \"apikey\"") == "0");
}

TEST_CASE("sqlite: API keys are stored as BetterAuth's plugin stores them", "[sqlite]") {
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  ApiKey full = make_api_key(u.id, kT0);
  full.id = "ak-full";
  full.enabled = false;
  REQUIRE(*store->create_api_key(full, 10));
  ApiKey bare = make_api_key(u.id, kT0);
  bare.id = "ak-bare";
  bare.refill_interval_ms.reset();
  bare.last_request.reset();
  bare.expires_at.reset();
  bare.metadata = "null";
  REQUIRE(*store->create_api_key(bare, 10));

  RawDb raw(file.path().string());
  // The table BetterAuth's generator writes (name, type, not null, primary key), and its indexes.
  CHECK(raw.scalar("select group_concat(\"name\" || ' ' || lower(\"type\") || ' ' || \"notnull\" || ' ' || "
                   "\"pk\" || ' ' || ifnull(\"dflt_value\", '-'), ',') from pragma_table_info('apikey')") ==
        "id text 1 1 -,configId text 1 0 -,name text 0 0 -,start text 0 0 -,referenceId text 1 0 -,"
        "prefix text 0 0 -,key text 1 0 -,refillInterval integer 0 0 -,refillAmount integer 0 0 -,"
        "lastRefillAt date 0 0 -,enabled integer 0 0 -,rateLimitEnabled integer 0 0 -,"
        "rateLimitTimeWindow integer 0 0 -,rateLimitMax integer 0 0 -,requestCount integer 0 0 -,"
        "remaining integer 0 0 -,lastRequest date 0 0 -,expiresAt date 0 0 -,createdAt date 1 0 -,"
        "updatedAt date 1 0 -,permissions text 0 0 -,metadata text 0 0 -");
  CHECK(raw.scalar("select group_concat(\"name\" || ':' || \"unique\", ',') from (select * from "
                   "pragma_index_list('apikey') where \"origin\" = 'c' order by \"name\")") ==
        "apikey_configId_idx:0,apikey_key_idx:0,apikey_referenceId_idx:0");
  CHECK(raw.scalar("select count(*) from pragma_foreign_key_list('apikey')") == "0");
  // Dates as ISO text with milliseconds, flags as integers 1/0, numbers as integers, none as NULL.
  CHECK(raw.scalar("select \"createdAt\" || ' ' || \"updatedAt\" || ' ' || \"lastRefillAt\" || ' ' || "
                   "\"lastRequest\" || ' ' || \"expiresAt\" from \"apikey\" where \"id\" = 'ak-full'") ==
        "2026-11-25T04:46:53.751Z 2026-11-25T04:46:53.758Z 2026-11-25T04:46:55.252Z 2026-11-25T04:46:56.253Z "
        "2026-12-25T04:46:53.754Z");
  CHECK(raw.scalar("select \"enabled\" || typeof(\"enabled\") || ' ' || \"rateLimitEnabled\" || "
                   "typeof(\"rateLimitEnabled\") || ' ' || typeof(\"refillInterval\") || typeof(\"requestCount\") "
                   "from \"apikey\" where \"id\" = 'ak-full'") ==
        "0integer 1integer integerinteger");
  CHECK(raw.scalar("select typeof(\"refillInterval\") || typeof(\"lastRequest\") || typeof(\"expiresAt\") || ' ' || "
                   "\"metadata\" from \"apikey\" where \"id\" = 'ak-bare'") == "nullnullnull null");
}

TEST_CASE("sqlite: values are stored as BetterAuth stores them", "[sqlite]") {
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  User u = make_user("ada@example.com");
  u.email_verified = true;
  u.username = "ada_l";
  u.display_username = "Ada_L";
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  const User plain = make_user("plain@example.com");
  REQUIRE(store->create_user(plain, credential_for(plain)).ok());
  REQUIRE(store->rate_limit_hit("k", milliseconds(1000), 5, kT0).ok());
  Jwk key = make_jwk("kid", kT0);
  key.expires_at = at(86400000);
  REQUIRE(store->create_jwk(key).ok());
  REQUIRE(store->create_jwk(make_jwk("kid-plain", kT0)).ok());

  RawDb raw(file.path().string());
  CHECK(raw.scalar("select \"createdAt\" from \"user\" where \"email\" = 'ada@example.com'") ==
        "2026-11-25T04:46:53.751Z");
  // The jwks table is the one BetterAuth's generator writes (name, type, not null, primary key),
  // its dates ISO text, its absent values NULL.
  CHECK(raw.scalar("select group_concat(\"name\" || ' ' || lower(\"type\") || ' ' || \"notnull\" || ' ' || "
                   "\"pk\", ',') from pragma_table_info('jwks')") ==
        "id text 1 1,publicKey text 1 0,privateKey text 1 0,createdAt date 1 0,expiresAt date 0 0,alg text 0 0,"
        "crv text 0 0");
  CHECK(raw.scalar("select \"createdAt\" || '/' || \"expiresAt\" from \"jwks\" where \"id\" = 'kid'") ==
        "2026-11-25T04:46:53.751Z/2026-11-26T04:46:53.751Z");
  CHECK(raw.scalar("select typeof(\"expiresAt\") || typeof(\"alg\") || typeof(\"crv\") from \"jwks\" where \"id\" = "
                   "'kid-plain'") == "nullnullnull");
  CHECK(raw.scalar("select group_concat(distinct typeof(\"createdAt\")) from \"user\"") == "text");
  CHECK(raw.scalar("select \"username\" || '/' || typeof(\"username\") || ' ' || \"displayUsername\" || '/' || "
                   "typeof(\"displayUsername\") from \"user\" where \"email\" = 'ada@example.com'") ==
        "ada_l/text Ada_L/text");
  CHECK(raw.scalar("select typeof(\"username\") || typeof(\"displayUsername\") from \"user\" where \"email\" = "
                   "'plain@example.com'") == "nullnull");
  CHECK(raw.scalar("select \"emailVerified\" || '/' || typeof(\"emailVerified\") from \"user\" where \"email\" = "
                   "'ada@example.com'") == "1/integer");
  CHECK(raw.scalar("select \"lastRequest\" || '/' || typeof(\"lastRequest\") from \"rateLimit\"") ==
        std::to_string(ms(kT0)) + "/integer");
  CHECK(raw.scalar("select length(\"id\") from \"rateLimit\"") == "32");
  CHECK(raw.scalar("pragma journal_mode") == "wal");
  CHECK(raw.scalar("select max(\"version\") from \"portcullis_migrations\"") == std::to_string(kLatestSchemaVersion));
}

TEST_CASE("sqlite: the session cache counts its hits, misses and the tokens it keeps", "[sqlite]") {
  testing::TempDatabasePath file;
  auto counters = std::make_shared<SessionCacheCounters>();
  auto store = with_session_cache(open_sqlite(file.path().string()), SessionCacheOptions{std::chrono::hours(1), 100, counters});
  REQUIRE(store->migrate().ok());
  const User ada = make_user("ada@example.com");
  REQUIRE(store->create_user(ada, credential_for(ada)).ok());
  const Session s = make_session(ada.id, at(1000), at(1000 + 604800000));
  REQUIRE(store->create_session(s).ok());
  CHECK(store->find_session(s.token).ok());
  CHECK(store->find_session(s.token).ok());
  CHECK(store->find_session(s.token).ok());
  CHECK(store->find_session("no-such-token").status().code() == ErrorCode::kNotFound);
  CHECK(counters->hits == 2);
  CHECK(counters->misses == 2);  // the first read of the session, and the unknown token
  CHECK(counters->entries == 1);  // an unknown token is not kept
  REQUIRE(store->delete_session(s.token).ok());
  CHECK(counters->entries == 0);
}

TEST_CASE("sqlite: a file that is not a database fails to open", "[sqlite]") {
  testing::TempDatabasePath file;
  {
    std::ofstream out(file.path(), std::ios::binary);
    for (int i = 0; i < 256; ++i) out << "this is certainly not an SQLite database file\n";
  }
  SqliteOptions options;
  options.path = file.path().string();
  auto opened = open_sqlite_store(options);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == ErrorCode::kInternalServerError);
  CHECK_FALSE(opened.status().message().empty());
}

TEST_CASE("sqlite: a directory that does not exist fails to open", "[sqlite]") {
  SqliteOptions options;
  options.path = "/nonexistent-portcullis-dir/" + generate_token(8) + "/store.db";
  auto opened = open_sqlite_store(options);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == ErrorCode::kInternalServerError);
}

TEST_CASE("sqlite: an unreadable date is INTERNAL_SERVER_ERROR without the data", "[sqlite]") {
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  {
    RawDb raw(file.path().string());
    raw.exec("update \"user\" set \"createdAt\" = 'sometime-secret'");
  }
  auto found = store->find_user_by_id(u.id);
  REQUIRE_FALSE(found.ok());
  CHECK(found.status().code() == ErrorCode::kInternalServerError);
  CHECK(found.status().message().find("sometime-secret") == std::string::npos);
  auto listed = store->list_users(10, 0);
  CHECK(code_of(listed) == ErrorCode::kInternalServerError);
}

TEST_CASE("sqlite: a write lock held beyond busy_timeout is INTERNAL_SERVER_ERROR", "[sqlite]") {
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string(), milliseconds(50));
  REQUIRE(store->migrate().ok());
  const User u = make_user("ada@example.com");

  RawDb holder(file.path().string());
  holder.exec("begin immediate");
  const Status s = store->create_user(u, credential_for(u));
  CHECK(s.code() == ErrorCode::kInternalServerError);
  CHECK(s.message().find("locked") != std::string::npos);
  CHECK(s.message().find("ada@example.com") == std::string::npos);
  // Reads still work in WAL mode while another connection writes.
  CHECK(code_of(store->find_user_by_id(u.id)) == ErrorCode::kNotFound);
  holder.exec("rollback");

  CHECK(store->create_user(u, credential_for(u)).ok());
  CHECK(store->find_user_by_id(u.id).ok());
}

TEST_CASE("sqlite: methods before migrate fail cleanly", "[sqlite]") {
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string());
  CHECK(code_of(store->find_user_by_id("x")) == ErrorCode::kInternalServerError);
  CHECK(code_of(store->rate_limit_hit("k", milliseconds(1000), 1, kT0)) == ErrorCode::kInternalServerError);
  CHECK(code_of(store->list_jwks()) == ErrorCode::kInternalServerError);
  CHECK(store->create_jwk(make_jwk("kid", kT0)).code() == ErrorCode::kInternalServerError);
  REQUIRE(store->migrate().ok());
  CHECK(code_of(store->find_user_by_id("x")) == ErrorCode::kNotFound);
}

TEST_CASE("sqlite: delete_expired reads the date formats BetterAuth databases hold", "[sqlite]") {
  // Rows written by other tools carry SQLite's own "YYYY-MM-DD HH:MM:SS" or epoch milliseconds;
  // compared as text with the ISO form, "2026-11-25 05:00:00" would sort before
  // "2026-11-25T04:46:53.751Z" and a live session would be deleted.
  testing::TempDatabasePath file;
  auto store = open_sqlite(file.path().string());
  REQUIRE(store->migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  {
    RawDb raw(file.path().string());
    const std::string now_ms = std::to_string(ms(kT0));
    const std::string rows =
        "INSERT INTO \"session\" (\"id\", \"expiresAt\", \"token\", \"createdAt\", \"updatedAt\", \"userId\") VALUES "
        "('live-space', '2026-11-25 05:00:00', 't1', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "'),"
        "('dead-space', '2026-11-25 04:00:00', 't2', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "'),"
        "('live-ms', " + now_ms + " + 60000, 't3', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "'),"
        "('dead-ms', " + now_ms + " - 60000, 't4', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "'),"
        "('live-iso', '2026-11-25T04:46:54.000Z', 't5', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "'),"
        "('dead-iso', '2026-11-25T04:46:53.750Z', 't6', '2026-11-25 04:00:00', '2026-11-25 04:00:00', '" + u.id + "')";
    raw.exec(rows.c_str());
  }
  auto deleted = store->delete_expired(kT0);
  REQUIRE(deleted.ok());
  CHECK(*deleted == 3);
  RawDb raw(file.path().string());
  CHECK(raw.scalar("select group_concat(\"id\", ',') from (select \"id\" from \"session\" order by \"id\")") ==
        "live-iso,live-ms,live-space");
}

// ================================================================================================
// PostgreSQL: what one server process cannot show (PORTCULLIS_TEST_POSTGRES; skipped without).
// ================================================================================================

// PORTCULLIS_TEST_POSTGRES, or nothing (and a warning that the case is skipped).
std::optional<std::string> postgres_url_or_skip() {
  auto url = testing::postgres_url();
  if (!url) WARN("PORTCULLIS_TEST_POSTGRES is not set: skipped");
  return url;
}

std::unique_ptr<Store> open_postgres(const std::string& url, const std::string& schema, int connections = 2) {
  PostgresOptions options;
  options.url = url;
  options.schema = schema;
  options.connections = connections;
  auto opened = open_postgres_store(options);
  INFO(opened.status().message());
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

// Records the calls of a watch_changes() callback (the user ids), and waits for a number of them.
class CallCounter {
 public:
  std::function<void(std::string_view)> callback() {
    return [this](std::string_view user_id) {
      {
        std::lock_guard lock(mu_);
        users_.emplace_back(user_id);
      }
      cv_.notify_all();
    };
  }
  // Returns true once there were at least `n` calls; false after `limit` without.
  bool wait_for(int n, milliseconds limit = milliseconds(10000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return static_cast<int>(users_.size()) >= n; });
  }
  int calls() {
    std::lock_guard lock(mu_);
    return static_cast<int>(users_.size());
  }
  // The user id of call `i` (0-based).
  std::string user(int i) {
    std::lock_guard lock(mu_);
    return users_.at(static_cast<std::size_t>(i));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> users_;
};

TEST_CASE("postgres: a replica hears another's session and user writes (watch_changes)", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto here = open_postgres(*url, schema.name());
  auto there = open_postgres(*url, schema.name());
  REQUIRE(here->migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(there->create_user(u, credential_for(u)).ok());
  const Session s = make_session(u.id, kT0, at(3600000));
  REQUIRE(there->create_session(s).ok());

  CallCounter heard;
  REQUIRE(here->watch_changes(heard.callback()));
  REQUIRE(heard.wait_for(1));  // the call that follows connecting: notices may have been missed
  CHECK(heard.user(0).empty());  // anything may have changed
  const int before = heard.calls();

  SECTION("deleting a session") { REQUIRE(there->delete_session(s.token).ok()); }
  SECTION("refreshing a session") { REQUIRE(there->touch_session(s.token, at(7200000), at(1)).ok()); }
  SECTION("revoking a user's sessions") { REQUIRE(there->delete_sessions(u.id, "").ok()); }
  SECTION("changing the user") {
    User changed = u;
    changed.name = "Ada King";
    REQUIRE(there->update_user(changed).ok());
  }
  SECTION("deleting the user") { REQUIRE(there->delete_user(u.id).ok()); }
  SECTION("enabling two-factor") { REQUIRE(there->set_two_factor_enabled(u.id, true, at(1)).ok()); }
  SECTION("changing the role") { REQUIRE(there->set_role(u.id, "admin", at(1)).ok()); }
  SECTION("disabling two-factor") { REQUIRE(there->set_two_factor_enabled(u.id, false, at(1)).ok()); }
  REQUIRE(heard.wait_for(before + 1));
  CHECK(heard.user(before) == u.id);  // whose sessions or profile changed

  // An empty callback stops the calls: the next write is not heard.
  REQUIRE(here->watch_changes({}));
  const int stopped_at = heard.calls();
  REQUIRE(there->delete_session("no-such-token").ok());
  REQUIRE(there->delete_user_session(u.id, s.token).ok());
  CHECK(heard.calls() == stopped_at);
}

TEST_CASE("postgres: a session revoked on one replica is refused at once by another's cache", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  // The cache trusts what it read for an hour: only the notification can make it forget.
  auto cached = with_session_cache(open_postgres(*url, schema.name()), SessionCacheOptions{std::chrono::hours(1), 100, nullptr});
  auto other = open_postgres(*url, schema.name());
  REQUIRE(cached->migrate().ok());
  const User ada = make_user("ada@example.com");
  const User grace = make_user("grace@example.com");
  for (const User* u : {&ada, &grace}) REQUIRE(other->create_user(*u, credential_for(*u)).ok());

  // Revokes `s` through `other` and waits (at most 10 s: the notice arrives asynchronously) for
  // `cached` to stop answering it. Returns its last answer.
  const auto revoke_and_wait = [&](const Session& s) {
    REQUIRE(other->delete_sessions(s.user_id, "").ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    ErrorCode code = ErrorCode::kOk;
    while ((code = code_of(cached->find_session(s.token))) == ErrorCode::kOk &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(2));
    }
    return code;
  };

  const Session first = make_session(ada.id, kT0, at(3600000));
  REQUIRE(other->create_session(first).ok());
  REQUIRE(cached->find_session(first.token).ok());  // now in the cache
  CHECK(revoke_and_wait(first) == ErrorCode::kNotFound);

  // The notices name the user: another user's cached session stays. Grace's is cached, then
  // deleted behind the cache's back (no notice); Ada's next revocation must not drop it.
  const Session g = make_session(grace.id, kT0, at(3600000));
  const Session second = make_session(ada.id, kT0, at(3600000));
  for (const Session* s : {&g, &second}) {
    REQUIRE(other->create_session(*s).ok());
    REQUIRE(cached->find_session(s->token).ok());
  }
  schema.run("DELETE FROM \"" + schema.name() + "\".\"session\" WHERE \"token\" = '" + g.token + "'");
  CHECK(revoke_and_wait(second) == ErrorCode::kNotFound);
  CHECK(cached->find_session(g.token).ok());
}

TEST_CASE("postgres: after the server drops its connections the store reconnects unseen", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name(), 1);
  REQUIRE(store->migrate().ok());
  const User u = make_user("ada@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());

  // As a restart or a failover does: every other connection to this database is ended.
  schema.run("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  // Each call notices its connection is gone before it sends anything, and runs on a new one
  // with the schema set up again: the caller sees nothing of it, for a read, an INSERT on its own
  // (create_session) and a transaction (create_user) alike.
  auto found = store->find_user_by_email("ada@example.com");
  INFO(found.status().message());
  REQUIRE(found.ok());
  check_same(*found, u);
  schema.run("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  const User grace = make_user("grace@example.com");
  const Status created = store->create_user(grace, credential_for(grace));
  INFO(created.message());
  REQUIRE(created.ok());
  REQUIRE(store->find_user_by_id(grace.id).ok());
  schema.run("SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  const Status session = store->create_session(make_session(grace.id, kT0, at(60000)));
  INFO(session.message());
  CHECK(session.ok());
}

TEST_CASE("postgres: values its text cannot hold: a NUL byte fails and writes nothing; a bad User-Agent is mended",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());

  User nul = make_user("nul@example.com");
  nul.name = std::string("Ada\0Lovelace", 12);
  const Status refused = store->create_user(nul, credential_for(nul));
  CHECK(refused.code() == ErrorCode::kInternalServerError);
  CHECK(refused.message().find("Lovelace") == std::string::npos);
  CHECK(code_of(store->find_user_by_email("nul@example.com")) == ErrorCode::kNotFound);
  CHECK(schema.run("SELECT count(*) FROM \"" + schema.name() + "\".\"account\"") == "0");

  // PostgreSQL's text refuses bytes that are not UTF-8; SQLite kept them. A User-Agent header may
  // hold such bytes: each is stored as U+FFFD, and the session is made.
  const User u = make_user("ua@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  Session s = make_session(u.id, kT0, at(60000));
  s.user_agent = std::string("Mozilla \xff\xfe caf\xc3\xa9");
  REQUIRE(store->create_session(s).ok());
  auto found = store->find_session(s.token);
  REQUIRE(found.ok());
  CHECK(found->session.user_agent.value_or("") == "Mozilla \xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9");
}

// The unique indexes of schema's user table on "username" alone (BetterAuth's constraint's and
// Portcullis's), by name, comma-separated in order.
std::string username_unique_indexes(const testing::TempSchema& schema) {
  return schema.run("select coalesce(string_agg(indexname, ',' order by indexname), '') from pg_indexes where "
                    "schemaname = '" + schema.name() + "' and tablename = 'user' and indexdef like "
                    "'CREATE UNIQUE INDEX % (username)'");
}

TEST_CASE("postgres: a BetterAuth database with an older two-factor table gains what is missing", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  // BetterAuth's user table without "twoFactorEnabled", and an older plugin's twoFactor table
  // (no "verified", no lockout columns), each with a row.
  schema.run("create table " + q + "\"user\" (\"id\" text not null primary key, \"name\" text not null, "
             "\"email\" text not null unique, \"emailVerified\" boolean not null, \"image\" text, "
             "\"createdAt\" timestamptz default CURRENT_TIMESTAMP not null, "
             "\"updatedAt\" timestamptz default CURRENT_TIMESTAMP not null)");
  schema.run("create table " + q + "\"twoFactor\" (\"id\" text not null primary key, \"secret\" text not null, "
             "\"backupCodes\" text not null, \"userId\" text not null references " + q +
             "\"user\" (\"id\") on delete cascade)");
  schema.run("insert into " + q + "\"user\" values ('u1', 'Ada', 'ada@example.com', true, null, "
             "'2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z')");
  schema.run("insert into " + q + "\"twoFactor\" values ('tf1', 'enc-secret', 'enc-codes', 'u1')");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do

  auto user = store->find_user_by_id("u1");
  REQUIRE(user.ok());
  CHECK_FALSE(user->two_factor_enabled);
  auto row = store->find_two_factor("u1");
  REQUIRE(row.ok());
  CHECK(row->id == "tf1");
  CHECK(row->secret == "enc-secret");
  CHECK(row->backup_codes == "enc-codes");
  CHECK(row->verified);
  CHECK(row->failed_verification_count == 0);
  CHECK_FALSE(row->locked_until.has_value());
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and indexname in ('twoFactor_userId_idx', 'twoFactor_secret_idx')") == "2");
  // The session table made beside BetterAuth's has the admin plugin's column too.
  CHECK(schema.run("select data_type from information_schema.columns where table_schema = '" + schema.name() +
                   "' and table_name = 'session' and column_name = 'impersonatedBy'") == "text");
  // BetterAuth's user table gained the username plugin's columns and Portcullis's unique index.
  CHECK(schema.run("select string_agg(column_name || ' ' || data_type, ',' order by column_name) from "
                   "information_schema.columns where table_schema = '" + schema.name() + "' and table_name = 'user' "
                   "and column_name in ('username', 'displayUsername')") == "displayUsername text,username text");
  CHECK(username_unique_indexes(schema) == "user_username_uidx");

  // NULLs (a BetterAuth row written without the defaults) read as BetterAuth reads them.
  schema.run("update " + q + "\"user\" set \"twoFactorEnabled\" = null");
  schema.run("update " + q + "\"twoFactor\" set \"verified\" = null, \"failedVerificationCount\" = null");
  CHECK_FALSE(store->find_user_by_id("u1")->two_factor_enabled);
  CHECK(store->find_two_factor("u1")->verified);
  CHECK(store->find_two_factor("u1")->failed_verification_count == 0);
  CHECK(*store->record_two_factor_failure("tf1", 1, at(900000)) == 1);
  CHECK(ms(*store->find_two_factor("u1")->locked_until) == ms(at(900000)));
  REQUIRE(store->set_two_factor_enabled("u1", true, kT0).ok());
  CHECK(store->find_user_by_id("u1")->two_factor_enabled);
  REQUIRE(store->delete_user("u1").ok());
  CHECK(schema.run("select count(*) from " + q + "\"twoFactor\"") == "0");
}

TEST_CASE("postgres: a database at schema version 4 gains the role and impersonatedBy columns; one that has them "
          "keeps them",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  const User ada = make_user("ada@example.com");
  const Session before = make_session(ada.id, at(1000), at(100000));
  {
    auto store = open_postgres(*url, schema.name());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
    REQUIRE(store->create_session(before).ok());
  }
  // As Portcullis left it before migration 5 (and so before 6, 7 and 8 too; dropping the column
  // drops its index) ...
  schema.run("drop table " + q + "\"invitation\", " + q + "\"member\", " + q + "\"organization\"");
  schema.run("alter table " + q + "\"session\" drop column \"activeOrganizationId\"");
  schema.run("drop table " + q + "\"passkey\"");
  schema.run("alter table " + q + "\"user\" drop column \"username\", drop column \"displayUsername\"");
  schema.run("alter table " + q + "\"user\" drop column \"role\"");
  schema.run("alter table " + q + "\"session\" drop column \"impersonatedBy\"");
  schema.run("delete from " + q + "\"portcullis_migrations\" where \"version\" >= 5");
  const std::string column_type = "select data_type || ' ' || is_nullable from information_schema.columns where "
                                  "table_schema = '" + schema.name() + "' and ";
  const std::string role_type = column_type + "table_name = 'user' and column_name = 'role'";
  const std::string impersonated_by_type = column_type + "table_name = 'session' and column_name = 'impersonatedBy'";
  const std::string session_columns = "select count(*) from information_schema.columns where table_schema = '" +
                                      schema.name() + "' and table_name = 'session'";
  CHECK(schema.run(session_columns) == "8");
  SECTION("without the columns") {}
  SECTION("with the columns, as BetterAuth's admin plugin adds them, a NULL banned and an impersonation") {
    schema.run("alter table " + q + "\"user\" add column \"role\" text");
    schema.run("alter table " + q + "\"session\" add column \"impersonatedBy\" text");
    schema.run("update " + q + "\"user\" set \"role\" = 'admin', \"banned\" = null");
    schema.run("update " + q + "\"session\" set \"impersonatedBy\" = 'admin-id'");
  }
  const bool had_columns = schema.run(role_type) == "text YES";

  auto store = open_postgres(*url, schema.name());
  CHECK(*store->schema_version() == 4);
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(schema.run(role_type) == "text YES");
  CHECK(schema.run(impersonated_by_type) == "text YES");
  CHECK(schema.run(session_columns) == "10");  // and "activeOrganizationId"
  auto found = store->find_user_by_id(ada.id);
  REQUIRE(found.ok());
  CHECK(found->role == (had_columns ? std::optional<std::string>("admin") : std::nullopt));
  CHECK_FALSE(found->ban.has_value());

  UserQuery by_ban;
  by_ban.filter_field = UserField::kBanned;
  by_ban.filter_value = "false";
  CHECK(ids_of(store->query_users(by_ban)->users) == std::vector<std::string>{ada.id});
  REQUIRE(store->set_role(ada.id, std::string("user,admin"), at(1)).ok());
  CHECK(schema.run("select \"role\" from " + q + "\"user\"") == "user,admin");

  // The session made before reads the column as it is: NULL where it was added, the
  // administrator where BetterAuth wrote it; touch_session leaves it; a new one keeps its own.
  const std::optional<std::string> want = had_columns ? std::optional<std::string>("admin-id") : std::nullopt;
  auto old_session = store->find_session(before.token);
  REQUIRE(old_session.ok());
  CHECK(old_session->session.impersonated_by == want);
  REQUIRE(store->touch_session(before.token, at(900000), at(5000)).ok());
  CHECK(store->find_session(before.token)->session.impersonated_by == want);
  Session impersonated = make_session(ada.id, at(2000), at(100000));
  impersonated.impersonated_by = "another-admin";
  REQUIRE(store->create_session(impersonated).ok());
  auto listed = store->list_sessions(ada.id);
  REQUIRE(listed.ok());
  REQUIRE(tokens_of(*listed) == std::vector<std::string>{impersonated.token, before.token});
  check_same((*listed)[0], impersonated);
  CHECK((*listed)[1].impersonated_by == want);
  CHECK(schema.run("select \"impersonatedBy\" from " + q + "\"session\" where \"token\" = '" + impersonated.token +
                   "'") == "another-admin");
}

TEST_CASE("postgres: a database at schema version 5 gains the username plugin's columns and unique index; one "
          "that has them keeps them",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com", at(1));
  const Session adas = make_session(ada.id, at(1000), at(100000));
  {
    auto store = open_postgres(*url, schema.name());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
    REQUIRE(store->create_user(bob, credential_for(bob)).ok());
    REQUIRE(store->create_session(adas).ok());
  }
  // As Portcullis left it before migrations 6 and 7 (dropping the column drops its index) ...
  schema.run("drop table " + q + "\"passkey\"");
  schema.run("alter table " + q + "\"user\" drop column \"username\", drop column \"displayUsername\"");
  schema.run("delete from " + q + "\"portcullis_migrations\" where \"version\" >= 6");
  const std::string column_type = "select data_type || ' ' || is_nullable from information_schema.columns where "
                                  "table_schema = '" + schema.name() + "' and table_name = 'user' and ";
  const std::string user_columns = "select count(*) from information_schema.columns where table_schema = '" +
                                   schema.name() + "' and table_name = 'user'";
  CHECK(schema.run(user_columns) == "12");
  CHECK(username_unique_indexes(schema).empty());
  std::string indexes_after = "user_username_uidx";
  SECTION("without the columns") {}
  SECTION("with the columns, as BetterAuth's username plugin adds them, and a username") {
    schema.run("alter table " + q + "\"user\" add column \"username\" text unique, add column \"displayUsername\" text");
    schema.run("update " + q + "\"user\" set \"username\" = 'ada_l', \"displayUsername\" = 'Ada_L' where \"id\" = '" +
               ada.id + "'");
    indexes_after = "user_username_key,user_username_uidx";
  }
  const bool had_columns = schema.run(column_type + "column_name = 'username'") == "text YES";

  auto store = open_postgres(*url, schema.name());
  CHECK(*store->schema_version() == 5);
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(schema.run(column_type + "column_name = 'username'") == "text YES");
  CHECK(schema.run(column_type + "column_name = 'displayUsername'") == "text YES");
  CHECK(schema.run(user_columns) == "14");
  CHECK(username_unique_indexes(schema) == indexes_after);

  // The users read what the columns hold: NULL where they were added, BetterAuth's username where
  // it wrote one; with the user of a session too.
  User want = ada;
  if (had_columns) {
    want.username = "ada_l";
    want.display_username = "Ada_L";
  }
  check_same(*store->find_user_by_id(ada.id), want);
  check_same(store->find_session(adas.token)->user, want);
  check_same(*store->find_user_by_id(bob.id), bob);
  CHECK(code_of(store->find_user_by_username("ada_l")) == (had_columns ? ErrorCode::kOk : ErrorCode::kNotFound));

  // They can be given one, one each.
  want.username = "ada";
  want.display_username = "Ada";
  REQUIRE(store->update_user(want).ok());
  check_same(*store->find_user_by_username("ada"), want);
  check_same(store->find_session(adas.token)->user, want);
  CHECK(schema.run("select \"username\" || '/' || \"displayUsername\" from " + q + "\"user\" where \"id\" = '" +
                   ada.id + "'") == "ada/Ada");
  User clash = bob;
  clash.username = "ada";
  CHECK(store->update_user(clash).code() == ErrorCode::kUserAlreadyExists);
  check_same(*store->find_user_by_id(bob.id), bob);
  User twin = make_user("twin@example.com", at(2));
  twin.username = "ada";
  CHECK(store->create_user(twin, credential_for(twin)).code() == ErrorCode::kUserAlreadyExists);
  CHECK(code_of(store->find_user_by_id(twin.id)) == ErrorCode::kNotFound);
  CHECK(schema.run("select count(*) from " + q + "\"account\"") == "2");
}

TEST_CASE("postgres: a BetterAuth database that has the username plugin migrates cleanly and keeps its values",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  // BetterAuth's user table as its PostgreSQL generator writes it with the username plugin
  // ("username" with a UNIQUE constraint), with a user who has a username and one who has none.
  schema.run("create table " + q + "\"user\" (\"id\" text not null primary key, \"name\" text not null, "
             "\"email\" text not null unique, \"emailVerified\" boolean not null, \"image\" text, "
             "\"createdAt\" timestamptz default CURRENT_TIMESTAMP not null, "
             "\"updatedAt\" timestamptz default CURRENT_TIMESTAMP not null, "
             "\"username\" text unique, \"displayUsername\" text)");
  schema.run("insert into " + q + "\"user\" values ('u-named', 'Ada', 'ada@example.com', true, null, "
             "'2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z', 'ada_l', 'Ada_L')");
  schema.run("insert into " + q + "\"user\" values ('u-none', 'None', 'none@example.com', false, null, "
             "'2026-11-25T04:46:54.751Z', '2026-11-25T04:46:54.751Z', null, null)");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(username_unique_indexes(schema) == "user_username_key,user_username_uidx");
  CHECK(schema.run("select count(*) from information_schema.columns where table_schema = '" + schema.name() +
                   "' and table_name = 'user'") == "14");  // and the other plugins' 5

  auto named = store->find_user_by_username("ada_l");
  REQUIRE(named.ok());
  CHECK(named->id == "u-named");
  CHECK(named->display_username == std::optional<std::string>("Ada_L"));
  auto none = store->find_user_by_id("u-none");
  REQUIRE(none.ok());
  CHECK_FALSE(none->username.has_value());
  CHECK_FALSE(none->display_username.has_value());

  // The username BetterAuth wrote is taken for Portcullis too, on create and on update.
  User twin = make_user("twin@example.com");
  twin.username = "ada_l";
  CHECK(store->create_user(twin, credential_for(twin)).code() == ErrorCode::kUserAlreadyExists);
  CHECK(code_of(store->find_user_by_id(twin.id)) == ErrorCode::kNotFound);
  User changed = *none;
  changed.username = "ada_l";
  CHECK(store->update_user(changed).code() == ErrorCode::kUserAlreadyExists);
  CHECK_FALSE(store->find_user_by_id("u-none")->username.has_value());
  changed.username = "grace";
  changed.display_username = "Grace";
  REQUIRE(store->update_user(changed).ok());
  CHECK(store->find_user_by_username("grace")->id == "u-none");
  const User plain = make_user("plain@example.com");  // users without one coexist
  REQUIRE(store->create_user(plain, credential_for(plain)).ok());
  CHECK(schema.run("select \"username\" || '/' || \"displayUsername\" from " + q + "\"user\" where \"id\" = "
                   "'u-none'") == "grace/Grace");
}

// The jwks table's columns as "name type nullable" (information_schema), in table order.
std::string jwks_columns(const testing::TempSchema& schema) {
  return schema.run("select string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',' "
                    "order by ordinal_position) from information_schema.columns where table_schema = '" +
                    schema.name() + "' and table_name = 'jwks'");
}

TEST_CASE("postgres: the jwks table is the one BetterAuth's generator writes", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(jwks_columns(schema) ==
        "id text NO,publicKey text NO,privateKey text NO,createdAt timestamp with time zone NO,"
        "expiresAt timestamp with time zone YES,alg text YES,crv text YES");
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and tablename = 'jwks' and indexdef like '%UNIQUE%(id)'") == "1");
}

TEST_CASE("postgres: a BetterAuth database with an older jwks table gains what is missing", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  // An older jwt plugin's table (no "expiresAt", "alg" or "crv"), with a key.
  schema.run("create table " + q + "\"jwks\" (\"id\" text not null primary key, \"publicKey\" text not null, "
             "\"privateKey\" text not null, \"createdAt\" timestamptz not null)");
  schema.run("insert into " + q + "\"jwks\" values ('k1', '{\"kty\":\"OKP\"}', '\"enc-private\"', "
             "'2026-11-25T04:46:53.751Z')");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(jwks_columns(schema) ==
        "id text NO,publicKey text NO,privateKey text NO,createdAt timestamp with time zone NO,"
        "expiresAt timestamp with time zone YES,alg text YES,crv text YES");

  auto keys = store->list_jwks();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0].id == "k1");
  CHECK((*keys)[0].public_key == R"({"kty":"OKP"})");
  CHECK((*keys)[0].private_key == R"("enc-private")");
  CHECK(ms((*keys)[0].created_at) == ms(iso("2026-11-25T04:46:53.751Z")));
  CHECK_FALSE((*keys)[0].expires_at.has_value());
  CHECK_FALSE((*keys)[0].alg.has_value());
  CHECK_FALSE((*keys)[0].crv.has_value());
  Jwk added = make_jwk("k2", at(1));
  added.expires_at = at(86400000);
  added.crv = "Ed25519";
  REQUIRE(store->create_jwk(added).ok());
  CHECK(ids_of(*store->list_jwks()) == std::vector<std::string>{"k1", "k2"});
  CHECK(schema.run("select \"expiresAt\" = '2026-11-26T04:46:53.751Z'::timestamptz from " + q +
                   "\"jwks\" where \"id\" = 'k2'") == "t");
}

// The passkey table's columns as "name type nullable" (information_schema), in table order.
std::string passkey_columns(const testing::TempSchema& schema) {
  return schema.run("select string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',' "
                    "order by ordinal_position) from information_schema.columns where table_schema = '" +
                    schema.name() + "' and table_name = 'passkey'");
}

constexpr const char* kBetterAuthPasskeyColumns =
    "id text NO,name text YES,publicKey text NO,userId text NO,credentialID text NO,counter integer NO,"
    "deviceType text NO,backedUp boolean NO,transports text YES,createdAt timestamp with time zone YES,"
    "aaguid text YES";

TEST_CASE("postgres: the passkey table is the one BetterAuth's generator writes", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(passkey_columns(schema) == kBetterAuthPasskeyColumns);
  // Plain indexes on "userId" and "credentialID" (no UNIQUE but the primary key's), and the
  // foreign key to "user" with ON DELETE CASCADE.
  CHECK(schema.run("select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = '" +
                   schema.name() + "' and tablename = 'passkey' and indexdef not like '%UNIQUE%'") ==
        "passkey_credentialID_idx,passkey_userId_idx");
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and tablename = 'passkey' and indexdef like '%UNIQUE%'") == "1");
  CHECK(schema.run("select confdeltype from pg_constraint where contype = 'f' and conrelid = '\"" + schema.name() +
                   "\".\"passkey\"'::regclass") == "c");
}

TEST_CASE("postgres: a BetterAuth database that has the passkey plugin keeps its table and passkeys",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  {
    // BetterAuth's tables, as made by a first migrate(), then the plugin's table as its generator
    // writes it, without "aaguid" (an older plugin), holding one credential id twice.
    auto store = open_postgres(*url, schema.name());
    REQUIRE(store->migrate().ok());
    const User ada = [] {
      User u = make_user("ada@example.com");
      u.id = "u-ada";
      return u;
    }();
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
  }
  schema.run("drop table " + q + "\"passkey\"");
  schema.run("delete from " + q + "\"portcullis_migrations\" where \"version\" = 7");
  schema.run("create table " + q + "\"passkey\" (\"id\" text not null primary key, \"name\" text, \"publicKey\" "
             "text not null, \"userId\" text not null references " + q + "\"user\" (\"id\") on delete cascade, "
             "\"credentialID\" text not null, \"counter\" integer not null, \"deviceType\" text not null, "
             "\"backedUp\" boolean not null, \"transports\" text, \"createdAt\" timestamptz)");
  schema.run("create index \"passkey_userId_idx\" on " + q + "\"passkey\" (\"userId\")");
  schema.run("insert into " + q + "\"passkey\" values ('pk-new', 'Phone', 'pQECAyYg==', 'u-ada', 'Y3JlZA', 7, "
             "'multiDevice', true, 'internal,hybrid', '2026-11-26T04:46:53.751Z'), "
             "('pk-old', null, 'pQECAyYh==', 'u-ada', 'Y3JlZA', 0, 'singleDevice', false, null, "
             "'2026-11-25T04:46:53.751Z'), "
             "('pk-undated', 'Key', 'pQECAyYi==', 'u-ada', 'b3RoZXI', 3, 'singleDevice', false, 'usb', null)");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  CHECK(passkey_columns(schema) == kBetterAuthPasskeyColumns);
  CHECK(schema.run("select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = '" +
                   schema.name() + "' and tablename = 'passkey' and indexdef not like '%UNIQUE%'") ==
        "passkey_credentialID_idx,passkey_userId_idx");

  auto listed = store->list_passkeys("u-ada");
  REQUIRE(listed.ok());
  CHECK(ids_of(*listed) == std::vector<std::string>{"pk-undated", "pk-old", "pk-new"});
  auto newer = store->find_passkey("pk-new");
  REQUIRE(newer.ok());
  CHECK(newer->name == std::optional<std::string>("Phone"));
  CHECK(newer->counter == 7);
  CHECK(newer->backed_up);
  CHECK(newer->transports == std::optional<std::string>("internal,hybrid"));
  REQUIRE(newer->created_at.has_value());
  CHECK(ms(*newer->created_at) == ms(iso("2026-11-26T04:46:53.751Z")));
  CHECK_FALSE(newer->aaguid.has_value());
  auto by_credential = store->find_passkey_by_credential_id("Y3JlZA");
  REQUIRE(by_credential.ok());
  CHECK(by_credential->id == "pk-old");  // the older of the two
  CHECK_FALSE(by_credential->backed_up);
  CHECK_FALSE(store->find_passkey("pk-undated")->created_at.has_value());
  Passkey again = make_passkey("u-ada", kT0);
  again.credential_id = "Y3JlZA";
  CHECK(code_of(store->create_passkey(again, 25)) == ErrorCode::kUserAlreadyExists);
  Passkey added = make_passkey("u-ada", kT0);
  REQUIRE(*store->create_passkey(added, 25));
  check_same(*store->find_passkey(added.id), added);
  CHECK(schema.run("select \"createdAt\" = '2026-11-25T04:46:53.751Z'::timestamptz and \"backedUp\" from " + q +
                   "\"passkey\" where \"id\" = '" + added.id + "'") == "t");
  REQUIRE(store->delete_user("u-ada").ok());
  CHECK(schema.run("select count(*) from " + q + "\"passkey\"") == "0");
}

// The columns of `table` as "name type nullable" (information_schema), in table order.
std::string table_columns(const testing::TempSchema& schema, const std::string& table) {
  return schema.run("select string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ',' "
                    "order by ordinal_position) from information_schema.columns where table_schema = '" +
                    schema.name() + "' and table_name = '" + table + "'");
}

TEST_CASE("postgres: the organization plugin's tables are the ones BetterAuth's generator writes", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(table_columns(schema, "organization") ==
        "id text NO,name text NO,slug text NO,logo text YES,createdAt timestamp with time zone NO,metadata text YES");
  CHECK(table_columns(schema, "member") ==
        "id text NO,organizationId text NO,userId text NO,role text NO,createdAt timestamp with time zone NO");
  CHECK(table_columns(schema, "invitation") ==
        "id text NO,organizationId text NO,email text NO,role text YES,status text NO,"
        "expiresAt timestamp with time zone NO,createdAt timestamp with time zone NO,inviterId text NO");
  CHECK(schema.run("select data_type || ' ' || is_nullable from information_schema.columns where table_schema = '" +
                   schema.name() + "' and table_name = 'session' and column_name = 'activeOrganizationId'") ==
        "text YES");
  // The plain indexes, the unique slug, and the foreign keys with ON DELETE CASCADE.
  CHECK(schema.run("select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = '" +
                   schema.name() + "' and tablename in ('member', 'invitation') and indexdef not like '%UNIQUE%'") ==
        "invitation_email_idx,invitation_organizationId_idx,member_organizationId_idx,member_userId_idx");
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and tablename = 'organization' and indexdef like '%UNIQUE%(slug)'") == "1");
  CHECK(schema.run("select string_agg(confdeltype::text, '' order by conname) from pg_constraint where contype = 'f' "
                   "and conrelid in ('\"" + schema.name() + "\".\"member\"'::regclass, '\"" + schema.name() +
                   "\".\"invitation\"'::regclass)") == "cccc");
}

TEST_CASE("postgres: a BetterAuth database that has the organization plugin keeps its tables and rows",
          "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  const User ada = [] {
    User u = make_user("ada@example.com");
    u.id = "u-ada";
    return u;
  }();
  Session session = make_session("u-ada", kT0, at(3600000));
  {
    // BetterAuth's tables, as made by a first migrate() at version 7, then the plugin's as its
    // generator writes them (an invitation's "createdAt" left to its default).
    auto store = open_postgres(*url, schema.name());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
    REQUIRE(store->create_session(session).ok());
  }
  schema.run("drop table " + q + "\"invitation\", " + q + "\"member\", " + q + "\"organization\"");
  schema.run("alter table " + q + "\"session\" drop column \"activeOrganizationId\"");
  schema.run("delete from " + q + "\"portcullis_migrations\" where \"version\" = 8");
  schema.run("alter table " + q + "\"session\" add column \"activeOrganizationId\" text");
  schema.run("create table " + q + "\"organization\" (\"id\" text not null primary key, \"name\" text not null, "
             "\"slug\" text not null unique, \"logo\" text, \"createdAt\" timestamptz not null, \"metadata\" text)");
  schema.run("create table " + q + "\"member\" (\"id\" text not null primary key, \"organizationId\" text not null "
             "references " + q + "\"organization\" (\"id\") on delete cascade, \"userId\" text not null references " +
             q + "\"user\" (\"id\") on delete cascade, \"role\" text not null, \"createdAt\" timestamptz not null)");
  schema.run("create table " + q + "\"invitation\" (\"id\" text not null primary key, \"organizationId\" text not "
             "null references " + q + "\"organization\" (\"id\") on delete cascade, \"email\" text not null, \"role\" "
             "text, \"status\" text not null, \"expiresAt\" timestamptz not null, \"createdAt\" timestamptz default "
             "CURRENT_TIMESTAMP not null, \"inviterId\" text not null references " + q +
             "\"user\" (\"id\") on delete cascade)");
  schema.run("insert into " + q + "\"organization\" values ('org-1', 'Engines', 'engines', null, "
             "'2026-11-25T04:46:53.751Z', '{\"a\":1}')");
  schema.run("insert into " + q + "\"member\" values ('mem-1', 'org-1', 'u-ada', 'owner', '2026-11-25T04:46:53.751Z')");
  schema.run("insert into " + q + "\"invitation\" (\"id\", \"organizationId\", \"email\", \"status\", \"expiresAt\", "
             "\"inviterId\") values ('inv-1', 'org-1', 'bob@example.com', 'pending', '2026-11-27T04:46:53.751Z', "
             "'u-ada')");
  schema.run("update " + q + "\"session\" set \"activeOrganizationId\" = 'org-1'");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(*store->schema_version() == kLatestSchemaVersion);
  CHECK(*store->find_organization_by_slug("engines") ==
        Organization{"org-1", "Engines", "engines", std::nullopt, R"({"a":1})", kT0});
  CHECK(*store->find_member("org-1", "u-ada") == Member{"mem-1", "org-1", "u-ada", "owner", kT0});
  auto invitation = store->find_invitation("inv-1");
  REQUIRE(invitation.ok());
  CHECK_FALSE(invitation->role.has_value());
  CHECK(ms(invitation->expires_at) == ms(iso("2026-11-27T04:46:53.751Z")));
  CHECK(store->find_session(session.token)->session.active_organization_id == std::optional<std::string>("org-1"));
  CHECK(schema.run("select count(*) from information_schema.columns where table_schema = '" + schema.name() +
                   "' and table_name = 'session'") == "10");

  REQUIRE(store->delete_user("u-ada").ok());
  CHECK(schema.run("select count(*) from " + q + "\"member\"") == "0");
  CHECK(schema.run("select count(*) from " + q + "\"invitation\"") == "0");
}

TEST_CASE("postgres: the apikey table is the one BetterAuth's generator writes", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  CHECK(table_columns(schema, "apikey") ==
        "id text NO,configId text NO,name text YES,start text YES,referenceId text NO,prefix text YES,key text NO,"
        "refillInterval integer YES,refillAmount integer YES,lastRefillAt timestamp with time zone YES,"
        "enabled boolean YES,rateLimitEnabled boolean YES,rateLimitTimeWindow integer YES,rateLimitMax integer YES,"
        "requestCount integer YES,remaining integer YES,lastRequest timestamp with time zone YES,"
        "expiresAt timestamp with time zone YES,createdAt timestamp with time zone NO,"
        "updatedAt timestamp with time zone NO,permissions text YES,metadata text YES");
  // No defaults, no foreign key, the three plain indexes and the primary key's.
  CHECK(schema.run("select count(*) from information_schema.columns where table_schema = '" + schema.name() +
                   "' and table_name = 'apikey' and column_default is not null") == "0");
  CHECK(schema.run("select count(*) from pg_constraint where contype = 'f' and conrelid = '\"" + schema.name() +
                   "\".\"apikey\"'::regclass") == "0");
  CHECK(schema.run("select string_agg(indexname, ',' order by indexname) from pg_indexes where schemaname = '" +
                   schema.name() + "' and tablename = 'apikey' and indexdef not like '%UNIQUE%'") ==
        "apikey_configId_idx,apikey_key_idx,apikey_referenceId_idx");
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and tablename = 'apikey' and indexdef like '%UNIQUE%'") == "1");

  // Values in their native types, the instants to the millisecond.
  const User u = make_user("ada@example.com");
  REQUIRE(store->create_user(u, credential_for(u)).ok());
  ApiKey k = make_api_key(u.id, kT0);
  k.id = "ak-1";
  k.enabled = false;
  REQUIRE(*store->create_api_key(k, 10));
  const std::string q = "\"" + schema.name() + "\".";
  CHECK(schema.run("select \"enabled\"::text || ' ' || \"rateLimitEnabled\"::text || ' ' || \"requestCount\" || ' ' || "
                   "to_char(\"lastRequest\" at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') from " + q +
                   "\"apikey\"") == "false true 3 2026-11-25T04:46:56.253Z");
}

TEST_CASE("postgres: a BetterAuth database that has the API-key plugin keeps its table and keys", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  const std::string q = "\"" + schema.name() + "\".";
  const User ada = [] {
    User u = make_user("ada@example.com");
    u.id = "u-ada";
    return u;
  }();
  {
    // BetterAuth's tables, as made by a first migrate() at version 8, then the plugin's as its
    // generator writes it, with rows the plugin may leave: "metadata" the JSON text null, NULL
    // flags and count, one hash three times.
    auto store = open_postgres(*url, schema.name());
    REQUIRE(store->migrate().ok());
    REQUIRE(store->create_user(ada, credential_for(ada)).ok());
  }
  schema.run("drop table " + q + "\"apikey\"");
  schema.run("delete from " + q + "\"portcullis_migrations\" where \"version\" = 9");
  schema.run("create table " + q + "\"apikey\" (\"id\" text not null primary key, \"configId\" text not null, "
             "\"name\" text, \"start\" text, \"referenceId\" text not null, \"prefix\" text, \"key\" text not null, "
             "\"refillInterval\" integer, \"refillAmount\" integer, \"lastRefillAt\" timestamptz, \"enabled\" boolean, "
             "\"rateLimitEnabled\" boolean, \"rateLimitTimeWindow\" integer, \"rateLimitMax\" integer, "
             "\"requestCount\" integer, \"remaining\" integer, \"lastRequest\" timestamptz, \"expiresAt\" timestamptz, "
             "\"createdAt\" timestamptz not null, \"updatedAt\" timestamptz not null, \"permissions\" text, "
             "\"metadata\" text)");
  schema.run("create index \"apikey_configId_idx\" on " + q + "\"apikey\" (\"configId\")");
  schema.run("create index \"apikey_referenceId_idx\" on " + q + "\"apikey\" (\"referenceId\")");
  schema.run("create index \"apikey_key_idx\" on " + q + "\"apikey\" (\"key\")");
  schema.run("insert into " + q + "\"apikey\" values ('ak-plugin', 'default', 'deploys', 'pc_Abc', 'u-ada', 'pc_', "
             "'hash-plugin', null, null, null, true, true, 86400000, 10, 0, null, null, '2026-12-25T04:46:53.751Z', "
             "'2026-11-25T04:46:53.751Z', '2026-11-25T04:46:53.751Z', '{\"files\":[\"read\"]}', 'null'), "
             "('ak-nulls', 'default', null, null, 'u-ada', null, 'hash-nulls', null, null, null, null, null, null, "
             "null, null, null, null, null, '2026-11-25T04:46:54.000Z', '2026-11-25T04:46:54.000Z', null, null), "
             "('ak-off', 'default', 'off', null, 'u-ada', null, 'hash-off', null, null, null, false, false, null, "
             "null, 4, null, null, null, '2026-11-25T04:46:55.000Z', '2026-11-25T04:46:55.000Z', null, null), "
             "('ak-twice-z', 'default', null, null, 'u-ada', null, 'hash-twice', null, null, null, true, true, null, "
             "null, 0, null, null, null, '2026-11-25T04:46:56.000Z', '2026-11-25T04:46:56.000Z', null, 'null'), "
             "('ak-twice-y', 'default', null, null, 'u-ada', null, 'hash-twice', null, null, null, true, true, null, "
             "null, 0, null, null, null, '2026-11-25T04:46:56.000Z', '2026-11-25T04:46:56.000Z', null, 'null'), "
             "('ak-twice-x', 'default', null, null, 'u-ada', null, 'hash-twice', null, null, null, true, true, null, "
             "null, 0, null, null, null, '2026-11-25T04:46:55.500Z', '2026-11-25T04:46:56.000Z', null, 'null')");

  auto store = open_postgres(*url, schema.name());
  REQUIRE(store->migrate().ok());
  REQUIRE(store->migrate().ok());  // and again: nothing to do
  CHECK(*store->schema_version() == kLatestSchemaVersion);

  ApiKey plugin;
  plugin.id = "ak-plugin";
  plugin.name = "deploys";
  plugin.start = "pc_Abc";
  plugin.reference_id = "u-ada";
  plugin.prefix = "pc_";
  plugin.key_hash = "hash-plugin";
  plugin.rate_limit_time_window_ms = 86400000;
  plugin.rate_limit_max = 10;
  plugin.expires_at = iso("2026-12-25T04:46:53.751Z");
  plugin.created_at = kT0;
  plugin.updated_at = kT0;
  plugin.permissions = R"({"files":["read"]})";
  plugin.metadata = "null";
  check_same(*store->find_api_key_by_hash("hash-plugin"), plugin);
  ApiKey nulls;  // NULL flags read as true, a NULL count as 0
  nulls.id = "ak-nulls";
  nulls.reference_id = "u-ada";
  nulls.key_hash = "hash-nulls";
  nulls.created_at = iso("2026-11-25T04:46:54.000Z");
  nulls.updated_at = nulls.created_at;
  check_same(*store->find_api_key("ak-nulls"), nulls);

  CHECK(store->find_api_key_by_hash("hash-twice")->id == "ak-twice-x");
  schema.run("delete from " + q + "\"apikey\" where \"id\" = 'ak-twice-x'");
  CHECK(store->find_api_key_by_hash("hash-twice")->id == "ak-twice-y");

  using Ids = std::vector<std::string>;
  const auto ids = [&](ApiKeyField field, bool descending) {
    auto page = store->list_api_keys("u-ada", ApiKeyOrder{field, descending}, 100, 0);
    REQUIRE(page.ok());
    CHECK(page->total == 5);
    return ids_of(*page);
  };
  CHECK(ids(ApiKeyField::kEnabled, false) == Ids{"ak-off", "ak-nulls", "ak-plugin", "ak-twice-y", "ak-twice-z"});
  CHECK(ids(ApiKeyField::kRequestCount, true) == Ids{"ak-off", "ak-nulls", "ak-plugin", "ak-twice-y", "ak-twice-z"});
  CHECK(ids(ApiKeyField::kName, false) == Ids{"ak-nulls", "ak-twice-y", "ak-twice-z", "ak-plugin", "ak-off"});

  auto changed = store->change_api_key("ak-nulls", [](ApiKey& k) {
    k.request_count += 1;
    return Status::OK();
  });
  REQUIRE(changed.ok());
  CHECK(schema.run("select \"enabled\"::text || ' ' || \"rateLimitEnabled\"::text || ' ' || \"requestCount\" from " +
                   q + "\"apikey\" where \"id\" = 'ak-nulls'") == "true true 1");
  CHECK(schema.run("select count(*) from pg_indexes where schemaname = '" + schema.name() +
                   "' and tablename = 'apikey'") == "4");  // nothing added twice

  REQUIRE(store->delete_user("u-ada").ok());
  CHECK(schema.run("select count(*) from " + q + "\"apikey\"") == "0");
}

TEST_CASE("postgres: a replica hears another's organization changes to sessions (watch_changes)", "[postgres]") {
  const auto url = postgres_url_or_skip();
  if (!url) return;
  testing::TempSchema schema(*url);
  auto here = open_postgres(*url, schema.name());
  auto there = open_postgres(*url, schema.name());
  REQUIRE(here->migrate().ok());
  const User ada = make_user("ada@example.com");
  const User bob = make_user("bob@example.com");
  for (const User* u : {&ada, &bob}) REQUIRE(there->create_user(*u, credential_for(*u)).ok());
  const Organization org = make_organization("engines", kT0);
  REQUIRE(*there->create_organization(org, make_member(org.id, ada.id, "owner", kT0), std::nullopt));
  const Member bobs = make_member(org.id, bob.id, "member", at(1));
  REQUIRE(there->add_member(bobs, 100).ok());
  Session adas_session = make_session(ada.id, kT0, at(3600000));
  adas_session.active_organization_id = org.id;
  Session bobs_session = make_session(bob.id, kT0, at(3600000));
  bobs_session.active_organization_id = org.id;
  for (const Session* s : {&adas_session, &bobs_session}) REQUIRE(there->create_session(*s).ok());

  CallCounter heard;
  REQUIRE(here->watch_changes(heard.callback()));
  REQUIRE(heard.wait_for(1));  // the call that follows connecting
  const int before = heard.calls();

  SECTION("choosing a session's active organization") {
    REQUIRE(there->set_active_organization(adas_session.token, std::nullopt).ok());
    REQUIRE(heard.wait_for(before + 1));
    CHECK(heard.user(before) == ada.id);
  }
  SECTION("removing a member: its user's sessions") {
    REQUIRE(there->remove_member(org.id, bobs.id, "owner").ok());
    REQUIRE(heard.wait_for(before + 1));
    CHECK(heard.user(before) == bob.id);
  }
  SECTION("deleting the organization: every user whose session worked in it") {
    REQUIRE(there->delete_organization(org.id).ok());
    REQUIRE(heard.wait_for(before + 2));
    std::vector<std::string> users{heard.user(before), heard.user(before + 1)};
    std::sort(users.begin(), users.end());
    std::vector<std::string> want{ada.id, bob.id};
    std::sort(want.begin(), want.end());
    CHECK(users == want);
  }
}

TEST_CASE("postgres: a server that cannot be reached fails to open, without the password", "[postgres]") {
  PostgresOptions options;
  options.url = "postgres://portcullis:s3cret-pw@127.0.0.1:1/auth?connect_timeout=5";
  auto opened = open_postgres_store(options);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == ErrorCode::kInternalServerError);
  CHECK(opened.status().message().find("postgres: connect: ") == 0);
  CHECK(opened.status().message().find("s3cret") == std::string::npos);

  options.url = "postgres://127.0.0.1:1/auth";
  options.schema = "bad; DROP TABLE x";
  opened = open_postgres_store(options);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message().find("schema") != std::string::npos);
}

TEST_CASE("postgres: URLs are logged without their passwords", "[postgres]") {
  CHECK(redact_database_url("postgres://ada:s3cret@db.example.com:5432/auth?sslmode=require") ==
        "postgres://ada:***@db.example.com:5432/auth?sslmode=require");
  CHECK(redact_database_url("postgresql://ada@db/auth?sslmode=require&password=s3cret&x=1") ==
        "postgresql://ada@db/auth?sslmode=require&password=***&x=1");
  CHECK(redact_database_url("postgres://db.example.com/auth") == "postgres://db.example.com/auth");
  CHECK(redact_database_url("postgres://ada:p@ss@db/auth") == "postgres://ada:***@db/auth");
  CHECK(redact_database_url("/var/lib/portcullis/auth.db") == "/var/lib/portcullis/auth.db");
  CHECK(is_postgres_url("postgresql://db/auth"));
  CHECK_FALSE(is_postgres_url("auth.db"));
}

}  // namespace
}  // namespace portcullis::store

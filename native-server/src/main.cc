// portcullis: the server and its command-line tools in one binary.

#include <malloc.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/breached_passwords.h"
#include "common/strings.h"
#include "common/time.h"
#include "config.h"
#include "http_server.h"
#include "runtime.h"
#include "store/postgres_store.h"
#include "store/sqlite_backup.h"

namespace {

using namespace portcullis;

constexpr std::string_view kUsage = R"(portcullis - BetterAuth-compatible e-mail/password auth server

Usage:
  portcullis serve [options]                 serve the API under /api/auth (migrates first)
  portcullis migrate [options]               bring the database schema up to date
  portcullis user create --email E --name N [--username U] [--verified] [--allow-weak] [options]
  portcullis user list [--limit N] [options]
  portcullis user delete --email E [options]
  portcullis user set-password --email E [--allow-weak] [options]
  portcullis user disable-two-factor --email E [options]   for a user who lost the app and codes
  portcullis user ban --email E [--reason TEXT] [--expires-in SECONDS] [options]
  portcullis user unban --email E [options]
  portcullis user set-role --email E --role admin|user|user,admin [options]
  portcullis sessions revoke --user E [options]   sign a user out everywhere (E: e-mail or id)
  portcullis backup --to PATH [--keep N] [options]   copy the SQLite database, while servers run on it
  portcullis check-config [options]          validate the configuration and print it
  portcullis --help | --version

Passwords for `user create` and `user set-password` are read from standard input (one line; the
terminal does not echo it), never from the command line. They must pass the same policy as
sign-up: the length bounds and the minimum strength (--min-password-score); --allow-weak skips the
strength rule only, for an administrator who knows better. With --breached-passwords, a password
known from data breaches is refused too (PASSWORD_COMPROMISED), --allow-weak or not. `user set-password` signs the user
out everywhere and, with mail configured (--mail) and --security-notifications, mails them a
notice before it exits. `user delete` deletes the user's sessions, accounts and pending links too.
`user ban` signs the user out everywhere and refuses their sign-ins (403 BANNED_USER, to whoever
gives the right password) until `user unban`, or for --expires-in seconds; the reason is kept
for administrators (`user list`), never shown to the user. It is BetterAuth's admin plugin's ban,
which either server honours.
`user set-role` sets a user's roles: with --admin, a user whose roles include admin is an
administrator of /admin/* (BetterAuth's admin plugin's roles; see --admin-user-ids).
A server running on the same database sees what these commands change within its
--session-cache-ttl (default 5 s; 0: at once).

`backup` copies the SQLite database (--database) as it is at one instant, into a new file PATH,
or into PATH/portcullis-YYYYMMDDTHHMMSSZ.db when PATH is a directory, readable by its owner
only. Servers on the database go on serving meanwhile. It never overwrites a file, and checks
the copy before it gets its name. With a directory, --keep N then deletes its dated copies but
the newest N (integrations/deploy/systemd has a daily timer that does this). To restore, stop the server and start it with --database COPY
(or copy it over the database file, after removing the old file's -wal and -shm files).
A PostgreSQL database is backed up with pg_dump instead.

New passwords (sign-up, change-password, reset-password, the commands above) must reach a zxcvbn
strength score of --min-password-score (0-4, default 2; 0: no rule), estimated with the user's
e-mail address and name as known words. A weaker one gets 400 PASSWORD_TOO_WEAK with the score and
the estimator's feedback. Sign-in never checks it, so existing users are never locked out.

--better-auth-compatible accepts what BetterAuth accepts and writes what it reads, for replacing a
BetterAuth server or sharing its database: unless set explicitly, it implies
--min-password-score 0, --allow-empty-name true and --password-hash scrypt. The other protections
(rate limits, the hash pool, the secret rule, e-mail lengths, unknown body fields refused, hashed
e-mailed tokens, sign-out everywhere after a reset) stay as configured.

Configuration, later sources winning: defaults, --config FILE (JSON), the environment, flags.
The secret comes from BETTER_AUTH_SECRET (or the config file), never from a flag, and must be at
least 32 bytes unless --dev is given (then a random one is made for this run).

Options (flag, config-file key, environment variable):
)";

int fail(const std::string& message, int code = 1) {
  std::cerr << "portcullis: " << message << "\n";
  return code;
}

// The command line after the command words: config flags, plus options of the command itself.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> own;  // the command's own --name value
};

// Splits `args` into config flags (applied to `config`) and the command's own options, whose
// names are listed in `own_names` (those in `own_bool_names` take no value).
Status parse_args(const std::vector<std::string>& args, std::initializer_list<std::string_view> own_names,
                  std::initializer_list<std::string_view> own_bool_names, bool require_secret, Config& config,
                  Args& out) {
  // The config file first, so the environment and flags override it.
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      if (Status s = load_config_file(args[i + 1], config); !s.ok()) return s;
    }
  }
  if (Status s = load_config_env(config); !s.ok()) return s;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    const std::string name = a.substr(2);
    const auto is = [&](auto names) {
      for (std::string_view n : names) {
        if (n == name) return true;
      }
      return false;
    };
    if (is(own_bool_names)) {
      out.own.emplace_back(name, "true");
    } else if (name == "config" || is(own_names)) {
      if (i + 1 >= args.size()) return Status(ErrorCode::kValidationError, a + ": needs a value");
      if (name != "config") out.own.emplace_back(name, args[i + 1]);
      ++i;
    } else if (name == "secret") {
      return Status(ErrorCode::kValidationError, "--secret: pass the secret in BETTER_AUTH_SECRET, not on the command line");
    } else if (config_flag_is_boolean(name) && (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)) {
      if (Status s = apply_config_flag(config, name, "true"); !s.ok()) return s;
    } else {
      if (i + 1 >= args.size()) return Status(ErrorCode::kValidationError, a + ": needs a value");
      if (Status s = apply_config_flag(config, name, args[++i]); !s.ok()) return s;
    }
  }
  return finalize_config(config, require_secret);
}

std::string own_value(const Args& args, std::string_view name, std::string fallback = "") {
  for (const auto& [k, v] : args.own) {
    if (k == name) return v;
  }
  return fallback;
}

// Reads one line from standard input, without echo when it is a terminal.
std::string read_password() {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << "Password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int serve(Config& config) {
  // Block the stop signals in every thread; one thread waits for them and stops the server,
  // which lets in-flight requests finish.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto rt = open_runtime(config, {.mail = true, .session_cache = true});
  if (!rt) return fail(rt.status().message());
  if (config.audit_log) {
    rt->service->set_audit([](const std::string& line) {
      const std::string text = line + "\n";
      std::fwrite(text.data(), 1, text.size(), stdout);  // one write per line, as the access log's
      std::fflush(stdout);
    });
  }
  server::HttpServer server(config, *rt->service, *rt->store);
  server.report_session_cache(rt->session_cache);
  const int port = server.bind();
  if (port < 0) {
    if (config.metrics && server.metrics_port() < 0) {
      return fail("cannot listen on " + config.metrics_host + ":" + std::to_string(config.metrics_port) + " (metrics)");
    }
    return fail("cannot listen on " + config.host + ":" + std::to_string(config.port));
  }
  use_listening_port(config, port);
  server.reload_origin();

  // Housekeeping: expired sessions and tokens are deleted every ten minutes.
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread janitor([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; })) {
      (void)rt->store->delete_expired(store::now_ms());
    }
  });
  std::atomic<bool> listen_returned{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    // A signal can come before listen() has started (right after "listening" is printed), when
    // stop() would do nothing: wait until it serves (or has given up), then stop it.
    while (!listen_returned) {
      if (server.is_running()) {
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  nlohmann::ordered_json ready{{"msg", "listening"},
                               {"url", "http://" + config.host + ":" + std::to_string(port) + config.base_path},
                               {"database", store::redact_database_url(config.database)},
                               {"mail", config.mail},
                               {"dev", config.dev}};
  if (config.metrics) {
    ready["metrics"] = "http://" + config.metrics_host + ":" + std::to_string(server.metrics_port()) + "/metrics";
  }
  std::cout << ready.dump() << std::endl;
  const bool ok = server.listen();
  // listen() also returns if the socket fails; wake the waiter so it can be joined.
  listen_returned = true;
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  janitor.join();
  if (rt->mail) rt->mail->flush();
  std::cout << R"({"msg":"stopped"})" << std::endl;
  return ok ? 0 : 1;
}

nlohmann::ordered_json user_line(const store::User& u) {
  nlohmann::ordered_json line = {{"id", u.id},
                                 {"email", u.email},
                                 {"name", u.name},
                                 {"emailVerified", u.email_verified},
                                 {"twoFactorEnabled", u.two_factor_enabled},
                                 {"role", auth::join_roles(auth::split_roles(u.role))},
                                 {"banned", u.ban.has_value()},
                                 {"createdAt", format_iso8601(u.created_at)}};
  if (u.ban && u.ban->reason) line["banReason"] = *u.ban->reason;
  if (u.ban && u.ban->expires) line["banExpires"] = format_iso8601(*u.ban->expires);
  if (u.username) line["username"] = *u.username;
  return line;
}

Result<store::User> find_user(store::Store& store, const std::string& email_or_id) {
  auto by_email = store.find_user_by_email(normalize_email(email_or_id));
  if (by_email.ok()) return by_email;
  return store.find_user_by_id(email_or_id);
}

// Explains a refused password on standard error; returns the exit code.
int fail_password(const Status& s, const PasswordCheck& verdict, int required_score) {
  if (s.code() != ErrorCode::kPasswordTooWeak) return fail(std::string(s.code_name()) + ": " + s.message());
  std::string text = std::string(s.code_name()) + ": " + s.message() + " (strength " +
                     std::to_string(verdict.score) + ", at least " + std::to_string(required_score) +
                     " is required)";
  for (const std::string& suggestion : verdict.feedback.suggestions) text += "\n  " + suggestion;
  text += "\n  (--allow-weak sets it anyway)";
  return fail(text);
}

int user_command(const std::string& sub, const Args& args, const Config& config) {
  // set-password tells the user by mail (with mail configured and --security-notifications); the
  // queue delivers before the command exits.
  auto rt = open_runtime(config, {.mail = sub == "set-password"});
  if (!rt) return fail(rt.status().message());
  store::Store& store = *rt->store;
  const std::string email = own_value(args, "email");
  const bool allow_weak = own_value(args, "allow-weak") == "true";
  if (sub == "create") {
    if (email.empty()) return fail("user create: --email is required", 2);
    const std::string password = read_password();
    PasswordCheck verdict;
    auth::NewUser request;
    request.name = own_value(args, "name", email.substr(0, email.find('@')));
    request.email = email;
    request.password = password;
    request.email_verified = own_value(args, "verified") == "true";
    if (const std::string username = own_value(args, "username"); !username.empty()) request.username = username;
    auto user = rt->service->create_user(request, store::now_ms(), allow_weak, &verdict);
    if (!user) return fail_password(user.status(), verdict, config.password_policy.min_score);
    std::cout << user_line(*user).dump() << "\n";
    return 0;
  }
  if (sub == "list") {
    const std::size_t limit = std::stoul(own_value(args, "limit", "1000"));
    auto users = store.list_users(limit, 0);
    if (!users) return fail(users.status().message());
    for (const auto& u : *users) std::cout << user_line(u).dump() << "\n";
    return 0;
  }
  if (email.empty()) return fail("user " + sub + ": --email is required", 2);
  auto user = find_user(store, email);
  if (!user) return fail("no such user: " + email);
  if (sub == "delete") {
    if (Status s = store.delete_user(user->id); !s.ok()) return fail(s.message());
    std::cout << R"({"deleted":")" << user->id << "\"}\n";
    return 0;
  }
  if (sub == "disable-two-factor") {
    // The recovery for a user without the authenticator app and the backup codes: the key and
    // codes are deleted (and codes by e-mail turned off); the password alone signs in until the
    // user turns it on again.
    if (Status s = rt->service->turn_off_two_factor(user->id, store::now_ms()); !s.ok()) return fail(s.message());
    std::cout << R"({"twoFactorDisabled":")" << user->id << "\"}\n";
    return 0;
  }
  if (sub == "ban" || sub == "unban") {
    std::optional<store::Ban> ban;
    if (sub == "ban") {
      ban.emplace();
      if (const std::string reason = own_value(args, "reason"); !reason.empty()) ban->reason = reason;
      if (const std::string text = own_value(args, "expires-in"); !text.empty()) {
        std::uint64_t seconds = 0;
        if (!parse_decimal(text, 10, seconds) || seconds == 0) {
          return fail("--expires-in: a number of seconds, at least 1", 2);
        }
        ban->expires = store::now_ms() + std::chrono::seconds(seconds);
      }
    }
    if (Status s = store.set_ban(user->id, ban, store::now_ms()); !s.ok()) return fail(s.message());
    std::cout << nlohmann::ordered_json{{sub == "ban" ? "banned" : "unbanned", user->id}}.dump() << "\n";
    return 0;
  }
  if (sub == "set-role") {
    // The command line's way to a first administrator (--admin); any role of the two may be set,
    // with or without --admin.
    const std::string text = own_value(args, "role");
    if (text.empty()) return fail("user set-role: --role is required", 2);
    const auto roles = auth::split_roles(text);
    if (!auth::check_roles(roles).ok()) return fail("--role: admin, user, or both (user,admin)", 2);
    if (Status s = store.set_role(user->id, auth::join_roles(roles), store::now_ms()); !s.ok()) return fail(s.message());
    std::cout << nlohmann::ordered_json{{"roleSet", user->id}, {"role", auth::join_roles(roles)}}.dump() << "\n";
    return 0;
  }
  if (sub == "set-password") {
    PasswordCheck verdict;
    const Status s =
        rt->service->set_password(user->id, read_password(), store::now_ms(), allow_weak, &verdict);
    if (!s.ok()) return fail_password(s, verdict, config.password_policy.min_score);
    std::cout << R"({"passwordSet":")" << user->id << "\"}\n";
    return 0;
  }
  return fail("unknown user command: " + sub, 2);
}

int sessions_command(const std::string& sub, const Args& args, const Config& config) {
  if (sub != "revoke") return fail("unknown sessions command: " + sub, 2);
  const std::string who = own_value(args, "user");
  if (who.empty()) return fail("sessions revoke: --user is required", 2);
  auto rt = open_runtime(config, {});
  if (!rt) return fail(rt.status().message());
  auto user = find_user(*rt->store, who);
  if (!user) return fail("no such user: " + who);
  auto n = rt->store->delete_sessions(user->id, "");
  if (!n) return fail(n.status().message());
  std::cout << R"({"revoked":)" << *n << "}\n";
  return 0;
}

int backup_command(const Args& args, const Config& config) {
  const std::string to = own_value(args, "to");
  if (to.empty()) return fail("backup: --to is required (a new file, or a directory)", 2);
  if (store::is_postgres_url(config.database)) {
    return fail("backup: the database is PostgreSQL; back it up with pg_dump (for example: pg_dump --format=custom URL > FILE)");
  }
  const std::string keep_text = own_value(args, "keep");
  std::uint64_t keep = 0;
  if (!keep_text.empty()) {
    if (!parse_decimal(keep_text, 6, keep) || keep == 0) {
      return fail("backup: --keep takes a number of copies, at least 1", 2);
    }
    if (!std::filesystem::is_directory(to)) return fail("backup: --keep needs --to to be a directory", 2);
  }
  auto copy = store::backup_sqlite_database(config.database, to, std::chrono::system_clock::now());
  if (!copy) return fail(copy.status().message());
  nlohmann::ordered_json line{{"backup", copy->path},
                              {"bytes", copy->bytes},
                              {"users", copy->users},
                              {"sessions", copy->sessions},
                              {"schemaVersion", copy->schema_version}};
  if (keep > 0) {
    auto removed = store::prune_sqlite_backups(to, static_cast<std::size_t>(keep));
    if (!removed) return fail(removed.status().message());
    line["removed"] = *removed;
  }
  std::cout << line.dump() << "\n";
  return 0;
}

int check_config(const Config& c) {
  if (!c.breached_passwords.empty()) {
    // Opened as the server would (the file checked, the URL's form); the API is not called.
    auto list = auth::open_breached_passwords(c.breached_passwords, c.breached_passwords_timeout);
    if (!list) return fail("breachedPasswords: " + list.status().message());
  }
  // BetterAuth's plugins this server speaks for, as they are turned on.
  nlohmann::ordered_json plugins = nlohmann::ordered_json::array();
  for (const auto& [on, name] : {std::pair{c.two_factor, "two-factor"}, {c.two_factor_otp, "two-factor otp"},
                                 {c.jwt, "jwt"}, {c.admin, "admin"}, {c.admin_impersonation, "admin impersonation"},
                                 {c.username, "username"}, {c.email_otp, "email-otp"},
                                 {c.email_otp_change_email, "email-otp change-email"},
                                 {c.magic_link, "magic-link"}, {c.passkey, "passkey"},
                                 {c.last_login_method, "last-login-method"}, {c.organization, "organization"}, {!c.captcha.provider.empty(), "captcha"},
                                 {!c.breached_passwords.empty(), "haveibeenpwned"}}) {
    if (on) plugins.push_back(name);
  }
  nlohmann::ordered_json out{
      {"ok", true},
      {"plugins", std::move(plugins)},
      {"listen", c.host + ":" + std::to_string(c.port)},
      {"apiURL", c.api_url},
      {"trustedOrigins", c.trusted_origins},
      {"trustedProxies", c.trusted_proxies},
      {"secureCookies", c.secure_cookies},
      {"cookieSameSite", c.cookie_same_site},
      {"cookiePartitioned", c.cookie_partitioned},
      {"cookiePrefix", c.cookie_prefix},
      {"database", store::redact_database_url(c.database)},
      {"betterAuthCompatible", c.better_auth_compatible},
      {"minPasswordScore", c.password_policy.min_score},
      {"breachedPasswords", c.breached_passwords.empty() ? std::string("off") : c.breached_passwords},
      {"captcha", c.captcha.provider.empty() ? std::string("off") : c.captcha.provider},
      {"allowEmptyName", c.name_policy.allow_empty},
      {"passwordHash", c.password_hash},
      {"hashWorkers", hash_worker_count(c)},
      {"hashQueue", c.hash_queue},
      {"threads", c.threads},
      {"sessionCacheTtl", c.session_cache_ttl.count()},
      {"rateLimit", c.rate_limit_enabled},
      {"mail", c.mail},
      {"dev", c.dev},
      {"secret", "set (" + std::to_string(c.secret.size()) + " bytes)"},
  };
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

// glibc's allocator, sized for 128 connection threads on a few cores. By default it gives threads
// up to 8 arenas per core, each keeping 128 KiB and more of freed memory for later; the server's
// requests allocate little, so most of that is never used again. 4 arenas per core, no padding
// when an arena grows, and freed memory returned once 64 KiB of it sit at an arena's top: about
// 1.6-1.9 MiB less at the peak (VmHWM 58.3-58.7 -> 56.8 MiB, two A/B pairs: 50 users, then 3
// rounds of wrk, 16 connections of sign-in beside 64 of get-session for 10 s), with get-session's
// throughput unchanged within the noise of A/B runs (5 alternating 8 s wrk runs at 64
// connections: 17,672 vs 17,684 req/s on average). mallopt() would override GLIBC_TUNABLES, so
// an operator who set those keeps glibc's behaviour as they tuned it.
void tune_malloc() {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  (void)mallopt(M_ARENA_MAX, 4 * static_cast<int>(core_count()));
  (void)mallopt(M_TOP_PAD, 0);
  (void)mallopt(M_TRIM_THRESHOLD, 64 * 1024);
}

int main(int argc, char** argv) {
  tune_malloc();
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    std::cout << kUsage << config_reference();
    return all.empty() ? 2 : 0;
  }
  if (all[0] == "--version") {
    std::cout << "portcullis " << kVersion << "\n";
    return 0;
  }
  const std::string command = all[0];
  const bool has_sub = command == "user" || command == "sessions";
  if (has_sub && all.size() < 2) return fail(command + ": which one? See --help.", 2);
  const std::string sub = has_sub ? all[1] : "";
  const std::vector<std::string> rest(all.begin() + (has_sub ? 2 : 1), all.end());

  Config config;
  Args args;
  Status parsed;
  if (command == "serve" || command == "migrate" || command == "check-config") {
    parsed = parse_args(rest, {}, {}, command != "migrate", config, args);
  } else if (command == "user") {
    parsed = parse_args(rest, {"email", "name", "limit", "reason", "expires-in", "role", "username"}, {"verified", "allow-weak"}, false, config, args);
  } else if (command == "sessions") {
    parsed = parse_args(rest, {"user"}, {}, false, config, args);
  } else if (command == "backup") {
    parsed = parse_args(rest, {"to", "keep"}, {}, false, config, args);
  } else {
    return fail("unknown command: " + command + ". See --help.", 2);
  }
  if (!parsed.ok()) return fail(parsed.message(), 2);
  if (!args.positional.empty()) return fail("unexpected argument: " + args.positional[0], 2);

  if (command == "serve") return serve(config);
  if (command == "check-config") return check_config(config);
  if (command == "migrate") {
    auto rt = open_runtime(config, {});
    if (!rt) return fail(rt.status().message());
    auto v = rt->store->schema_version();
    std::cout << R"({"migrated":true,"schemaVersion":)" << (v.ok() ? *v : -1) << "}\n";
    return 0;
  }
  if (command == "user") return user_command(sub, args, config);
  if (command == "backup") return backup_command(args, config);
  return sessions_command(sub, args, config);
}

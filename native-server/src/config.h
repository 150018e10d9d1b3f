// Portcullis server: configuration.
//
// Sources, later ones winning: built-in defaults, a JSON config file (--config FILE), the
// environment (BetterAuth's BETTER_AUTH_SECRET, BETTER_AUTH_URL, BETTER_AUTH_TRUSTED_ORIGINS, and
// PORTCULLIS_* for the rest), then command-line flags. `portcullis --help` lists every flag;
// README.md lists the file keys and variables.

#ifndef PORTCULLIS_CONFIG_H_
#define PORTCULLIS_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "http/captcha.h"
#include "mail/mailer.h"
#include "portcullis/email.h"
#include "portcullis/error.h"
#include "portcullis/name.h"
#include "portcullis/password_hash.h"
#include "portcullis/password_policy.h"
#include "portcullis/username.h"

namespace portcullis {

struct RateLimitRule {
  std::chrono::milliseconds window{10000};
  std::int64_t max = 100;
};

struct Config {
  // --- listening ---
  std::string host = "127.0.0.1";
  int port = 3000;
  // Threads that serve requests: two per core poll the connections; each request that waits (for
  // a hash, the database, a slow client) holds one while it waits. Open keep-alive connections
  // hold none. 128 leave room for 64 requests waiting on the hash pool, and as many again for
  // everything else.
  int threads = 128;
  // An idle keep-alive connection is closed after this (and once SIGTERM stops the server, as
  // soon as the requests in flight are done).
  std::chrono::seconds keep_alive_timeout{5};
  std::chrono::seconds read_timeout{10};  // a client slower than this to send a request is cut off

  // --- identity ---
  // The public URL (origin, optionally with a path); BETTER_AUTH_URL. Empty: http://host:port.
  // An https URL turns on Secure cookies and the __Secure- cookie prefix.
  std::string base_url;
  std::string base_path = "/api/auth";
  std::string secret;  // BETTER_AUTH_SECRET: at least 32 bytes, unless dev
  bool dev = false;    // allows a missing or short secret (a random one is made per start)
  std::vector<std::string> trusted_origins;  // besides base_url's origin; '*' wildcards allowed
  // Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For and X-Forwarded-Proto are
  // believed; from any other peer those headers are ignored. Empty: none (the socket's address).
  std::vector<std::string> trusted_proxies;

  // --- storage ---
  std::string database = "portcullis.db";  // a SQLite file, or a postgres:// URL

  // --- cookies and sessions ---
  std::string cookie_prefix = "better-auth";
  std::string cookie_domain;  // "" for host-only cookies; set to share across subdomains
  // SameSite of the session cookies: "lax" (default), "strict", or "none" for a site on another
  // registrable domain than the server (then Secure always, and browsers that block third-party
  // cookies keep it only with cookie_partitioned).
  std::string cookie_same_site = "lax";
  bool cookie_partitioned = false;  // adds Partitioned (CHIPS)
  std::chrono::seconds session_expires_in{7 * 24 * 3600};
  std::chrono::seconds session_update_age{24 * 3600};
  std::chrono::seconds session_fresh_age{24 * 3600};
  // get-session answers from an in-process cache for up to this long after reading the database
  // (0: no cache). Changes made through this server drop them at once; changes made by another
  // process (the CLI while the server runs, a BetterAuth server on the same database) are seen
  // within it. See store/session_cache.h.
  std::chrono::seconds session_cache_ttl{5};
  std::size_t session_cache_size = 10000;  // sessions (and bodies) the caches keep

  // --- compatibility ---
  // BetterAuth-compatible mode: accept what BetterAuth accepts and write what it reads, for a
  // deployment that replaces a BetterAuth server or shares its database. Unless set explicitly
  // (a config-file key, variable or flag), it implies minPasswordScore 0 (no strength rule),
  // allowEmptyName true and passwordHash scrypt. Everything else stays as configured: rate limits,
  // the hash pool, the secret rule, the e-mail lengths, refusing unknown body fields, hashed
  // e-mailed tokens, signing out everywhere after a reset.
  bool better_auth_compatible = false;

  // --- validation ---
  // min_score (minPasswordScore): the strength a new password needs, 0-4 (default 2; 0: none).
  PasswordPolicy password_policy;
  NamePolicy name_policy;
  // BetterAuth's username plugin: sign-up and update-user take a username (unique, stored lower
  // case) and a display username, sign-in/username signs in with it, is-username-available tells.
  bool username = false;
  UsernamePolicy username_policy;
  EmailOptions email_options;
  // New passwords known from data breaches are refused (PASSWORD_COMPROMISED), after the rules
  // above: Have I Been Pwned's Pwned Passwords, asked through its range API ("hibp", or the URL
  // prefix of a mirror) or looked up in its downloaded file (a path). "" or "off": no check.
  // See auth/breached_passwords.h.
  std::string breached_passwords;
  std::size_t breached_passwords_min_count = 1;  // seen this many times or more: refused
  std::chrono::seconds breached_passwords_timeout{5};  // for the range API, per request
  // Also at each sign-in with a password: one the list has seen (as often as above) is told to
  // its user by mail (at most once in 30 days) and in the audit log; the sign-in goes on.
  bool breached_passwords_at_sign_in = false;

  // --- password hashing ---
  // "argon2id" (default) or "scrypt": BetterAuth's format, for a database a BetterAuth server
  // still shares. Either way both formats verify, and the other one is rehashed on sign-in.
  std::string password_hash = "argon2id";
  Argon2idParams argon2;
  int hash_workers = 0;    // 0: one per core
  // Sign-ins waiting beyond the running ones; more get 503. 62: with a worker per core on 2
  // cores, 64 at once are hashed or wait, and half of the default threads stay free.
  int hash_queue = 62;

  // --- flows ---
  bool sign_up_enabled = true;
  bool require_email_verification = false;
  bool send_verification_on_sign_up = false;
  bool auto_sign_in_after_verification = false;
  bool change_email_enabled = false;
  bool update_email_without_verification = false;
  // A verified user's change of address is first confirmed through a link to the old address
  // (BetterAuth's sendChangeEmailConfirmation), and only then verified at the new one.
  bool change_email_confirmation = true;
  // With mail: tell the user when their password or e-mail address changed (to the old address),
  // or a browser the account had not seen signed in.
  bool security_notifications = true;
  bool delete_user_enabled = true;
  // delete-user mails a link that deletes the account when followed (BetterAuth's
  // sendDeleteAccountVerification); needs mail.
  bool delete_user_verification = false;
  std::chrono::seconds delete_token_expires_in{86400};
  bool revoke_sessions_on_password_reset = true;
  // BetterAuth's two-factor plugin: /two-factor/* (an authenticator app's codes, backup codes),
  // and a sign-in of a user who turned it on asks for a code before it starts a session.
  bool two_factor = false;
  // Its "otp" method too: codes mailed to the user's address (two-factor/send-otp, verify-otp),
  // which any user with the second factor on may answer a sign-in with, and which a user with a
  // verified address may turn on instead of an app. Needs two_factor and mail.
  bool two_factor_otp = false;
  // BetterAuth's emailOTP plugin: six-digit codes mailed to an address sign in (creating the
  // account if there is none and sign-up is on), verify the address or reset the password
  // (auth/email_otp.cc). Needs mail.
  bool email_otp = false;
  std::chrono::seconds email_otp_expires_in{300};
  int email_otp_attempts = 3;  // wrong codes a code survives
  // Its overrideDefaultEmailVerification: verification mails carry a code instead of a link.
  bool email_otp_verification = false;
  // Its changeEmail: a signed-in user changes address with a code mailed to the new one
  // (/email-otp/request-email-change, /email-otp/change-email). A verified user also gives a code
  // mailed to the current address when change_email_confirmation is on (its verifyCurrentEmail).
  bool email_otp_change_email = false;
  // BetterAuth's magic-link plugin: a link mailed to an address signs in once (creating the
  // account if there is none and sign-up is on) (auth/magic_link.cc). Needs mail.
  bool magic_link = false;
  std::chrono::seconds magic_link_expires_in{300};
  // BetterAuth's passkey plugin: signed-in users register passkeys (WebAuthn credentials), which
  // then sign in without a password (auth/passkey.cc, auth/webauthn.h). The relying party's id
  // (none: base_url's host name) and name (none: app_name).
  bool passkey = false;
  std::string passkey_rp_id;
  std::string passkey_rp_name;
  // BetterAuth's last-login-method plugin (its cookie only, not storeInDatabase): a sign-in sets
  // the cookie "<cookie_prefix>.last_used_login_method", readable by the page's scripts, for 30
  // days, to the first factor's name: "email" (a password), "email-otp", "magic-link", "passkey".
  bool last_login_method = false;
  // BetterAuth's organization plugin (without teams): users create organizations, invite others
  // by e-mail, and give each member roles (owner, admin, member) that decide what they may do
  // (auth/organization.h). With mail, an invitation is mailed, with a link made from
  // organization_invitation_url ("{id}" replaced by the invitation's id).
  bool organization = false;
  bool allow_user_to_create_organization = true;
  std::size_t organization_limit = 0;  // organizations a user may belong to when creating one; 0: any
  std::size_t organization_membership_limit = 100;
  std::chrono::seconds organization_invitation_expires_in{48 * 3600};
  std::size_t organization_invitation_limit = 100;  // pending invitations per organization
  bool organization_cancel_pending_invitations_on_reinvite = false;
  // Accepting, rejecting or viewing an invitation needs a verified address (BetterAuth's
  // requireEmailVerificationOnInvitation, off there by default).
  bool organization_require_email_verification = true;
  std::string organization_invitation_url;  // "": <baseURL's origin>/accept-invitation/{id}
  // BetterAuth's API-key plugin (user-owned keys, one configuration): signed-in users make keys
  // (/api-key/*) that a program sends in the api_key_header instead of a session cookie;
  // get-session answers for the key's user (api_key_sessions), so a backend learns who calls
  // (auth/api_keys.h).
  bool api_key = false;
  bool api_key_sessions = true;                // BetterAuth's enableSessionForAPIKeys (false there)
  std::string api_key_header = "x-api-key";
  std::size_t api_key_length = 64;             // random letters after the prefix
  std::string api_key_default_prefix;
  bool api_key_require_name = false;
  bool api_key_metadata = false;               // BetterAuth's enableMetadata
  std::chrono::seconds api_key_default_expires_in{0};  // 0: keys never expire unless asked
  std::chrono::seconds api_key_min_expires_in{24 * 3600};
  std::chrono::seconds api_key_max_expires_in{365 * 24 * 3600};
  bool api_key_disable_custom_expiry = false;  // BetterAuth's disableCustomExpiresTime
  bool api_key_rate_limit = true;              // new keys are rate limited:
  std::chrono::seconds api_key_rate_limit_window{24 * 3600};
  std::size_t api_key_rate_limit_max = 10;     // requests per window (BetterAuth's defaults)
  std::size_t api_key_limit = 100;             // keys a user may have (Portcullis)
  // BetterAuth's jwt plugin: GET /token gives the signed-in user a JSON Web Token (EdDSA) that
  // services verify on their own with the keys GET /jwks publishes (auth/jwt.h).
  bool jwt = false;
  std::chrono::seconds jwt_expires_in{15 * 60};
  // A new signing key is made when the newest is this old (0: keys never expire), as the
  // plugin's jwks.rotationInterval; a retired key stays published 30 days.
  std::chrono::seconds jwt_rotation_interval{0};
  // BetterAuth's admin plugin: /admin/* lets administrators list, create, update, ban and remove
  // users, set their roles and passwords, and list and revoke their sessions (auth/service.h).
  // An administrator is a user whose role includes "admin", or whose id is in admin_user_ids;
  // user objects then show "role", "banned", "banReason" and "banExpires".
  bool admin = false;
  std::vector<std::string> admin_user_ids;
  // Its impersonate-user and stop-impersonating: an administrator signs in as a user (not another
  // administrator) for this long, without the password. Off unless asked for (BetterAuth has it
  // on with the plugin).
  bool admin_impersonation = false;
  std::chrono::seconds admin_impersonation_duration{3600};
  std::chrono::seconds reset_token_expires_in{3600};
  std::chrono::seconds verification_token_expires_in{3600};

  // --- abuse ---
  // BetterAuth's captcha plugin: captcha.provider "" is off; else these routes want a token in
  // x-captcha-response that the provider accepts (http/captcha.h).
  http::CaptchaOptions captcha;
  std::vector<std::string> captcha_endpoints = {"/sign-up/email", "/sign-in/email", "/request-password-reset"};
  std::size_t body_limit = 64 * 1024;
  bool rate_limit_enabled = true;
  std::string rate_limit_storage = "memory";  // or "database" (the rateLimit table)
  RateLimitRule rate_limit_default{std::chrono::milliseconds(10000), 100};
  // Path prefix → rule, BetterAuth's defaults; the longest matching prefix wins.
  std::map<std::string, RateLimitRule> rate_limit_rules = {
      {"/sign-in", {std::chrono::milliseconds(10000), 3}},
      {"/sign-up", {std::chrono::milliseconds(10000), 3}},
      {"/change-password", {std::chrono::milliseconds(10000), 3}},
      {"/change-email", {std::chrono::milliseconds(10000), 3}},
      // Beyond BetterAuth (100 per 10 s there): a password oracle for whoever holds a session.
      {"/verify-password", {std::chrono::milliseconds(10000), 3}},
      {"/request-password-reset", {std::chrono::milliseconds(60000), 3}},
      {"/send-verification-email", {std::chrono::milliseconds(60000), 3}},
      // Beyond BetterAuth (100 per 10 s there): it tells who has an account.
      {"/is-username-available", {std::chrono::milliseconds(10000), 10}},
      // BetterAuth's emailOTP plugin's rules.
      {"/email-otp/", {std::chrono::milliseconds(60000), 3}},
      {"/sign-in/email-otp", {std::chrono::milliseconds(60000), 3}},
      {"/forget-password/email-otp", {std::chrono::milliseconds(60000), 3}},
      // BetterAuth's magic-link plugin's rules.
      {"/sign-in/magic-link", {std::chrono::milliseconds(60000), 5}},
      {"/magic-link/", {std::chrono::milliseconds(60000), 5}},
      // BetterAuth's two-factor plugin's rule: codes are six digits.
      {"/two-factor/", {std::chrono::milliseconds(10000), 3}},
  };
  // Per-account sign-in throttle (beyond BetterAuth): after this many failed sign-ins for one
  // e-mail within the window, every sign-in for it fails as a wrong password would, until the
  // window since the last failure has passed.
  int account_max_failures = 10;
  std::chrono::seconds account_failure_window{15 * 60};

  // --- mail ---
  std::string mail = "none";  // "none", "outbox", or "smtp"
  std::string mail_outbox_dir = "outbox";
  mail::SmtpOptions smtp;
  std::string app_name = "Portcullis";

  // --- pages ---
  std::string static_dir;  // a folder served at "/" (e.g. web/demo); "" serves none

  // --- logging and monitoring ---
  bool access_log = true;
  // Every authentication decision and change of credentials as a JSON line on stdout
  // ("msg":"auth"; see AuthService::set_audit).
  bool audit_log = true;
  // Prometheus metrics (request counts and latencies) at http://metrics_host:metrics_port/metrics,
  // a listener of their own, so that the public port never shows them.
  bool metrics = false;
  std::string metrics_host = "127.0.0.1";
  int metrics_port = 9464;  // 0: any free port (the "listening" line names it)

  // The config-file keys that a file, the environment or a flag set (so that a mode's implied
  // values never override an explicit one).
  std::set<std::string> explicit_keys;

  // Derived by finalize(): whether cookies are Secure, base_url's origin, and the URL of the
  // API (origin + base path) for links in e-mails. When no baseURL is given, it is the listening
  // address, set again by use_listening_port() once the port is known.
  bool base_url_from_listen = false;
  bool secure_cookies = false;
  std::string origin;
  std::string api_url;
};

// Reads a JSON config file into `config` (only the keys present change). Unknown keys are
// errors, so a typo does not silently leave a default in place.
// Errors: VALIDATION_ERROR naming the file, key and problem.
Status load_config_file(const std::string& path, Config& config);

// Reads the environment into `config`. Errors: VALIDATION_ERROR naming the variable.
Status load_config_env(Config& config);

// Checks `config` and fills its derived fields. With `require_secret` (serving), a secret shorter
// than 32 bytes is an error outside dev mode; commands that sign nothing pass false.
// Errors: VALIDATION_ERROR saying what is wrong.
Status finalize_config(Config& config, bool require_secret = true);

// Applies a command-line flag: `flag` is a config-file key in kebab case ("base-url" for
// baseURL). Boolean flags take "true"/"false" (a bare --dev means true; see
// config_flag_is_boolean). Errors: VALIDATION_ERROR for an unknown flag or a bad value.
Status apply_config_flag(Config& config, std::string_view flag, const std::string& value);

// Returns true if `flag` names a boolean setting (so it may stand without a value).
bool config_flag_is_boolean(std::string_view flag);

// After binding: when baseURL was not configured, makes it (and what derives from it) name the
// port actually bound (which differs from config.port when that is 0).
void use_listening_port(Config& config, int port);

// The server's version, as --version and the metrics give it.
inline constexpr std::string_view kVersion = "0.1.0";

// Returns the number of cores the process may run on (at least 1).
unsigned core_count();

// Returns how many hashes run at once: hash_workers, or one per core when it is 0.
std::size_t hash_worker_count(const Config& config);

// Returns a table of every setting: flag, config-file key, environment variable, meaning.
std::string config_reference();

}  // namespace portcullis

#endif  // PORTCULLIS_CONFIG_H_

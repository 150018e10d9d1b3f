#include "config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <variant>

#include "common/strings.h"
#include "http/proxies.h"
#include "portcullis/token.h"

namespace portcullis {
namespace {

using nlohmann::json;

// One setting: its config-file key, its environment variable ("" for none), and where it goes.
// (Argon2idParams::passes is a std::uint64_t, the same type as std::size_t on the 64-bit targets
// the server builds for.)
using Target = std::variant<std::string*, int*, bool*, std::chrono::seconds*, std::size_t*,
                            std::vector<std::string>*, mail::SmtpTls*>;
struct Setting {
  const char* key;
  const char* env;
  Target target;
  const char* help;
};

std::vector<Setting> settings(Config& c) {
  return {
      {"host", "PORTCULLIS_HOST", &c.host, "address to listen on"},
      {"port", "PORTCULLIS_PORT", &c.port, "port to listen on (0: any free port)"},
      {"threads", "PORTCULLIS_THREADS", &c.threads,
       "request threads in all: two per core poll the connections, and each request\n"
       "      that waits (hash, database, slow client) holds one (default 128)"},
      {"keepAliveTimeout", "PORTCULLIS_KEEP_ALIVE_TIMEOUT", &c.keep_alive_timeout,
       "seconds an idle keep-alive connection is kept (default 5)"},
      {"readTimeout", "PORTCULLIS_READ_TIMEOUT", &c.read_timeout,
       "seconds a client may take to send a request (default 10)"},
      {"baseURL", "BETTER_AUTH_URL", &c.base_url, "public URL; https makes cookies Secure"},
      {"basePath", "PORTCULLIS_BASE_PATH", &c.base_path, "API path (default /api/auth)"},
      {"secret", "BETTER_AUTH_SECRET", &c.secret, "cookie-signing secret, >= 32 bytes"},
      {"dev", "PORTCULLIS_DEV", &c.dev, "development mode: a short or missing secret is allowed"},
      {"betterAuthCompatible", "PORTCULLIS_BETTER_AUTH_COMPATIBLE", &c.better_auth_compatible,
       "accept what BetterAuth accepts, write what it reads: implies minPasswordScore 0,\n"
       "      allowEmptyName true and passwordHash scrypt, unless those are set explicitly"},
      {"trustedOrigins", "BETTER_AUTH_TRUSTED_ORIGINS", &c.trusted_origins,
       "origins allowed to call with cookies (comma-separated in the environment)"},
      {"trustedProxies", "PORTCULLIS_TRUSTED_PROXIES", &c.trusted_proxies,
       "reverse proxies (IPs/CIDRs) whose X-Forwarded-For/-Proto are believed"},
      {"database", "PORTCULLIS_DATABASE", &c.database,
       "SQLite database file, or a PostgreSQL URL (postgres://user:password@host/db)"},
      {"cookiePrefix", "PORTCULLIS_COOKIE_PREFIX", &c.cookie_prefix, "cookie name prefix"},
      {"cookieDomain", "PORTCULLIS_COOKIE_DOMAIN", &c.cookie_domain, "cookie Domain attribute"},
      {"cookieSameSite", "PORTCULLIS_COOKIE_SAME_SITE", &c.cookie_same_site,
       "lax (default), strict, or none (a site on another domain; implies Secure)"},
      {"cookiePartitioned", "PORTCULLIS_COOKIE_PARTITIONED", &c.cookie_partitioned,
       "add Partitioned (CHIPS), for cross-site cookies in browsers that block third-party ones"},
      {"sessionExpiresIn", "PORTCULLIS_SESSION_EXPIRES_IN", &c.session_expires_in, "seconds"},
      {"sessionUpdateAge", "PORTCULLIS_SESSION_UPDATE_AGE", &c.session_update_age, "seconds"},
      {"sessionFreshAge", "PORTCULLIS_SESSION_FRESH_AGE", &c.session_fresh_age, "seconds"},
      {"sessionCacheTtl", "PORTCULLIS_SESSION_CACHE_TTL", &c.session_cache_ttl,
       "seconds get-session may answer from memory (default 5; 0: off); changes made by\n"
       "      another process (the CLI, a BetterAuth server on the same database) show within it;\n"
       "      on PostgreSQL, another Portcullis server's at once (LISTEN/NOTIFY)"},
      {"sessionCacheSize", "PORTCULLIS_SESSION_CACHE_SIZE", &c.session_cache_size,
       "sessions the get-session cache keeps, and get-session response bodies (default 10000)"},
      {"minPasswordLength", "PORTCULLIS_MIN_PASSWORD_LENGTH", &c.password_policy.min_length,
       "UTF-16 code units"},
      {"maxPasswordLength", "PORTCULLIS_MAX_PASSWORD_LENGTH", &c.password_policy.max_length,
       "UTF-16 code units"},
      {"maxPasswordBytes", "PORTCULLIS_MAX_PASSWORD_BYTES", &c.password_policy.max_bytes,
       "UTF-8 bytes"},
      {"minPasswordScore", "PORTCULLIS_MIN_PASSWORD_SCORE", &c.password_policy.min_score,
       "strength a new password needs, a zxcvbn score 0-4 (default 2;\n"
       "      0: no rule, the default in BetterAuth-compatible mode)"},
      {"breachedPasswords", "PORTCULLIS_BREACHED_PASSWORDS", &c.breached_passwords,
       "refuse new passwords known from data breaches (Have I Been Pwned): off (default),\n"
       "      hibp (its range API: only 5 hex digits of the password's SHA-1 leave the server),\n"
       "      the URL of a mirror of that API (the digits are appended), or the path of its\n"
       "      downloaded file (SHA-1:count lines ordered by hash); fails closed (503)"},
      {"breachedPasswordsMinCount", "PORTCULLIS_BREACHED_PASSWORDS_MIN_COUNT",
       &c.breached_passwords_min_count, "breaches a password must be seen in to be refused (default 1)"},
      {"breachedPasswordsAtSignIn", "PORTCULLIS_BREACHED_PASSWORDS_AT_SIGN_IN", &c.breached_passwords_at_sign_in,
       "also look up the password at each sign-in: one the list has seen is told to its user\n"
       "      by mail (at most once in 30 days; with mail) and in the audit log, and the sign-in\n"
       "      goes on (a list that cannot answer changes nothing)"},
      {"breachedPasswordsTimeout", "PORTCULLIS_BREACHED_PASSWORDS_TIMEOUT", &c.breached_passwords_timeout,
       "seconds the range API has to answer (default 5)"},
      {"username", "PORTCULLIS_USERNAME", &c.username,
       "BetterAuth's username plugin: users may pick a username (letters, digits, _ and .)\n"
       "      at sign-up or later, and sign in with it (/sign-in/username)"},
      {"minUsernameLength", "PORTCULLIS_MIN_USERNAME_LENGTH", &c.username_policy.min_length,
       "characters (default 3)"},
      {"maxUsernameLength", "PORTCULLIS_MAX_USERNAME_LENGTH", &c.username_policy.max_length,
       "characters (default 30)"},
      {"maxNameLength", "PORTCULLIS_MAX_NAME_LENGTH", &c.name_policy.max_length, "UTF-16 units"},
      {"allowEmptyName", "PORTCULLIS_ALLOW_EMPTY_NAME", &c.name_policy.allow_empty,
       "accept \"\" as a name, as BetterAuth does"},
      {"internationalEmail", "PORTCULLIS_INTERNATIONAL_EMAIL",
       &c.email_options.allow_international, "accept UTF-8 e-mail addresses"},
      {"passwordHash", "PORTCULLIS_PASSWORD_HASH", &c.password_hash,
       "argon2id or scrypt (BetterAuth's format)"},
      {"argon2Passes", "PORTCULLIS_ARGON2_PASSES", &c.argon2.passes, "Argon2id passes (>= 2)"},
      {"argon2MemoryBytes", "PORTCULLIS_ARGON2_MEMORY", &c.argon2.memory_bytes,
       "Argon2id memory in bytes (>= 19 MiB)"},
      {"hashWorkers", "PORTCULLIS_HASH_WORKERS", &c.hash_workers, "hash threads (0: one per core)"},
      {"hashQueue", "PORTCULLIS_HASH_QUEUE", &c.hash_queue,
       "hashes allowed to wait beyond the running ones; more get 503 (default 62)"},
      {"signUpEnabled", "PORTCULLIS_SIGN_UP", &c.sign_up_enabled, "allow sign-up"},
      {"requireEmailVerification", "PORTCULLIS_REQUIRE_EMAIL_VERIFICATION",
       &c.require_email_verification, "refuse sign-in until the e-mail is verified"},
      {"sendVerificationOnSignUp", "PORTCULLIS_SEND_VERIFICATION_ON_SIGN_UP",
       &c.send_verification_on_sign_up, "mail a verification link at sign-up"},
      {"autoSignInAfterVerification", "PORTCULLIS_AUTO_SIGN_IN_AFTER_VERIFICATION",
       &c.auto_sign_in_after_verification, "sign in when the link is followed"},
      {"changeEmailEnabled", "PORTCULLIS_CHANGE_EMAIL", &c.change_email_enabled,
       "allow change-email"},
      {"updateEmailWithoutVerification", "PORTCULLIS_UPDATE_EMAIL_WITHOUT_VERIFICATION",
       &c.update_email_without_verification, "unverified users change e-mail at once"},
      {"changeEmailConfirmation", "PORTCULLIS_CHANGE_EMAIL_CONFIRMATION", &c.change_email_confirmation,
       "a verified user confirms a change of e-mail from the old address first"},
      {"securityNotifications", "PORTCULLIS_SECURITY_NOTIFICATIONS", &c.security_notifications,
       "mail the user when their password or e-mail address changed, or a browser it\n"
       "      had not seen signed in (with mail)"},
      {"deleteUserEnabled", "PORTCULLIS_DELETE_USER", &c.delete_user_enabled, "allow delete-user"},
      {"twoFactor", "PORTCULLIS_TWO_FACTOR", &c.two_factor,
       "BetterAuth's two-factor plugin: users may turn on codes from an authenticator app\n"
       "      (with backup codes), which sign-in then asks for (/two-factor/*)"},
      {"twoFactorOtp", "PORTCULLIS_TWO_FACTOR_OTP", &c.two_factor_otp,
       "with twoFactor, also codes by e-mail: a sign-in may be answered with a code mailed\n"
       "      to the user, and users with a verified address may choose them instead of an\n"
       "      app (weaker: the mailbox becomes the second factor; needs mail)"},
      {"emailOtp", "PORTCULLIS_EMAIL_OTP", &c.email_otp,
       "BetterAuth's emailOTP plugin: six-digit codes by mail to sign in (an address with no\n"
       "      account gets one, if sign-up is on), verify the address, or reset the password\n"
       "      (/email-otp/*, /sign-in/email-otp; needs mail)"},
      {"emailOtpExpiresIn", "PORTCULLIS_EMAIL_OTP_EXPIRES_IN", &c.email_otp_expires_in,
       "seconds a mailed code works (default 300)"},
      {"emailOtpAttempts", "PORTCULLIS_EMAIL_OTP_ATTEMPTS", &c.email_otp_attempts,
       "wrong codes a mailed code survives; then a new one must be sent (default 3)"},
      {"emailOtpVerification", "PORTCULLIS_EMAIL_OTP_VERIFICATION", &c.email_otp_verification,
       "with emailOtp, verification mails carry a code (for /email-otp/verify-email)\n"
       "      instead of a link"},
      {"emailOtpChangeEmail", "PORTCULLIS_EMAIL_OTP_CHANGE_EMAIL", &c.email_otp_change_email,
       "with emailOtp, signed-in users change their address with a code mailed to the new\n"
       "      one; with changeEmailConfirmation (default), a verified user also gives a code\n"
       "      mailed to the current one (/email-otp/request-email-change, change-email)"},
      {"magicLink", "PORTCULLIS_MAGIC_LINK", &c.magic_link,
       "BetterAuth's magic-link plugin: a link by mail signs in once (an address with no\n"
       "      account gets one, if sign-up is on) (/sign-in/magic-link; needs mail)"},
      {"magicLinkExpiresIn", "PORTCULLIS_MAGIC_LINK_EXPIRES_IN", &c.magic_link_expires_in,
       "seconds a mailed sign-in link works (default 300)"},
      {"passkey", "PORTCULLIS_PASSKEY", &c.passkey,
       "BetterAuth's passkey plugin: signed-in users add passkeys (WebAuthn: a device's\n"
       "      fingerprint, face or PIN, or a security key), which then sign in without a\n"
       "      password (/passkey/*)"},
      {"passkeyRpId", "PORTCULLIS_PASSKEY_RP_ID", &c.passkey_rp_id,
       "the passkeys' relying party id: the site's domain (default: baseURL's host name;\n"
       "      browsers refuse IP addresses, so use localhost or a domain)"},
      {"passkeyRpName", "PORTCULLIS_PASSKEY_RP_NAME", &c.passkey_rp_name,
       "the name a browser shows when it asks for a passkey (default: appName)"},
      {"lastLoginMethod", "PORTCULLIS_LAST_LOGIN_METHOD", &c.last_login_method,
       "BetterAuth's last-login-method plugin: each sign-in sets a cookie the page can read,\n"
       "      <cookiePrefix>.last_used_login_method (email, email-otp, magic-link, passkey),\n"
       "      so a sign-in form can show the method this browser used last"},
      {"organization", "PORTCULLIS_ORGANIZATION", &c.organization,
       "BetterAuth's organization plugin (no teams): users create organizations, invite\n"
       "      others by e-mail and give members roles: owner, admin, member (/organization/*)"},
      {"allowUserToCreateOrganization", "PORTCULLIS_ALLOW_USER_TO_CREATE_ORGANIZATION",
       &c.allow_user_to_create_organization, "with organization, any signed-in user may create one (default true)"},
      {"organizationLimit", "PORTCULLIS_ORGANIZATION_LIMIT", &c.organization_limit,
       "organizations a user may belong to and still create one (default 0: no limit)"},
      {"organizationMembershipLimit", "PORTCULLIS_ORGANIZATION_MEMBERSHIP_LIMIT", &c.organization_membership_limit,
       "members an organization may have (default 100)"},
      {"organizationInvitationExpiresIn", "PORTCULLIS_ORGANIZATION_INVITATION_EXPIRES_IN",
       &c.organization_invitation_expires_in, "seconds an invitation can be accepted (default 172800: 48 hours)"},
      {"organizationInvitationLimit", "PORTCULLIS_ORGANIZATION_INVITATION_LIMIT", &c.organization_invitation_limit,
       "pending invitations an organization may have (default 100)"},
      {"organizationCancelPendingInvitationsOnReInvite",
       "PORTCULLIS_ORGANIZATION_CANCEL_PENDING_INVITATIONS_ON_REINVITE",
       &c.organization_cancel_pending_invitations_on_reinvite,
       "inviting an address again cancels its pending invitation instead of being refused"},
      {"organizationRequireEmailVerification", "PORTCULLIS_ORGANIZATION_REQUIRE_EMAIL_VERIFICATION",
       &c.organization_require_email_verification,
       "only a verified address may view, accept or reject an invitation sent to it\n"
       "      (default true; BetterAuth's requireEmailVerificationOnInvitation is off by default)"},
      {"organizationInvitationUrl", "PORTCULLIS_ORGANIZATION_INVITATION_URL", &c.organization_invitation_url,
       "the link an invitation mail carries, {id} replaced by the invitation's id\n"
       "      (default: <baseURL's origin>/accept-invitation/{id})"},
      {"apiKey", "PORTCULLIS_API_KEY", &c.api_key,
       "BetterAuth's API-key plugin: signed-in users make API keys (/api-key/*) that programs\n"
       "      send instead of a session cookie"},
      {"apiKeySessions", "PORTCULLIS_API_KEY_SESSIONS", &c.api_key_sessions,
       "with apiKey, get-session answers for the user of the key in the apiKeyHeader\n"
       "      (default true; only get-session takes keys)"},
      {"apiKeyHeader", "PORTCULLIS_API_KEY_HEADER", &c.api_key_header,
       "the request header that carries an API key (default x-api-key)"},
      {"apiKeyLength", "PORTCULLIS_API_KEY_LENGTH", &c.api_key_length,
       "random letters in a new key, after its prefix (default 64; 32 to 256)"},
      {"apiKeyDefaultPrefix", "PORTCULLIS_API_KEY_DEFAULT_PREFIX", &c.api_key_default_prefix,
       "the prefix of new keys that ask for none (default none)"},
      {"apiKeyRequireName", "PORTCULLIS_API_KEY_REQUIRE_NAME", &c.api_key_require_name,
       "a new key must have a name"},
      {"apiKeyMetadata", "PORTCULLIS_API_KEY_METADATA", &c.api_key_metadata,
       "keys may carry metadata (a JSON object of at most 4 KiB)"},
      {"apiKeyDefaultExpiresIn", "PORTCULLIS_API_KEY_DEFAULT_EXPIRES_IN", &c.api_key_default_expires_in,
       "seconds a new key lives when it asks for no expiry (default 0: forever)"},
      {"apiKeyMinExpiresIn", "PORTCULLIS_API_KEY_MIN_EXPIRES_IN", &c.api_key_min_expires_in,
       "the shortest expiresIn a key may ask for, in seconds (default 86400)"},
      {"apiKeyMaxExpiresIn", "PORTCULLIS_API_KEY_MAX_EXPIRES_IN", &c.api_key_max_expires_in,
       "the longest expiresIn a key may ask for, in seconds (default 31536000)"},
      {"apiKeyDisableCustomExpiry", "PORTCULLIS_API_KEY_DISABLE_CUSTOM_EXPIRY", &c.api_key_disable_custom_expiry,
       "keys may not ask for an expiry of their own"},
      {"apiKeyRateLimit", "PORTCULLIS_API_KEY_RATE_LIMIT", &c.api_key_rate_limit,
       "new keys are rate limited (default true)"},
      {"apiKeyRateLimitWindow", "PORTCULLIS_API_KEY_RATE_LIMIT_WINDOW", &c.api_key_rate_limit_window,
       "a key's rate-limit window in seconds, counted from its last request (default 86400)"},
      {"apiKeyRateLimitMax", "PORTCULLIS_API_KEY_RATE_LIMIT_MAX", &c.api_key_rate_limit_max,
       "requests a key may make per window (default 10, as BetterAuth)"},
      {"apiKeyLimit", "PORTCULLIS_API_KEY_LIMIT", &c.api_key_limit,
       "keys a user may have (default 100)"},
      {"jwt", "PORTCULLIS_JWT", &c.jwt,
       "BetterAuth's jwt plugin: GET /token gives the signed-in user a JSON Web Token\n"
       "      (EdDSA; iss and aud: baseURL) that services verify with the keys at GET /jwks"},
      {"jwtExpiresIn", "PORTCULLIS_JWT_EXPIRES_IN", &c.jwt_expires_in,
       "seconds a token from /token is valid (default 900)"},
      {"jwtRotationInterval", "PORTCULLIS_JWT_ROTATION_INTERVAL", &c.jwt_rotation_interval,
       "seconds a signing key is used before a new one is made (default 0: no rotation);\n"
       "      a retired key stays published at /jwks for 30 days"},
      {"admin", "PORTCULLIS_ADMIN", &c.admin,
       "BetterAuth's admin plugin: administrators (role admin) list, create, update, ban and\n"
       "      remove users, set roles and passwords, and revoke sessions (/admin/*)"},
      {"adminUserIds", "PORTCULLIS_ADMIN_USER_IDS", &c.admin_user_ids,
       "ids of users who are administrators whatever their role (comma-separated)"},
      {"adminImpersonation", "PORTCULLIS_ADMIN_IMPERSONATION", &c.admin_impersonation,
       "with admin, administrators may sign in as a user (not another administrator) without\n"
       "      the password, to see what they see (/admin/impersonate-user; off by default)"},
      {"adminImpersonationDuration", "PORTCULLIS_ADMIN_IMPERSONATION_DURATION", &c.admin_impersonation_duration,
       "seconds an impersonation lasts (default 3600)"},
      {"deleteUserVerification", "PORTCULLIS_DELETE_USER_VERIFICATION", &c.delete_user_verification,
       "delete-user mails the user a link, and the account goes only when it is followed\n"
       "      (needs mail)"},
      {"deleteTokenExpiresIn", "PORTCULLIS_DELETE_TOKEN_EXPIRES_IN", &c.delete_token_expires_in,
       "seconds a mailed account-deletion link works"},
      {"revokeSessionsOnPasswordReset", "PORTCULLIS_REVOKE_SESSIONS_ON_PASSWORD_RESET",
       &c.revoke_sessions_on_password_reset, "sign out everywhere after a reset"},
      {"bodyLimit", "PORTCULLIS_BODY_LIMIT", &c.body_limit, "largest request body in bytes"},
      {"rateLimit", "PORTCULLIS_RATE_LIMIT", &c.rate_limit_enabled, "per-IP rate limits"},
      {"rateLimitStorage", "PORTCULLIS_RATE_LIMIT_STORAGE", &c.rate_limit_storage,
       "memory or database (the rateLimit table: the per-IP limits and the per-account\n"
       "      sign-in throttle count across every server on the database)"},
      {"accountMaxFailures", "PORTCULLIS_ACCOUNT_MAX_FAILURES", &c.account_max_failures,
       "wrong passwords per account (at sign-in, or the current password of\n"
       "      verify-password, change-password and delete-user) before it is throttled (0: off)"},
      {"accountFailureWindow", "PORTCULLIS_ACCOUNT_FAILURE_WINDOW", &c.account_failure_window,
       "seconds"},
      {"captcha", "PORTCULLIS_CAPTCHA", &c.captcha.provider,
       "off (default), cloudflare-turnstile, google-recaptcha or hcaptcha: captchaEndpoints\n"
       "      want a token in the x-captcha-response header that the provider accepts"},
      {"captchaSecretKey", "PORTCULLIS_CAPTCHA_SECRET_KEY", &c.captcha.secret_key,
       "the provider's secret key for this site (never shown or logged)"},
      {"captchaSiteKey", "PORTCULLIS_CAPTCHA_SITE_KEY", &c.captcha.site_key,
       "hcaptcha: the site key, sent along so that another site's token is refused"},
      {"captchaVerifyUrl", "PORTCULLIS_CAPTCHA_VERIFY_URL", &c.captcha.verify_url,
       "another siteverify URL than the provider's (https; plain http to this machine only)"},
      {"captchaTimeout", "PORTCULLIS_CAPTCHA_TIMEOUT", &c.captcha.timeout,
       "seconds the provider has to answer (default 10, BetterAuth's)"},
      {"captchaEndpoints", "PORTCULLIS_CAPTCHA_ENDPOINTS", &c.captcha_endpoints,
       "the routes that want a token (default /sign-up/email, /sign-in/email,\n"
       "      /request-password-reset)"},
      {"mail", "PORTCULLIS_MAIL", &c.mail, "none, outbox or smtp"},
      {"mailOutboxDir", "PORTCULLIS_MAIL_OUTBOX", &c.mail_outbox_dir, "folder for outbox mail"},
      {"smtpHost", "PORTCULLIS_SMTP_HOST", &c.smtp.host, "SMTP server"},
      {"smtpPort", "PORTCULLIS_SMTP_PORT", &c.smtp.port, "SMTP port"},
      {"smtpUser", "PORTCULLIS_SMTP_USER", &c.smtp.username, "SMTP login"},
      {"smtpPassword", "PORTCULLIS_SMTP_PASSWORD", &c.smtp.password, "SMTP password"},
      {"smtpFrom", "PORTCULLIS_SMTP_FROM", &c.smtp.from, "From: header"},
      {"smtpTls", "PORTCULLIS_SMTP_TLS", &c.smtp.tls, "starttls (default), implicit or none"},
      {"smtpCaFile", "PORTCULLIS_SMTP_CA_FILE", &c.smtp.ca_file,
       "extra CA certificate(s) for the SMTP server (PEM)"},
      {"appName", "PORTCULLIS_APP_NAME", &c.app_name, "name used in e-mails"},
      {"staticDir", "PORTCULLIS_STATIC_DIR", &c.static_dir, "folder of pages served at /"},
      {"accessLog", "PORTCULLIS_ACCESS_LOG", &c.access_log, "JSON access log on stdout"},
      {"auditLog", "PORTCULLIS_AUDIT_LOG", &c.audit_log,
       "sign-ins (and failed ones), sign-ups, second-factor steps, changed passwords and\n"
       "      addresses, deleted users, as JSON lines on stdout (\"msg\":\"auth\"; ids, never secrets)"},
      {"metrics", "PORTCULLIS_METRICS", &c.metrics,
       "Prometheus metrics (requests by route, method and status; latencies) at\n"
       "      http://metricsHost:metricsPort/metrics, never on the public port; /ready there\n"
       "      answers 200 while the database does, else 503 (a readiness probe)"},
      {"metricsHost", "PORTCULLIS_METRICS_HOST", &c.metrics_host, "address the metrics listen on"},
      {"metricsPort", "PORTCULLIS_METRICS_PORT", &c.metrics_port, "port the metrics listen on (0: any free port)"},
  };
}

Status invalid(const std::string& where, const std::string& what) {
  return Status(ErrorCode::kValidationError, where + ": " + what);
}

bool parse_smtp_tls(const std::string& v, mail::SmtpTls& out) {
  if (v == "starttls") out = mail::SmtpTls::kStartTls;
  else if (v == "implicit") out = mail::SmtpTls::kImplicit;
  else if (v == "none") out = mail::SmtpTls::kNone;
  else return false;
  return true;
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on") return out = true, true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return out = false, true;
  return false;
}

bool parse_u64(const std::string& s, std::uint64_t& out) { return parse_decimal(s, 18, out); }

// Applies a textual value (environment or flag) to a setting.
Status apply_text(const Setting& s, const std::string& value, const std::string& where) {
  return std::visit(
      [&](auto* p) -> Status {
        using T = std::remove_pointer_t<decltype(p)>;
        std::uint64_t n = 0;
        if constexpr (std::is_same_v<T, std::string>) {
          *p = value;
        } else if constexpr (std::is_same_v<T, mail::SmtpTls>) {
          if (!parse_smtp_tls(value, *p)) return invalid(where, "expected starttls, implicit or none");
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!parse_bool(value, *p)) return invalid(where, "expected true or false");
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          p->clear();
          std::stringstream ss(value);
          for (std::string item; std::getline(ss, item, ',');) {
            const auto b = item.find_first_not_of(' ');
            const auto e = item.find_last_not_of(' ');
            if (b != std::string::npos) p->push_back(item.substr(b, e - b + 1));
          }
        } else {
          if (!parse_u64(value, n)) return invalid(where, "expected a non-negative integer");
          if constexpr (std::is_same_v<T, int>) {
            if (n > 1000000000) return invalid(where, "too large");
            *p = static_cast<int>(n);
          } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
            *p = std::chrono::seconds(n);
          } else {
            *p = static_cast<T>(n);
          }
        }
        return Status::OK();
      },
      s.target);
}

Status apply_json(const Setting& s, const json& v, const std::string& where) {
  if (v.is_string()) {
    // Lists from a file are arrays; everything else given as a string is parsed like the
    // environment's text.
    return apply_text(s, v.get<std::string>(), where);
  }
  if (v.is_boolean()) return apply_text(s, v.get<bool>() ? "true" : "false", where);
  if (v.is_number_unsigned()) return apply_text(s, std::to_string(v.get<std::uint64_t>()), where);
  if (v.is_array() && std::holds_alternative<std::vector<std::string>*>(s.target)) {
    auto* list = std::get<std::vector<std::string>*>(s.target);
    list->clear();
    for (const json& item : v) {
      if (!item.is_string()) return invalid(where, "expected an array of strings");
      list->push_back(item.get<std::string>());
    }
    return Status::OK();
  }
  return invalid(where, "wrong type");
}

// "baseURL" -> "base-url", "argon2MemoryBytes" -> "argon2-memory-bytes".
std::string flag_name(std::string_view key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char ch = key[i];
    const bool upper = ch >= 'A' && ch <= 'Z';
    if (upper && i > 0 && !(key[i - 1] >= 'A' && key[i - 1] <= 'Z')) out += '-';
    out += upper ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

}  // namespace

Status apply_config_flag(Config& config, std::string_view flag, const std::string& value) {
  for (const Setting& s : settings(config)) {
    if (flag_name(s.key) == flag) {
      config.explicit_keys.insert(s.key);
      return apply_text(s, value, "--" + std::string(flag));
    }
  }
  return invalid("--" + std::string(flag), "unknown option");
}

bool config_flag_is_boolean(std::string_view flag) {
  Config scratch;
  for (const Setting& s : settings(scratch)) {
    if (flag_name(s.key) == flag) return std::holds_alternative<bool*>(s.target);
  }
  return false;
}

Status load_config_file(const std::string& path, Config& config) {
  std::ifstream in(path);
  if (!in) return invalid(path, "cannot be read");
  const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded() || !doc.is_object()) return invalid(path, "is not a JSON object");
  const auto all = settings(config);
  for (const auto& [key, value] : doc.items()) {
    const Setting* found = nullptr;
    for (const Setting& s : all) {
      if (key == s.key) found = &s;
    }
    if (!found) return invalid(path, "unknown key \"" + key + "\"");
    config.explicit_keys.insert(key);
    if (Status st = apply_json(*found, value, path + ": " + key); !st.ok()) return st;
  }
  return Status::OK();
}

Status load_config_env(Config& config) {
  for (const Setting& s : settings(config)) {
    const char* v = std::getenv(s.env);
    if (v == nullptr) continue;
    config.explicit_keys.insert(s.key);
    if (Status st = apply_text(s, v, s.env); !st.ok()) return st;
  }
  // BetterAuth's fallback name for the secret.
  if (config.secret.empty()) {
    if (const char* v = std::getenv("AUTH_SECRET")) config.secret = v;
  }
  return Status::OK();
}

Status finalize_config(Config& c, bool require_secret) {
  if ((c.dev || !require_secret) && c.secret.size() < 32) {
    // A fresh random secret per start: sessions do not survive a restart, but nothing weak is
    // ever used to sign a cookie.
    c.secret = generate_token(48);
  }
  if (c.secret.size() < 32) {
    return invalid("secret", "BETTER_AUTH_SECRET must be at least 32 bytes (or start with --dev)");
  }
  if (c.port < 0 || c.port > 65535) return invalid("port", "out of range");
  if (c.metrics_port < 0 || c.metrics_port > 65535) return invalid("metricsPort", "out of range");
  if (c.metrics && c.metrics_port != 0 && c.metrics_port == c.port && c.metrics_host == c.host) {
    return invalid("metricsPort", "must differ from port (the metrics have a listener of their own)");
  }
  if (c.threads < 4) return invalid("threads", "at least 4");
  if (c.keep_alive_timeout.count() < 1 || c.read_timeout.count() < 1) {
    return invalid("keepAliveTimeout", "timeouts must be at least 1 second");
  }
  if (c.base_path.size() < 2 || c.base_path.front() != '/' || c.base_path.back() == '/' ||
      c.base_path.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-") !=
          std::string::npos) {
    return invalid("basePath", "must start with '/', not end with '/', and hold only letters, digits, / _ -");
  }
  if (c.base_url.empty() || c.base_url_from_listen) {
    c.base_url_from_listen = true;
    c.base_url = "http://" + c.host + ":" + std::to_string(c.port);
  }
  const auto scheme_end = c.base_url.find("://");
  if (scheme_end == std::string::npos) return invalid("baseURL", "must be an absolute URL");
  const std::string scheme = c.base_url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return invalid("baseURL", "must be http or https");
  const auto path_start = c.base_url.find('/', scheme_end + 3);
  c.origin = c.base_url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "" : c.base_url.substr(path_start);
  // As BetterAuth: a URL without a path gets the base path appended.
  c.api_url = (path.empty() || path == "/") ? c.origin + c.base_path : c.origin + path;
  while (c.api_url.size() > 1 && c.api_url.back() == '/') c.api_url.pop_back();
  c.secure_cookies = scheme == "https";
  if (c.cookie_same_site != "lax" && c.cookie_same_site != "strict" && c.cookie_same_site != "none") {
    return invalid("cookieSameSite", "lax, strict or none");
  }
  if (std::string bad; !http::TrustedProxies::parse(c.trusted_proxies, &bad)) {
    return invalid("trustedProxies", "\"" + bad + "\" is not an IP address or CIDR range");
  }
  if (c.better_auth_compatible) {
    const auto implied = [&](const char* key) { return !c.explicit_keys.contains(key); };
    if (implied("minPasswordScore")) c.password_policy.min_score = 0;
    if (implied("allowEmptyName")) c.name_policy.allow_empty = true;
    if (implied("passwordHash")) c.password_hash = "scrypt";
  }
  if (c.password_hash != "argon2id" && c.password_hash != "scrypt") {
    return invalid("passwordHash", "argon2id or scrypt");
  }
  if (c.argon2.passes < 2) return invalid("argon2Passes", "at least 2 (OWASP)");
  if (c.argon2.memory_bytes < 19u * 1024 * 1024) return invalid("argon2MemoryBytes", "at least 19 MiB (OWASP)");
  if (c.hash_workers < 0 || c.hash_queue < 0) return invalid("hashWorkers", "must not be negative");
  if (c.hash_queue >= c.threads / 2) {
    return invalid("hashQueue", "must be under half of threads, so waiting sign-ins cannot take every thread");
  }
  if (c.password_policy.min_length > c.password_policy.max_length) {
    return invalid("minPasswordLength", "greater than maxPasswordLength");
  }
  if (c.password_policy.min_score < 0 || c.password_policy.min_score > 4) {
    return invalid("minPasswordScore", "0 to 4 (a zxcvbn score)");
  }
  if (c.breached_passwords == "off") c.breached_passwords.clear();
  if (c.breached_passwords_at_sign_in && c.breached_passwords.empty()) {
    return invalid("breachedPasswordsAtSignIn", "needs breachedPasswords");
  }
  if (c.breached_passwords_min_count < 1) return invalid("breachedPasswordsMinCount", "at least 1");
  if (c.breached_passwords_timeout.count() < 1) return invalid("breachedPasswordsTimeout", "at least 1 second");
  if (c.jwt_expires_in.count() < 1) return invalid("jwtExpiresIn", "at least 1 second");
  if (c.admin_impersonation && !c.admin) return invalid("adminImpersonation", "needs admin");
  if (c.username_policy.min_length < 1 || c.username_policy.min_length > c.username_policy.max_length) {
    return invalid("minUsernameLength", "from 1 to maxUsernameLength");
  }
  if (c.username_policy.max_length > 255) return invalid("maxUsernameLength", "at most 255");
  if (c.admin_impersonation_duration.count() < 1) return invalid("adminImpersonationDuration", "at least 1 second");
  if (c.captcha.provider == "off") c.captcha.provider.clear();
  if (c.captcha.timeout.count() < 1) return invalid("captchaTimeout", "at least 1 second");
  if (!c.captcha.provider.empty()) {
    if (auto opened = http::Captcha::open(c.captcha); !opened) return invalid("captcha", opened.status().message());
  }
  if (c.body_limit < 1024) return invalid("bodyLimit", "at least 1024");
  if (c.rate_limit_storage != "memory" && c.rate_limit_storage != "database") {
    return invalid("rateLimitStorage", "memory or database");
  }
  if (c.mail != "none" && c.mail != "outbox" && c.mail != "smtp") return invalid("mail", "none, outbox or smtp");
  if (c.mail == "smtp" && c.smtp.from.empty()) return invalid("smtpFrom", "required with mail=smtp");
  if (c.delete_user_verification && c.mail == "none") {
    return invalid("deleteUserVerification", "needs mail (outbox or smtp)");
  }
  if (c.two_factor_otp && !c.two_factor) return invalid("twoFactorOtp", "needs twoFactor");
  if (c.two_factor_otp && c.mail == "none") return invalid("twoFactorOtp", "needs mail (outbox or smtp)");
  if (c.email_otp && c.mail == "none") return invalid("emailOtp", "needs mail (outbox or smtp)");
  if (c.magic_link && c.mail == "none") return invalid("magicLink", "needs mail (outbox or smtp)");
  if (c.magic_link_expires_in.count() < 1) return invalid("magicLinkExpiresIn", "at least 1 second");
  if (c.email_otp_verification && !c.email_otp) return invalid("emailOtpVerification", "needs emailOtp");
  if (c.email_otp_change_email && !c.email_otp) return invalid("emailOtpChangeEmail", "needs emailOtp");
  if (c.email_otp_expires_in.count() < 1) return invalid("emailOtpExpiresIn", "at least 1 second");
  if (c.email_otp_attempts < 1 || c.email_otp_attempts > 100) return invalid("emailOtpAttempts", "1 to 100");
  if (c.organization_membership_limit < 1) return invalid("organizationMembershipLimit", "at least 1");
  if (c.organization_invitation_limit < 1) return invalid("organizationInvitationLimit", "at least 1");
  if (c.organization_invitation_expires_in.count() < 1) {
    return invalid("organizationInvitationExpiresIn", "at least 1 second");
  }
  if (!c.organization_invitation_url.empty() && c.organization_invitation_url.find("{id}") == std::string::npos) {
    return invalid("organizationInvitationUrl", "must contain {id}");
  }
  if (c.api_key_length < 32 || c.api_key_length > 256) return invalid("apiKeyLength", "32 to 256");
  if (!c.api_key_default_prefix.empty() &&
      (c.api_key_default_prefix.size() > 32 ||
       c.api_key_default_prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
           std::string::npos)) {
    return invalid("apiKeyDefaultPrefix", "at most 32 of a-z, A-Z, 0-9, _ and -");
  }
  if (c.api_key_header.empty() ||
      c.api_key_header.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos) {
    return invalid("apiKeyHeader", "a header name");
  }
  if (c.api_key_min_expires_in.count() < 1 || c.api_key_max_expires_in < c.api_key_min_expires_in) {
    return invalid("apiKeyMinExpiresIn", "at least 1 second, and at most apiKeyMaxExpiresIn");
  }
  if (c.api_key_default_expires_in.count() < 0) return invalid("apiKeyDefaultExpiresIn", "0 or more seconds");
  // The rate-limit window is stored in milliseconds in BetterAuth's 32-bit integer column.
  if (c.api_key_rate_limit_window.count() < 1 || c.api_key_rate_limit_window.count() > 2147483) {
    return invalid("apiKeyRateLimitWindow", "1 to 2147483 seconds");
  }
  if (c.api_key_rate_limit_max < 1 || c.api_key_rate_limit_max > 2147483647) {
    return invalid("apiKeyRateLimitMax", "1 to 2147483647");
  }
  if (c.api_key_limit < 1) return invalid("apiKeyLimit", "at least 1");
  if (c.cookie_prefix.empty() || c.cookie_prefix.find_first_of(" ;=,\t") != std::string::npos) {
    return invalid("cookiePrefix", "must be a non-empty cookie-name token");
  }
  return Status::OK();
}

void use_listening_port(Config& config, int port) {
  if (!config.base_url_from_listen) return;
  config.port = port;
  (void)finalize_config(config);
}

std::string config_reference() {
  Config scratch;
  const auto all = settings(scratch);
  // Three columns, each as wide as its longest entry (a fixed width used to cut the longest
  // names short) plus two spaces.
  std::size_t flag_width = 0;
  std::size_t key_width = 0;
  for (const Setting& s : all) {
    flag_width = std::max(flag_width, flag_name(s.key).size());
    key_width = std::max(key_width, std::string_view(s.key).size());
  }
  std::string out;
  for (const Setting& s : all) {
    std::string line = "  --" + flag_name(s.key);
    line.resize(4 + flag_width + 2, ' ');
    line += s.key;
    line.resize(4 + flag_width + 2 + key_width + 2, ' ');
    line += s.env;
    out += line + "\n      " + s.help + "\n";
  }
  return out;
}

std::size_t hash_worker_count(const Config& config) {
  if (config.hash_workers > 0) return static_cast<std::size_t>(config.hash_workers);
  return core_count();
}

unsigned core_count() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace portcullis

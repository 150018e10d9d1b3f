// Portcullis core: password hashing (libsodium). Native builds only: the browser never hashes.
//
// New hashes are Argon2id in the PHC string format libsodium writes
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), whose parameters travel with the hash so they
// can be raised later. BetterAuth's scrypt hashes (contract §4: "<32 hex salt>:<128 hex key>",
// N=16384, r=16, p=1, dkLen=64, the salt being the ASCII of the hex string, the password NFKC
// normalised) verify, so users imported from BetterAuth sign in with their old password; and a
// deployment that shares its database with a BetterAuth server can keep writing that format.
//
// Every comparison is constant time. Hashing costs tens of milliseconds and tens of MiB by
// design: run it on the server's bounded hash pool, never on a connection thread.

#ifndef PORTCULLIS_PASSWORD_HASH_H_
#define PORTCULLIS_PASSWORD_HASH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "portcullis/error.h"

namespace portcullis {

struct Argon2idParams {
  // Passes over memory (libsodium's opslimit). OWASP's minimum with 19 MiB is 2.
  std::uint64_t passes = 2;
  // Memory in bytes (libsodium's memlimit). OWASP's minimum: 19 MiB.
  std::size_t memory_bytes = 19u * 1024 * 1024;
};

enum class PasswordHashFormat {
  kArgon2id,          // libsodium's PHC string
  kBetterAuthScrypt,  // BetterAuth's "<salt hex>:<key hex>"
  kUnknown,
};

// Returns the format of a stored hash, judged by its shape alone.
PasswordHashFormat identify_password_hash(std::string_view stored);

// Returns a new Argon2id PHC string for `password` with a random 16-byte salt. The password's bytes
// are hashed as given (no NFKC, no UTF-8 check).
// Errors: INTERNAL_SERVER_ERROR if libsodium cannot allocate the memory (or `params` are below
// libsodium's minimums: 1 pass, crypto_pwhash_argon2id_MEMLIMIT_MIN = 8 KiB).
Result<std::string> hash_password_argon2id(std::string_view password, const Argon2idParams& params = {});

// Returns a new hash in BetterAuth's scrypt format, for a database shared with BetterAuth.
// Errors: INVALID_UTF8 if the password is not well-formed UTF-8 (NFKC needs it);
// INTERNAL_SERVER_ERROR if libsodium cannot allocate the memory.
Result<std::string> hash_password_betterauth_scrypt(std::string_view password);

// Checks `password` against a stored hash of either format. Returns true on a match, false on a
// mismatch. Against a scrypt hash the password is NFKC normalised first, and one that is not
// well-formed UTF-8 is a mismatch (false). Upper-case hex in a stored scrypt key is accepted.
// Argon2id strings must be "$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>" within libsodium's bounds
// and shorter than crypto_pwhash_STRBYTES; their parameters are trusted (they come from our own
// database), so a stored string asking for huge memory costs that memory.
// Errors: INVALID_PASSWORD if `stored` is in no known format or malformed;
// INTERNAL_SERVER_ERROR if libsodium cannot allocate the memory.
Result<bool> verify_password(std::string_view password, std::string_view stored);

// Returns true if `stored` should be replaced after a successful sign-in: when `want_scrypt` is
// false, anything but a well-formed Argon2id string with at least `params` (m >= memory_bytes / 1024
// KiB and t >= passes: a hash stronger than asked is kept); when true, anything but BetterAuth
// scrypt.
bool password_needs_rehash(std::string_view stored, const Argon2idParams& params, bool want_scrypt);

// Does the work of one verification that cannot succeed, against a fixed hash of the current
// format, so that an unknown e-mail costs the same time as a wrong password. The dummy hash (of a
// random password) is made on first use and cached (for Argon2id, per `params`; thread-safe).
void verify_password_dummy(std::string_view password, const Argon2idParams& params, bool want_scrypt);

// Returns `text` in Unicode Normalization Form KC (ICU), as JavaScript's normalize("NFKC").
// Errors: INVALID_UTF8 if `text` is not well-formed UTF-8; INTERNAL_SERVER_ERROR if ICU fails
// (its data is missing, or `text` is 2 GiB or more).
Result<std::string> nfkc(std::string_view text);

}  // namespace portcullis

#endif  // PORTCULLIS_PASSWORD_HASH_H_

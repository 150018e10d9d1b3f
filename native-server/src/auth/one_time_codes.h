// Portcullis server: the codes of the second factor, as BetterAuth's two-factor plugin makes them.
//
// - TOTP (RFC 6238) over HOTP (RFC 4226), HMAC-SHA-1 (OpenSSL's libcrypto: libsodium has no
//   SHA-1, and authenticator apps use nothing else), 6 digits, 30-second steps, the key being the
//   bytes of a 32-character random string (BetterAuth's choice), shown to apps in Base32;
// - the otpauth:// URI an authenticator app reads (as a QR code), spelled as BetterAuth spells it;
// - backup codes: ten "xxxxx-xxxxx" of [a-zA-Z0-9];
// - BetterAuth's symmetricEncrypt/symmetricDecrypt, with which both are stored: XChaCha20-Poly1305
//   (libsodium) under the SHA-256 of the server's secret, a random 24-byte nonce in front, hex.
//   A database written by BetterAuth with the same secret reads here, and the other way round.
//
// Nothing here does I/O or keeps state; random bytes come from libsodium.

#ifndef PORTCULLIS_AUTH_ONE_TIME_CODES_H_
#define PORTCULLIS_AUTH_ONE_TIME_CODES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/error.h"

namespace portcullis::auth {

inline constexpr int kTotpDigits = 6;
inline constexpr int kTotpPeriodSeconds = 30;

// The HOTP value of `key` (raw bytes) at `counter`: `digits` (1-8) decimal digits, zero-padded;
// an empty string (which matches no code) for `digits` outside 1-8. Aborts if libcrypto cannot
// compute HMAC-SHA-1 at all (a broken installation: no code could ever be verified).
std::string hotp(std::string_view key, std::uint64_t counter, int digits = kTotpDigits);

// The TOTP step of a Unix time in seconds: floor(unix_seconds / period). For a time before 1970
// or a period that is not positive (caller errors), 0.
std::uint64_t totp_step(std::int64_t unix_seconds, int period = kTotpPeriodSeconds);

// Checks `code` against the steps step - window .. step + window (every one of them, each compared
// in constant time; steps below 0 or above 2^64 - 1 do not exist and are skipped; a negative window
// counts as 0). Returns the step that matched (the latest, if several), or nullopt; a code that is
// not `digits` characters long matches nothing. BetterAuth's verify() is this with window 1 at
// the current step; returning the step lets a caller also refuse a code used before.
std::optional<std::uint64_t> match_totp(std::string_view key, std::string_view code, std::uint64_t step,
                                        int window = 1, int digits = kTotpDigits);

// `length` characters drawn from `alphabet` (at most 2^32 characters), each uniformly, with
// libsodium's CSPRNG. Never fails.
std::string random_string(std::string_view alphabet, std::size_t length);

// A new TOTP key: 32 random characters of [a-zA-Z0-9_-] (BetterAuth's generateRandomString(32));
// its bytes are the HMAC key.
std::string new_totp_key();

// RFC 4648 Base32 without padding (upper case), as authenticator apps read keys.
std::string base32_encode(std::string_view bytes);

// Decodes Base32 (upper or lower case, padding optional). As lenient as BetterAuth's decoder
// otherwise: bits left over at the end are dropped, the amount of padding is not checked.
// Errors: VALIDATION_ERROR (a character outside the alphabet, including '=' before the end).
Result<std::string> base32_decode(std::string_view text);

// The key an authenticator app needs for a secret as BetterAuth stores it (decrypted): the string
// itself, or, for "base32:<text>" (a key imported in Base32), the decoded bytes.
// Errors: VALIDATION_ERROR (bad Base32).
Result<std::string> totp_key_from_secret(std::string_view decrypted_secret);

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&digits=6&period=30, with
// the label's parts encoded as encodeURIComponent and the query as URLSearchParams do (byte by
// byte: the same as BetterAuth's createOTP(key).url(issuer, account) for UTF-8 text).
std::string totp_uri(std::string_view issuer, std::string_view account, std::string_view key,
                     int digits = kTotpDigits, int period = kTotpPeriodSeconds);

// `count` new backup codes "xxxxx-xxxxx" (10 random characters of [a-zA-Z0-9]); none for
// count <= 0.
std::vector<std::string> new_backup_codes(int count = 10);

// A code mailed to the user (the second factor's, --email-otp's): six decimal digits, uniformly
// drawn.
std::string new_mailed_code();

// How a mailed code is stored: its SHA-256, base64url without padding (BetterAuth's
// defaultKeyHasher, which its storeOTP "hashed" uses).
std::string mailed_code_hash(std::string_view code);

// Reads a stored mailed code, the verification value "<hash>:<wrong codes so far>" (as BetterAuth
// keeps it: split at the last colon). Returns false, leaving the outputs alone, if it is not that
// (no colon, or a count that is not 1-3 decimal digits).
bool parse_mailed_code(std::string_view value, std::string_view& hash, int& wrong);

// BetterAuth's symmetricEncrypt with a single secret: lower-case hex of nonce (24 bytes) ||
// XChaCha20-Poly1305 ciphertext || tag, under the key SHA-256(secret), no associated data.
std::string symmetric_encrypt(std::string_view secret, std::string_view plaintext);

// The inverse. Also reads BetterAuth's versioned envelope "$ba$<n>$<hex>" (with this secret,
// whatever <n> is: choosing among rotated secrets by <n> is the caller's business). Hex may be in
// either case. Errors: INVALID_TOKEN if the text is not hex, too short (under 40 bytes: nonce and
// tag), a malformed envelope, or fails authentication (another secret, or altered).
Result<std::string> symmetric_decrypt(std::string_view secret, std::string_view stored);

}  // namespace portcullis::auth

#endif  // PORTCULLIS_AUTH_ONE_TIME_CODES_H_

// An authenticator app for the tests: the codes of a key, computed here with node:crypto's
// HMAC-SHA-1 as RFC 6238 says (not with the server's code), from the otpauth:// URI or the
// Base32 key the server hands out.
import { createHmac } from 'node:crypto';

/** The bytes of a Base32 key (RFC 4648; spaces, case and padding do not matter). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The key of an otpauth:// URI (its `secret`), as bytes. */
export const keyOfURI = (uri) => base32Decode(new URL(uri).searchParams.get('secret'));

/**
 * The 6-digit code of `key` (bytes, or an otpauth:// URI, or a Base32 text) for the 30-second
 * step `offset` steps from now.
 */
export function totp(key, offset = 0) {
  const bytes = Buffer.isBuffer(key) ? key : key.startsWith('otpauth:') ? keyOfURI(key) : base32Decode(key);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const mac = createHmac('sha1', bytes).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  const n = (((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]) % 1e6;
  return String(n).padStart(6, '0');
}

/** A six-digit code that is not `code`. */
export const wrongCode = (code) => (code === '000000' ? '111111' : '000000');

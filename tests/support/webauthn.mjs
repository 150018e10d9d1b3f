// A software authenticator for the passkey tests: what a browser's navigator.credentials.create()
// and .get() do with an authenticator behind them, computed here with node:crypto (keys and
// signatures) and @simplewebauthn/server's CBOR encoder, not with the server's code. Its answers
// have the shapes @simplewebauthn/browser 13 sends (RegistrationResponseJSON and
// AuthenticationResponseJSON), and every part of them (the flags, the counter, the rp id, the
// origin, the challenge, the signature) can be set wrong on purpose.
//
// WebAuthn Level 3: authenticatorData = rpIdHash (32) | flags (1) | signCount (4, big-endian)
// [| aaguid (16) | credentialIdLength (2) | credentialId | credentialPublicKey (COSE)]; an
// assertion's signature covers authenticatorData || SHA-256(clientDataJSON).
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import { isoCBOR } from '@simplewebauthn/server/helpers';

/** COSE algorithm identifiers (RFC 9053, RFC 8812). */
export const ES256 = -7;
export const EdDSA = -8;
export const RS256 = -257;
/** An algorithm the server is not asked to accept (the tests' authenticator offers it to prove so). */
export const ES384 = -35;

/** authenticatorData flags. */
export const UP = 0x01;
export const UV = 0x04;
export const BE = 0x08;
export const BS = 0x10;
export const AT = 0x40;
export const ED = 0x80;

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** base64url without padding, as bufferToBase64URLString gives. */
export const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
/** The bytes of a base64url (or base64) text. */
export const fromB64url = (text) => Buffer.from(text, 'base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

/** A new key pair for `alg`: {privateKey, publicKey} as node:crypto KeyObjects. */
function keyPair(alg, { modulusLength = 2048 } = {}) {
  if (alg === ES256) return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === ES384) return generateKeyPairSync('ec', { namedCurve: 'P-384' });
  if (alg === EdDSA) return generateKeyPairSync('ed25519');
  if (alg === RS256) return generateKeyPairSync('rsa', { modulusLength, publicExponent: 65537 });
  throw new Error(`unsupported algorithm ${alg}`);
}

/** The COSE_Key (RFC 9052 §7) of a public key, CBOR-encoded, with the labels in Chrome's order. */
export function coseKey(publicKey, alg) {
  const jwk = publicKey.export({ format: 'jwk' });
  const b = (x) => new Uint8Array(Buffer.from(x, 'base64url'));
  let map;
  if (alg === ES256) map = new Map([[1, 2], [3, ES256], [-1, 1], [-2, b(jwk.x)], [-3, b(jwk.y)]]);  // kty EC2, crv P-256
  else if (alg === ES384) map = new Map([[1, 2], [3, ES384], [-1, 2], [-2, b(jwk.x)], [-3, b(jwk.y)]]);  // crv P-384
  else if (alg === EdDSA) map = new Map([[1, 1], [3, EdDSA], [-1, 6], [-2, b(jwk.x)]]);           // kty OKP, crv Ed25519
  else if (alg === RS256) map = new Map([[1, 3], [3, RS256], [-1, b(jwk.n)], [-2, b(jwk.e)]]);      // kty RSA
  else throw new Error(`unsupported algorithm ${alg}`);
  return Buffer.from(isoCBOR.encode(map));
}

/** The 16 bytes of an AAGUID written 8-4-4-4-12. */
const aaguidBytes = (aaguid) => Buffer.from(aaguid.replace(/-/g, ''), 'hex');

/**
 * authenticatorData. `flags` is the flags byte; `attested` ({aaguid, id (bytes), cose}) adds the
 * attested credential data (and should come with AT in flags).
 */
export function authenticatorData({ rpId, flags, counter, attested, extensions }) {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter >>> 0);
  const parts = [sha256(rpId), Buffer.from([flags]), count];
  if (attested) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(attested.id.length);
    parts.push(aaguidBytes(attested.aaguid), len, Buffer.from(attested.id), attested.cose);
  }
  if (extensions) parts.push(Buffer.from(isoCBOR.encode(extensions)));
  return Buffer.concat(parts);
}

/** clientDataJSON as Chrome writes it (these four members, in this order). */
export const clientDataJSON = ({ type, challenge, origin, crossOrigin = false }) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin }));

/** The attestation object: {fmt, attStmt, authData} in CBOR, as authenticators order it. */
export const attestationObject = ({ fmt = 'none', attStmt = new Map(), authData }) =>
  Buffer.from(isoCBOR.encode(new Map([['fmt', fmt], ['attStmt', attStmt], ['authData', new Uint8Array(authData)]])));

/** Signs `data` with a credential's private key as WebAuthn wants (ES256: an ASN.1 DER signature). */
export function signWith(credential, data) {
  if (credential.alg === ES256) return sign('sha256', data, { key: credential.privateKey, dsaEncoding: 'der' });
  if (credential.alg === ES384) return sign('sha384', data, { key: credential.privateKey, dsaEncoding: 'der' });
  if (credential.alg === EdDSA) return sign(null, data, credential.privateKey);
  if (credential.alg === RS256) return sign('sha256', data, credential.privateKey);  // RSASSA-PKCS1-v1_5
  throw new Error(`unsupported algorithm ${credential.alg}`);
}

/**
 * One authenticator (a phone, a security key) holding credentials, as a browser reaches it.
 * `origin` is the page's origin the browser writes into clientDataJSON.
 */
export class Authenticator {
  constructor({ origin, aaguid = ZERO_AAGUID, transports = ['internal', 'hybrid'], attachment = 'platform',
    backupEligible = true, backedUp = true, userVerifying = true } = {}) {
    Object.assign(this, { origin, aaguid, transports, attachment, backupEligible, backedUp, userVerifying });
    this.credentials = [];
  }

  /** The flags byte for a ceremony, from the authenticator's traits and the caller's overrides. */
  flags({ up = true, uv = this.userVerifying, be = this.backupEligible, bs = this.backedUp, at = false } = {}) {
    return (up ? UP : 0) | (uv ? UV : 0) | (be ? BE : 0) | (bs ? BS : 0) | (at ? AT : 0);
  }

  /**
   * navigator.credentials.create({publicKey: optionsJSON}) as @simplewebauthn/browser's
   * startRegistration calls it: refuses (InvalidStateError) when one of this authenticator's
   * credentials is in excludeCredentials, makes a credential of `alg` (which the options must
   * offer in pubKeyCredParams), and answers RegistrationResponseJSON. Returns {credential,
   * response}. The overrides put a wrong value in one place: `origin`, `type`, `challenge`, `rpId`
   * (the rpIdHash), `up`/`uv`/`be`/`bs` (flags), `counter`, `fmt` and `attStmt`, `aaguid`,
   * `modulusLength` (RS256). `reuse` (a credential) answers with that credential again, as a
   * hostile client could, past excludeCredentials; `force` makes a credential of an algorithm the
   * options do not offer.
   */
  create(optionsJSON, { alg = ES256, origin = this.origin, type = 'webauthn.create', challenge = optionsJSON.challenge,
    rpId = optionsJSON.rp.id, up, uv, be, bs, counter = 0, fmt = 'none', attStmt, aaguid = this.aaguid,
    transports = this.transports, idLength = 16, modulusLength, reuse, force = false } = {}) {
    if (!reuse) {
      for (const excluded of optionsJSON.excludeCredentials ?? []) {
        if (this.credentials.some((c) => c.id === excluded.id && c.rpId === optionsJSON.rp.id)) {
          throw Object.assign(new Error('The authenticator was previously registered'), { name: 'InvalidStateError' });
        }
      }
    }
    if (!force && !optionsJSON.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === (reuse?.alg ?? alg))) {
      throw Object.assign(new Error(`algorithm ${alg} not offered`), { name: 'NotSupportedError' });
    }
    let credential = reuse;
    if (!credential) {
      const { privateKey, publicKey } = keyPair(alg, { modulusLength });
      const rawId = randomBytes(idLength);
      credential = {
        id: b64url(rawId),
        rawId,
        alg,
        privateKey,
        publicKey,
        cose: coseKey(publicKey, alg),
        rpId: optionsJSON.rp.id,
        userHandle: optionsJSON.user.id,
        counter,
      };
    }
    const { rawId, publicKey } = credential;
    const authData = authenticatorData({
      rpId,
      flags: this.flags({ up, uv, be, bs, at: true }),
      counter,
      attested: { aaguid, id: rawId, cose: credential.cose },
    });
    const clientData = clientDataJSON({ type, challenge, origin });
    const response = {
      id: credential.id,
      rawId: credential.id,
      response: {
        attestationObject: b64url(attestationObject({ fmt, attStmt, authData })),
        clientDataJSON: b64url(clientData),
        transports: [...transports],
        publicKeyAlgorithm: credential.alg,
        publicKey: b64url(publicKey.export({ type: 'spki', format: 'der' })),
        authenticatorData: b64url(authData),
      },
      type: 'public-key',
      clientExtensionResults: optionsJSON.extensions?.credProps ? { credProps: { rk: true } } : {},
      authenticatorAttachment: this.attachment,
    };
    if (!reuse) this.credentials.push(credential);
    return { credential, response };
  }

  /** Makes a credential without a server: the rp id and user handle given. */
  make({ alg = ES256, rpId, userHandle = b64url(randomBytes(32)) } = {}) {
    const options = {
      challenge: b64url(randomBytes(32)),
      rp: { id: rpId, name: rpId },
      user: { id: userHandle, name: 'user', displayName: 'user' },
      pubKeyCredParams: [{ alg, type: 'public-key' }],
    };
    return this.create(options, { alg });
  }

  /**
   * navigator.credentials.get({publicKey: optionsJSON}) as startAuthentication calls it: picks
   * `credential` (or the first of this authenticator's credentials for the rp id that
   * allowCredentials admits), counts the signature counter up by one (unless `counter` is given)
   * and answers AuthenticationResponseJSON. Overrides as in create(), and `signature` (bytes to
   * send instead of the signature).
   */
  get(optionsJSON, { credential, origin = this.origin, type = 'webauthn.get', challenge = optionsJSON.challenge,
    rpId = optionsJSON.rpId, up, uv, be, bs, counter, signature, userHandle } = {}) {
    const allowed = optionsJSON.allowCredentials?.length ? optionsJSON.allowCredentials.map((c) => c.id) : null;
    const cred = credential ?? this.credentials.find((c) => c.rpId === optionsJSON.rpId && (!allowed || allowed.includes(c.id)));
    if (!cred) throw Object.assign(new Error('no credential for this request'), { name: 'NotAllowedError' });
    cred.counter = counter ?? cred.counter + 1;
    const authData = authenticatorData({ rpId, flags: this.flags({ up, uv, be, bs }), counter: cred.counter });
    const clientData = clientDataJSON({ type, challenge, origin });
    const signed = Buffer.concat([authData, sha256(clientData)]);
    return {
      id: cred.id,
      rawId: cred.id,
      response: {
        authenticatorData: b64url(authData),
        clientDataJSON: b64url(clientData),
        signature: b64url(signature ?? signWith(cred, signed)),
        userHandle: userHandle === undefined ? cred.userHandle : userHandle,
      },
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: this.attachment,
    };
  }
}

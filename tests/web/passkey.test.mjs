// Passkeys in portcullis/client (the server's --passkey; BetterAuth's passkey plugin): the
// conversions between the server's JSON and WebAuthn's ArrayBuffers, and the flows with a fake
// navigator.credentials and a fake fetch (the requests sent, beside those BetterAuth's own
// passkeyClient() sends; the cancelled ceremonies' codes); fromBetterAuth's mapping; then the flows
// against the real server through both clients, with a software authenticator (P-256 keys from
// node:crypto, "none" attestation) standing in for the browser's.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';

import { passkeyClient } from '@better-auth/passkey/client';
import { createAuthClient } from 'better-auth/client';
import { twoFactorClient } from 'better-auth/client/plugins';

import {
  authenticationToJSON,
  base64URLToBuffer,
  bufferToBase64URL,
  createClient,
  fromBetterAuth,
  passkeyAutofillSupported,
  passkeySupported,
  registrationToJSON,
  toCreationOptions,
  toRequestOptions,
} from '../../web/client/index.js';
import { browserFetch, sql, startServer } from '../support/server.mjs';
import { totp } from '../support/totp.mjs';

const SITE = 'http://localhost:3999'; // the page's origin: a trusted origin of the server
const RP_ID = 'localhost';
const PASSWORD = 'violet-harbour-tangent-77';

const bytes = (...values) => new Uint8Array(values).buffer;
const text = (buffer) => Buffer.from(buffer).toString('utf8');
const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

// ---- a browser with WebAuthn, for Node -----------------------------------------------------------

/**
 * Installs `credentials` as navigator.credentials (and PublicKeyCredential); returns the undo.
 * `conditional`: PublicKeyCredential.isConditionalMediationAvailable (the browser's autofill of
 * passkeys); none by default, as in a browser without it.
 */
function installWebAuthn(credentials, { conditional } = {}) {
  const saved = {
    navigator: Object.getOwnPropertyDescriptor(globalThis, 'navigator'),
    PublicKeyCredential: Object.getOwnPropertyDescriptor(globalThis, 'PublicKeyCredential'),
  };
  const PublicKeyCredential = function PublicKeyCredential() {};
  if (conditional) PublicKeyCredential.isConditionalMediationAvailable = conditional;
  Object.defineProperty(globalThis, 'navigator', { value: { credentials }, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'PublicKeyCredential', { value: PublicKeyCredential, configurable: true, writable: true });
  return () => {
    for (const [key, descriptor] of Object.entries(saved)) {
      if (descriptor) Object.defineProperty(globalThis, key, descriptor);
      else delete globalThis[key];
    }
  };
}
let uninstall = null;
afterEach(() => {
  uninstall?.();
  uninstall = null;
});

const domError = (name, message = `${name} (test)`) => new DOMException(message, name);

// A minimal CBOR encoder (RFC 8949): what an attestation object and a COSE key need.
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new TypeError(`cbor: ${typeof value}`);
}

const sha256 = (data) => createHash('sha256').update(data).digest();
const arrayBuffer = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);

/**
 * A software authenticator behind a fake navigator.credentials: ES256 keys, "none" attestation,
 * discoverable credentials, the flags and counter as `options` say ({uv: user verified, counter:
 * whether the signature counter grows, backup: a synced passkey}). `origin`: the page's.
 * `next`: set to a DOMException name to make the next ceremony fail so (e.g. the user closing it).
 */
class SoftAuthenticator {
  constructor(origin, { uv = true, counter = true, backup = false } = {}) {
    this.origin = origin;
    this.options = { uv, counter, backup };
    this.keys = new Map(); // credential id (base64url) -> {privateKey, rpId, userHandle, signCount}
    this.next = null;
    this.calls = [];
    this.credentials = {
      create: (request) => this.create(request),
      get: (request) => this.get(request),
    };
  }
  flags(attested) {
    return 0x01 | (this.options.uv ? 0x04 : 0) | (this.options.backup ? 0x18 : 0) | (attested ? 0x40 : 0);
  }
  clientData(type, challenge) {
    return Buffer.from(JSON.stringify({ type, challenge: b64url(challenge), origin: this.origin, crossOrigin: false }));
  }
  failIfAsked() {
    if (!this.next) return;
    const name = this.next;
    this.next = null;
    throw domError(name);
  }
  async create({ publicKey }) {
    this.calls.push(['create', publicKey]);
    this.failIfAsked();
    const rpId = publicKey.rp.id ?? new URL(this.origin).hostname;
    for (const d of publicKey.excludeCredentials ?? []) {
      if (this.keys.has(b64url(d.id))) throw domError('InvalidStateError');
    }
    const { privateKey, publicKey: pub } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pub.export({ format: 'jwk' });
    const cose = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
    const id = randomBytes(16);
    const signCount = this.options.counter ? 1 : 0;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(signCount);
    const idLength = Buffer.from([0, id.length]);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(true)]), count, Buffer.alloc(16), idLength, id, cose]);
    this.keys.set(b64url(id), { privateKey, rpId, userHandle: Buffer.from(publicKey.user.id), signCount });
    const clientDataJSON = this.clientData('webauthn.create', publicKey.challenge);
    const attestationObject = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: b64url(id),
      rawId: arrayBuffer(id),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
      response: {
        clientDataJSON: arrayBuffer(clientDataJSON),
        attestationObject: arrayBuffer(attestationObject),
        getTransports: () => ['internal', 'hybrid'],
        getPublicKeyAlgorithm: () => -7,
        getPublicKey: () => arrayBuffer(pub.export({ format: 'der', type: 'spki' })),
        getAuthenticatorData: () => arrayBuffer(authData),
      },
    };
  }
  async get({ publicKey, mediation }) {
    this.calls.push(['get', publicKey, mediation]);
    this.failIfAsked();
    const rpId = publicKey.rpId ?? new URL(this.origin).hostname;
    // An empty allow list, as none: any discoverable credential of the site.
    const allowed = publicKey.allowCredentials?.length ? publicKey.allowCredentials.map((d) => b64url(d.id)) : null;
    const found = [...this.keys].reverse().find(([id, k]) => k.rpId === rpId && (!allowed || allowed.includes(id)));
    if (!found) throw domError('NotAllowedError', 'No passkey for this site');
    const [id, key] = found;
    if (this.options.counter) key.signCount += 1;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(key.signCount);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(false)]), count]);
    const clientDataJSON = this.clientData('webauthn.get', publicKey.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), key.privateKey); // DER
    return {
      id,
      rawId: arrayBuffer(Buffer.from(id, 'base64url')),
      type: 'public-key',
      authenticatorAttachment: 'platform',
      getClientExtensionResults: () => ({}),
      response: {
        clientDataJSON: arrayBuffer(clientDataJSON),
        authenticatorData: arrayBuffer(authData),
        signature: arrayBuffer(signature),
        userHandle: arrayBuffer(key.userHandle),
      },
    };
  }
}

// ---- conversions -------------------------------------------------------------------------------------

describe('passkeys: the conversions between JSON and ArrayBuffers', () => {
  test('base64url to bytes and back: any length, with or without padding, standard base64 too', () => {
    for (let n = 0; n < 40; n++) {
      const data = randomBytes(n);
      const encoded = bufferToBase64URL(arrayBuffer(data));
      assert.equal(encoded, data.toString('base64url'));
      assert.doesNotMatch(encoded, /[+/=]/);
      assert.deepEqual(Buffer.from(base64URLToBuffer(encoded)), data);
      assert.deepEqual(Buffer.from(base64URLToBuffer(data.toString('base64'))), data, 'padded standard base64');
    }
    assert.ok(base64URLToBuffer('AQID') instanceof ArrayBuffer);
    // A view of part of a buffer: only its bytes.
    const whole = new Uint8Array([9, 1, 2, 3, 9]);
    assert.equal(bufferToBase64URL(whole.subarray(1, 4)), 'AQID');
    assert.equal(bufferToBase64URL(new DataView(whole.buffer, 1, 3)), 'AQID');
    // Large values (a big attestation) in one go.
    const big = randomBytes(200_000);
    assert.equal(bufferToBase64URL(big), big.toString('base64url'));
    assert.throws(() => base64URLToBuffer('not base64!'));
  });

  test("generate-register-options' JSON to create()'s options: the challenge, the user's id and the excluded ids as bytes; the rest as it is", () => {
    const json = {
      challenge: b64url(Buffer.from('challenge-bytes')),
      rp: { name: 'Example', id: 'localhost' },
      user: { id: b64url(Buffer.from('user-handle')), name: 'ada@example.com', displayName: 'ada@example.com' },
      pubKeyCredParams: [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }],
      timeout: 60000,
      attestation: 'none',
      excludeCredentials: [{ id: 'AQID', transports: ['internal'], type: 'public-key' }, { id: 'BAUG', type: 'public-key' }],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred', requireResidentKey: false },
      extensions: { credProps: true },
      hints: [],
    };
    const o = toCreationOptions(json, { minPinLength: true });
    assert.equal(text(o.challenge), 'challenge-bytes');
    assert.ok(o.challenge instanceof ArrayBuffer && o.user.id instanceof ArrayBuffer);
    assert.deepEqual({ ...o.user, id: text(o.user.id) }, { id: 'user-handle', name: 'ada@example.com', displayName: 'ada@example.com' });
    assert.deepEqual(o.excludeCredentials.map((d) => ({ ...d, id: [...new Uint8Array(d.id)] })), [
      { id: [1, 2, 3], transports: ['internal'], type: 'public-key' },
      { id: [4, 5, 6], type: 'public-key' },
    ]);
    assert.deepEqual(o.extensions, { credProps: true, minPinLength: true }, "the caller's extensions over the server's");
    for (const key of ['rp', 'pubKeyCredParams', 'timeout', 'attestation', 'authenticatorSelection', 'hints']) assert.deepEqual(o[key], json[key]);
    assert.equal(toCreationOptions({ ...json, excludeCredentials: undefined, extensions: undefined }).extensions, undefined);
  });

  test("generate-authenticate-options' JSON to get()'s options: an empty allow list is none (any passkey of the site)", () => {
    const json = { rpId: 'localhost', challenge: 'AQID', allowCredentials: [{ id: 'BAUG', transports: ['usb'], type: 'public-key' }], timeout: 60000, userVerification: 'preferred' };
    const o = toRequestOptions(json);
    assert.deepEqual([...new Uint8Array(o.challenge)], [1, 2, 3]);
    assert.deepEqual(o.allowCredentials.map((d) => [[...new Uint8Array(d.id)], d.transports, d.type]), [[[4, 5, 6], ['usb'], 'public-key']]);
    assert.deepEqual([o.rpId, o.timeout, o.userVerification], ['localhost', 60000, 'preferred']);
    assert.equal(toRequestOptions({ ...json, allowCredentials: [] }).allowCredentials, undefined);
    assert.equal(toRequestOptions({ rpId: 'localhost', challenge: 'AQID' }).allowCredentials, undefined);
  });

  test("a registration's credential to RegistrationResponseJSON (@simplewebauthn/browser 13's shape); what a browser lacks is left out", () => {
    const full = {
      id: 'AQID',
      rawId: bytes(1, 2, 3),
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      getClientExtensionResults: () => ({ credProps: { rk: true } }),
      response: {
        clientDataJSON: bytes(4),
        attestationObject: bytes(5),
        getTransports: () => ['usb', 'nfc'],
        getPublicKeyAlgorithm: () => -7,
        getPublicKey: () => bytes(6),
        getAuthenticatorData: () => bytes(7),
      },
    };
    assert.deepEqual(registrationToJSON(full), {
      id: 'AQID',
      rawId: 'AQID',
      response: { attestationObject: 'BQ', clientDataJSON: 'BA', transports: ['usb', 'nfc'], publicKeyAlgorithm: -7, publicKey: 'Bg', authenticatorData: 'Bw' },
      type: 'public-key',
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: 'cross-platform',
    });
    // An older browser (no L3 accessors), one whose getPublicKey throws (an extension's broken
    // stand-in) or answers null (an algorithm it does not know): those fields are not sent.
    const old = {
      id: 'AQID',
      rawId: bytes(1, 2, 3),
      type: 'public-key',
      authenticatorAttachment: null,
      getClientExtensionResults: () => ({}),
      response: { clientDataJSON: bytes(4), attestationObject: bytes(5), getPublicKey: () => null, getPublicKeyAlgorithm: () => { throw new Error('broken'); } },
    };
    const json = JSON.parse(JSON.stringify(registrationToJSON(old)));
    assert.deepEqual(json, { id: 'AQID', rawId: 'AQID', response: { attestationObject: 'BQ', clientDataJSON: 'BA' }, type: 'public-key', clientExtensionResults: {} });
  });

  test("an assertion's credential to AuthenticationResponseJSON; no user handle, none sent; an unknown attachment, none", () => {
    const credential = (userHandle, authenticatorAttachment) => ({
      id: 'AQID',
      rawId: bytes(1, 2, 3),
      type: 'public-key',
      authenticatorAttachment,
      getClientExtensionResults: () => ({}),
      response: { clientDataJSON: bytes(4), authenticatorData: bytes(5), signature: bytes(6), userHandle },
    });
    assert.deepEqual(authenticationToJSON(credential(bytes(7), 'platform')), {
      id: 'AQID',
      rawId: 'AQID',
      response: { authenticatorData: 'BQ', clientDataJSON: 'BA', signature: 'Bg', userHandle: 'Bw' },
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    });
    const none = JSON.parse(JSON.stringify(authenticationToJSON(credential(null, 'bluetooth'))));
    assert.deepEqual(none.response, { authenticatorData: 'BQ', clientDataJSON: 'BA', signature: 'Bg' });
    assert.equal('authenticatorAttachment' in none, false);
  });

  test('passkeySupported: not without PublicKeyCredential and navigator.credentials (Node, server-side rendering)', () => {
    assert.equal(passkeySupported(), false);
    uninstall = installWebAuthn({ create: async () => null, get: async () => null });
    assert.equal(passkeySupported(), true);
    uninstall();
    uninstall = installWebAuthn({});
    assert.equal(passkeySupported(), false);
  });
});

// ---- the flows, with a fake fetch ------------------------------------------------------------------

// The server's answers, for the fake fetch.
const OPTIONS_REGISTER = {
  challenge: b64url(Buffer.from('register-challenge')),
  rp: { name: 'Portcullis', id: RP_ID },
  user: { id: b64url(Buffer.from('abcdefghijklmnopqrstuvwxyz012345')), name: 'ada@example.com', displayName: 'ada@example.com' },
  pubKeyCredParams: [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }],
  timeout: 60000,
  attestation: 'none',
  excludeCredentials: [],
  authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred', requireResidentKey: false },
  extensions: { credProps: true },
  hints: [],
};
const OPTIONS_AUTH = { rpId: RP_ID, challenge: b64url(Buffer.from('auth-challenge')), timeout: 60000, userVerification: 'preferred' };
const USER = { id: 'u1', name: 'Ada', email: 'ada@example.com' };
const SESSION = { id: 's1', token: 't', userId: 'u1' };
const ROW = { id: 'pk1', name: 'Laptop', publicKey: 'pQ==', userId: 'u1', credentialID: 'AQID', counter: 1, deviceType: 'singleDevice', backedUp: false, transports: 'internal,hybrid', createdAt: '2026-11-27T12:00:00.000Z', aaguid: '00000000-0000-0000-0000-000000000000' };

// A fetch that answers `answer(path, body, query)` ([status, body]) and records each request.
function recording(answer = defaultAnswer) {
  const seen = [];
  const f = async (url, init = {}) => {
    const u = new URL(url);
    const path = u.pathname.replace(/^\/api\/auth/, '');
    const body = init.body === undefined || init.body === null ? undefined : JSON.parse(init.body);
    seen.push([init.method ?? 'GET', path + u.search, body]);
    const [status, out] = answer(path, body, u.searchParams);
    return new Response(JSON.stringify(out), { status, headers: { 'content-type': 'application/json' } });
  };
  f.seen = seen;
  return f;
}
function defaultAnswer(path, body) {
  if (path === '/passkey/generate-register-options') return [200, OPTIONS_REGISTER];
  if (path === '/passkey/generate-authenticate-options') return [200, OPTIONS_AUTH];
  if (path === '/passkey/verify-registration') return [200, body.createSession ? { ...ROW, session: SESSION, user: USER } : { ...ROW, name: body.name ?? null }];
  if (path === '/passkey/verify-authentication') return [200, { session: SESSION, user: USER }];
  if (path === '/passkey/list-user-passkeys') return [200, [ROW]];
  if (path === '/passkey/delete-passkey') return body.id === 'pk1' ? [200, { status: true }] : [404, { code: 'PASSKEY_NOT_FOUND', message: 'Passkey not found' }];
  if (path === '/passkey/update-passkey') return body.id === 'pk1' ? [200, { passkey: { ...ROW, name: body.name } }] : [404, { code: 'PASSKEY_NOT_FOUND', message: 'Passkey not found' }];
  return [404, {}];
}

describe('passkeys: the requests the client sends, and the ceremonies that do not finish', () => {
  const make = (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f });

  test('signInPasskey: the options, the browser, then the assertion as JSON; the session listeners are told', async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials);
    const f = recording();
    const client = make(f);
    const events = [];
    client.subscribe((e) => events.push(e.path));
    // A passkey to sign in with.
    const added = await client.passkey.addPasskey();
    assert.equal(added.ok, true, JSON.stringify(added));
    assert.deepEqual(events, [], 'adding a passkey changes no session');

    const r = await client.signInPasskey();
    assert.deepEqual(r, { ok: true, value: { session: SESSION, user: USER } });
    assert.deepEqual(events, ['/passkey/verify-authentication']);
    const [get, post] = f.seen.slice(2);
    assert.deepEqual(get, ['GET', '/passkey/generate-authenticate-options', undefined]);
    assert.equal(post[0], 'POST');
    assert.equal(post[1], '/passkey/verify-authentication');
    assert.deepEqual(Object.keys(post[2]), ['response']);
    const response = post[2].response;
    assert.deepEqual(Object.keys(response).sort(), ['authenticatorAttachment', 'clientExtensionResults', 'id', 'rawId', 'response', 'type']);
    assert.deepEqual(Object.keys(response.response).sort(), ['authenticatorData', 'clientDataJSON', 'signature', 'userHandle']);
    assert.equal(response.id, response.rawId);
    assert.equal(response.type, 'public-key');
    assert.deepEqual(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url')), {
      type: 'webauthn.get',
      challenge: OPTIONS_AUTH.challenge,
      origin: SITE,
      crossOrigin: false,
    });
    assert.equal(Buffer.from(response.response.userHandle, 'base64url').toString(), 'abcdefghijklmnopqrstuvwxyz012345');
    // What the browser was given.
    const [, publicKey] = authenticator.calls.at(-1);
    assert.equal(text(publicKey.challenge), 'auth-challenge');
    assert.equal(publicKey.rpId, RP_ID);
  });

  test('signInPasskey: the second factor asked for is the answer, as signIn; the server refusing is its failure', async () => {
    uninstall = installWebAuthn(new SoftAuthenticator(SITE).credentials);
    let verify = [200, { twoFactorRedirect: true, twoFactorMethods: ['totp'] }];
    const client = make(recording((path, body) => (path === '/passkey/verify-authentication' ? verify : defaultAnswer(path, body))));
    await client.passkey.addPasskey();
    assert.deepEqual(await client.signInPasskey(), { ok: true, value: { twoFactorRedirect: true, twoFactorMethods: ['totp'] } });
    verify = [401, { code: 'AUTHENTICATION_FAILED', message: 'Authentication failed' }];
    const r = await client.signInPasskey();
    assert.deepEqual([r.ok, r.status, r.code, r.message], [false, 401, 'AUTHENTICATION_FAILED', 'Authentication failed']);
  });

  test('addPasskey: the query and body BetterAuth\'s client sends; the RegistrationResponseJSON with transports, publicKey, publicKeyAlgorithm, authenticatorData', async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials);
    const f = recording();
    const client = make(f);
    const events = [];
    client.subscribe((e) => events.push(e.path));
    const r = await client.passkey.addPasskey({ name: 'Laptop', authenticatorAttachment: 'platform' });
    assert.deepEqual(r, { ok: true, value: { ...ROW, name: 'Laptop' } });
    const [get, post] = f.seen;
    assert.deepEqual(get, ['GET', '/passkey/generate-register-options?authenticatorAttachment=platform&name=Laptop', undefined]);
    assert.deepEqual(Object.keys(post[2]), ['response', 'name']);
    assert.equal(post[2].name, 'Laptop');
    const response = post[2].response;
    assert.deepEqual(Object.keys(response.response).sort(), ['attestationObject', 'authenticatorData', 'clientDataJSON', 'publicKey', 'publicKeyAlgorithm', 'transports']);
    assert.deepEqual(response.response.transports, ['internal', 'hybrid']);
    assert.equal(response.response.publicKeyAlgorithm, -7);
    assert.deepEqual(response.clientExtensionResults, { credProps: { rk: true } });
    assert.equal(response.authenticatorAttachment, 'platform');
    assert.equal(JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url')).type, 'webauthn.create');
    // The options the browser got.
    const [, publicKey] = authenticator.calls[0];
    assert.equal(text(publicKey.user.id), 'abcdefghijklmnopqrstuvwxyz012345');
    assert.deepEqual(publicKey.excludeCredentials, []);
    assert.deepEqual(events, []);

    // No name (or an empty one): none sent; createSession: sent, and the listeners are told.
    await client.passkey.addPasskey({ name: '' });
    await client.passkey.addPasskey({ createSession: true });
    assert.deepEqual(f.seen.slice(2).map(([m, p, b]) => [m, p, b && Object.keys(b)]), [
      ['GET', '/passkey/generate-register-options', undefined],
      ['POST', '/passkey/verify-registration', ['response']],
      ['GET', '/passkey/generate-register-options', undefined],
      ['POST', '/passkey/verify-registration', ['response', 'createSession']],
    ]);
    assert.equal(f.seen.at(-1)[2].createSession, true);
    assert.deepEqual(events, ['/passkey/verify-registration']);
  });

  test("the browser's prompt closed, an authenticator already registered, another error: stable codes, status 0, nothing verified", async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials);
    const f = recording();
    const client = make(f);
    const failed = (r) => [r.ok, r.status, r.code, r.message];

    authenticator.next = 'NotAllowedError';
    assert.deepEqual(failed(await client.signInPasskey()), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    authenticator.next = 'AbortError';
    assert.deepEqual(failed(await client.signInPasskey()), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    authenticator.next = 'NotAllowedError';
    assert.deepEqual(failed(await client.passkey.addPasskey()), [false, 0, 'REGISTRATION_CANCELLED', 'Registration cancelled']);
    authenticator.next = 'InvalidStateError';
    assert.deepEqual(failed(await client.passkey.addPasskey()), [false, 0, 'PREVIOUSLY_REGISTERED', 'Previously registered']);
    authenticator.next = 'SecurityError';
    const security = await client.passkey.addPasskey();
    assert.deepEqual([...failed(security), security.webauthnError], [false, 0, 'WEBAUTHN_ERROR', 'SecurityError (test)', 'SecurityError']);
    authenticator.next = 'UnknownError';
    assert.deepEqual(failed(await client.signInPasskey()).slice(0, 3), [false, 0, 'WEBAUTHN_ERROR']);
    // No passkey of this site on the device: the browser says NotAllowedError too.
    assert.deepEqual(failed(await client.signInPasskey()).slice(0, 3), [false, 0, 'AUTH_CANCELLED']);
    // A browser that resolves to null.
    uninstall();
    uninstall = installWebAuthn({ create: async () => null, get: async () => null });
    assert.equal((await client.signInPasskey()).code, 'AUTH_CANCELLED');
    assert.equal((await client.passkey.addPasskey()).code, 'REGISTRATION_CANCELLED');
    // Only the options were asked for: nothing was sent to verify.
    assert.ok(f.seen.every(([, path]) => path.startsWith('/passkey/generate-')), JSON.stringify(f.seen));
  });

  test('an authenticator holding a passkey of this account: excludeCredentials passes it, the browser refuses (PREVIOUSLY_REGISTERED)', async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials);
    const mine = [];
    const client = make(
      recording((path, body) => {
        if (path === '/passkey/generate-register-options') return [200, { ...OPTIONS_REGISTER, excludeCredentials: mine.map((id) => ({ id, type: 'public-key', transports: ['internal'] })) }];
        if (path === '/passkey/verify-registration') mine.push(body.response.id);
        return defaultAnswer(path, body);
      }),
    );
    assert.equal((await client.passkey.addPasskey()).ok, true);
    const again = await client.passkey.addPasskey();
    assert.equal(again.code, 'PREVIOUSLY_REGISTERED');
  });

  test('a second ceremony cancels the one still waiting (one prompt at a time): AUTH_CANCELLED for the first', async () => {
    let first = true;
    const asked = deferred();  // the first prompt is open
    const credentials = {
      get: ({ signal }) =>
        new Promise((resolve, reject) => {
          if (first) {
            first = false;
            signal.addEventListener('abort', () => reject(domError('AbortError')));
            asked.resolve();
            return; // waits for the user
          }
          reject(domError('NotAllowedError'));
        }),
      create: async () => null,
    };
    uninstall = installWebAuthn(credentials);
    const client = make(recording());
    const waiting = client.signInPasskey();
    await asked.promise;
    const second = client.signInPasskey();
    assert.equal((await waiting).code, 'AUTH_CANCELLED');
    assert.equal((await second).code, 'AUTH_CANCELLED');
  });

  test("no WebAuthn: WEBAUTHN_NOT_SUPPORTED, without a request; the server's failures to start pass through; unreadable options: BAD_RESPONSE", async () => {
    const f = recording();
    const client = make(f);
    assert.deepEqual([(await client.signInPasskey()).code, (await client.passkey.addPasskey()).code], ['WEBAUTHN_NOT_SUPPORTED', 'WEBAUTHN_NOT_SUPPORTED']);
    assert.deepEqual(f.seen, []);

    uninstall = installWebAuthn(new SoftAuthenticator(SITE).credentials);
    const stale = make(recording(() => [403, { code: 'SESSION_NOT_FRESH', message: 'Session is not fresh' }]));
    const r = await stale.passkey.addPasskey();
    assert.deepEqual([r.ok, r.status, r.code], [false, 403, 'SESSION_NOT_FRESH']);
    const off = make(recording(() => [404, { code: 'NOT_FOUND', message: 'Not Found' }]));
    assert.equal((await off.signInPasskey()).code, 'NOT_FOUND');
    const bad = make(recording(() => [200, { challenge: '!!!' }]));
    const unreadable = await bad.signInPasskey();
    assert.deepEqual([unreadable.ok, unreadable.code], [false, 'BAD_RESPONSE']);
    assert.deepEqual([(await bad.passkey.addPasskey()).code], ['BAD_RESPONSE']);
  });

  test('listUserPasskeys, deletePasskey, updatePasskey: their routes and bodies', async () => {
    const f = recording();
    const client = make(f);
    assert.deepEqual(await client.passkey.listUserPasskeys(), { ok: true, value: [ROW] });
    assert.deepEqual(await client.passkey.updatePasskey({ id: 'pk1', name: 'Work laptop' }), { ok: true, value: { passkey: { ...ROW, name: 'Work laptop' } } });
    assert.deepEqual(await client.passkey.deletePasskey({ id: 'pk1' }), { ok: true, value: { status: true } });
    const gone = await client.passkey.deletePasskey({ id: 'pk2' });
    assert.deepEqual([gone.ok, gone.status, gone.code], [false, 404, 'PASSKEY_NOT_FOUND']);
    assert.deepEqual(f.seen, [
      ['GET', '/passkey/list-user-passkeys', undefined],
      ['POST', '/passkey/update-passkey', { id: 'pk1', name: 'Work laptop' }],
      ['POST', '/passkey/delete-passkey', { id: 'pk1' }],
      ['POST', '/passkey/delete-passkey', { id: 'pk2' }],
    ]);
  });
});

// ---- autofill (conditional mediation), and aborting a ceremony ------------------------------------

/** A promise with its resolve, for one step to wait for another (no sleeping). */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A browser whose autofill requests (mediation 'conditional') wait, as for a user who picks
 * nothing, until their signal aborts (AbortError); modal ones go to `authenticator`.
 * `waiting(n)` resolves with the n-th autofill request (from 0) once it has reached the browser.
 */
function autofillBrowser(authenticator) {
  const requests = [];
  const arrivals = [];
  const arrival = (n) => {
    while (arrivals.length <= n) arrivals.push(deferred());
    return arrivals[n];
  };
  const credentials = {
    create: (request) => authenticator.create(request),
    get: (request) => {
      if (request.mediation !== 'conditional') return authenticator.get(request);
      requests.push(request);
      arrival(requests.length - 1).resolve(request);
      return new Promise((resolve, reject) => {
        if (request.signal.aborted) reject(domError('AbortError'));
        request.signal.addEventListener('abort', () => reject(domError('AbortError')));
      });
    },
  };
  return { credentials, requests, waiting: (n = 0) => arrival(n).promise };
}

const available = async () => true;
const paths = (f) => f.seen.map(([, path]) => path);

describe('passkey autofill (conditional mediation) and aborted ceremonies, with a fake fetch', () => {
  const make = (f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f });
  /**
   * A browser with autofill (autofillBrowser) installed, over an authenticator holding a passkey
   * that a client on a recording fetch added: {authenticator, browser, f (its requests forgotten), client}.
   */
  /**
   * A client whose fetch (`f`, once let through) waits: `asked` resolves when a request is sent,
   * and the request goes on once `answer` is resolved. {slow, asked, answer}.
   */
  function slowClient(f) {
    const asked = deferred();
    const answer = deferred();
    const slow = make(async (...args) => {
      asked.resolve();
      await answer.promise;
      return f(...args);
    });
    return { slow, asked, answer };
  }
  async function withAutofillPasskey() {
    const authenticator = new SoftAuthenticator(SITE);
    const browser = autofillBrowser(authenticator);
    uninstall = installWebAuthn(browser.credentials, { conditional: available });
    const f = recording();
    const client = make(f);
    await client.passkey.addPasskey();
    f.seen.length = 0;
    return { authenticator, browser, f, client };
  }

  test('passkeyAutofillSupported: only where isConditionalMediationAvailable resolves true; never throws', async () => {
    assert.equal(await passkeyAutofillSupported(), false, 'Node: no WebAuthn');
    const webauthn = { create: async () => null, get: async () => null };
    const cases = [
      [undefined, false],
      [async () => true, true],
      [async () => false, false],
      [async () => 'yes', false],
      [() => true, true], // a plain value is awaited too
      [async () => { throw new Error('broken'); }, false],
      [() => { throw new Error('broken'); }, false],
    ];
    for (const [conditional, expected] of cases) {
      uninstall?.();
      uninstall = installWebAuthn(webauthn, { conditional });
      assert.equal(await passkeyAutofillSupported(), expected, String(conditional));
    }
    // Not a function: false.
    globalThis.PublicKeyCredential.isConditionalMediationAvailable = true;
    assert.equal(await passkeyAutofillSupported(), false);
    // The conditional API without WebAuthn's calls: false.
    uninstall();
    uninstall = installWebAuthn({}, { conditional: available });
    assert.equal(await passkeyAutofillSupported(), false);
  });

  test("autoFill: mediation 'conditional' and an empty allow list (even when the server names credentials); then verified as a modal one", async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials, { conditional: available });
    const named = { ...OPTIONS_AUTH, allowCredentials: [{ id: 'AQID', type: 'public-key', transports: ['internal'] }] };
    const f = recording((path, body) => (path === '/passkey/generate-authenticate-options' ? [200, named] : defaultAnswer(path, body)));
    const client = make(f);
    await client.passkey.addPasskey();
    const events = [];
    client.subscribe((e) => events.push(e.path));

    const r = await client.signInPasskey({ autoFill: true, extensions: { credProps: true } });
    assert.deepEqual(r, { ok: true, value: { session: SESSION, user: USER } });
    assert.deepEqual(events, ['/passkey/verify-authentication']);
    const [kind, publicKey, mediation] = authenticator.calls.at(-1);
    assert.deepEqual([kind, mediation], ['get', 'conditional']);
    assert.deepEqual(publicKey.allowCredentials, []);
    assert.equal(text(publicKey.challenge), 'auth-challenge');
    assert.deepEqual([publicKey.rpId, publicKey.userVerification, publicKey.extensions], [RP_ID, 'preferred', { credProps: true }]);
    assert.deepEqual(paths(f).slice(2), ['/passkey/generate-authenticate-options', '/passkey/verify-authentication']);

    // The modal one: no mediation, the server's list as bytes.
    assert.equal((await client.signInPasskey()).ok, false, 'the server named a credential the device does not hold');
    const [, modal, none] = authenticator.calls.at(-1);
    assert.equal(none, undefined);
    assert.deepEqual(modal.allowCredentials.map((d) => [...new Uint8Array(d.id)]), [[1, 2, 3]]);
  });

  test('autoFill where the browser cannot (no isConditionalMediationAvailable, or it says false; no WebAuthn): AUTOFILL_NOT_SUPPORTED, status 0, no request', async () => {
    const f = recording();
    const client = make(f);
    const failed = (r) => [r.ok, r.status, r.code, r.message];
    const unsupported = [false, 0, 'AUTOFILL_NOT_SUPPORTED', 'This browser does not offer passkeys in its autofill'];
    assert.deepEqual(failed(await client.signInPasskey({ autoFill: true })), unsupported, 'no WebAuthn at all');
    for (const conditional of [undefined, async () => false]) {
      const authenticator = new SoftAuthenticator(SITE);
      uninstall?.();
      uninstall = installWebAuthn(authenticator.credentials, { conditional });
      assert.deepEqual(failed(await client.signInPasskey({ autoFill: true })), unsupported);
      assert.deepEqual(authenticator.calls, []);
    }
    assert.deepEqual(f.seen, []);
  });

  test("the caller's abort, in either mode: AUTH_CANCELLED, and no verification, whether it comes before, during the options' request, or while the browser waits", async () => {
    const { authenticator, browser, f, client } = await withAutofillPasskey();
    const cancelled = (r) => assert.deepEqual([r.ok, r.status, r.code], [false, 0, 'AUTH_CANCELLED'], JSON.stringify(r));

    // Already aborted: nothing is asked at all.
    for (const autoFill of [false, true]) cancelled(await client.signInPasskey({ autoFill, signal: AbortSignal.abort() }));
    assert.deepEqual(f.seen, []);

    // While the autofill waits for the user.
    const waiting = new AbortController();
    const pending = client.signInPasskey({ autoFill: true, signal: waiting.signal });
    const request = await browser.waiting(0);
    assert.equal(request.signal.aborted, false);
    waiting.abort();
    cancelled(await pending);
    assert.equal(request.signal.aborted, true, "the browser's request was aborted");

    // While the options are on their way (the browser is not asked).
    for (const autoFill of [false, true]) {
      const { slow, asked, answer } = slowClient(f);
      const controller = new AbortController();
      const before = authenticator.calls.length + browser.requests.length;
      const r = slow.signInPasskey({ autoFill, signal: controller.signal });
      await asked.promise;
      controller.abort();
      answer.resolve();
      cancelled(await r);
      assert.equal(authenticator.calls.length + browser.requests.length, before, 'the browser was not asked');
    }

    // The browser answered, but the caller aborted first: the answer is not sent.
    const late = new AbortController();
    const answering = {
      create: async () => null,
      get: async (request) => {
        const credential = await authenticator.get(request);
        late.abort();
        return credential;
      },
    };
    uninstall();
    uninstall = installWebAuthn(answering, { conditional: available });
    cancelled(await client.signInPasskey({ signal: late.signal }));
    assert.ok(paths(f).every((p) => p === '/passkey/generate-authenticate-options'), JSON.stringify(f.seen));

    // A signal that is never aborted changes nothing.
    uninstall();
    uninstall = installWebAuthn(authenticator.credentials, { conditional: available });
    assert.equal((await client.signInPasskey({ autoFill: true, signal: new AbortController().signal })).ok, true);
    assert.equal(paths(f).at(-1), '/passkey/verify-authentication');
  });

  test('a modal sign-in (or addPasskey) cancels a pending autofill one, which ends AUTH_CANCELLED; the caller\'s later abort does not reach the modal one', async () => {
    const { authenticator, browser, f, client } = await withAutofillPasskey();
    const events = [];
    client.subscribe((e) => events.push(e.path));

    // The autofill waits; the button's modal sign-in takes over and signs in.
    const own = new AbortController();
    const autofill = client.signInPasskey({ autoFill: true, signal: own.signal });
    const request = await browser.waiting(0);
    const modal = client.signInPasskey();
    assert.deepEqual(await autofill, passkeyFailureOf('AUTH_CANCELLED'));
    assert.equal(request.signal.aborted, true);
    own.abort(); // the form's own abort, later: the modal ceremony is not its
    assert.deepEqual(await modal, { ok: true, value: { session: SESSION, user: USER } });
    assert.deepEqual(paths(f), ['/passkey/generate-authenticate-options', '/passkey/generate-authenticate-options', '/passkey/verify-authentication']);
    assert.deepEqual(events, ['/passkey/verify-authentication'], 'one sign-in');

    // Cancelled while its options were on their way: the browser is not asked.
    const { slow, asked, answer } = slowClient(f);
    const early = slow.signInPasskey({ autoFill: true });
    await asked.promise;
    const second = client.signInPasskey();
    answer.resolve();
    assert.equal((await early).code, 'AUTH_CANCELLED');
    assert.equal((await second).ok, true);
    assert.equal(browser.requests.length, 1, 'no second autofill request');

    // Adding a passkey cancels it too.
    const third = client.signInPasskey({ autoFill: true });
    await browser.waiting(1);
    const added = client.passkey.addPasskey();
    assert.equal((await third).code, 'AUTH_CANCELLED');
    assert.equal((await added).ok, true);
  });
});

/** A passkey failure as the client makes it (status 0, its message). */
function passkeyFailureOf(code) {
  const messages = { AUTH_CANCELLED: 'Auth cancelled', AUTOFILL_NOT_SUPPORTED: 'This browser does not offer passkeys in its autofill' };
  return { ok: false, status: 0, code, message: messages[code] };
}

// ---- fromBetterAuth ----------------------------------------------------------------------------------

describe("passkeys through fromBetterAuth: BetterAuth's passkeyClient() calls, its failures as createClient's codes", () => {
  // What BetterAuth's client answers ({data, error}); the error objects as passkeyClient() makes
  // them (@better-auth/passkey 1.7.6's client.mjs) for what @simplewebauthn/browser throws.
  const ba = (code, message, status = 400) => ({ data: null, error: { code, message, status, statusText: status === 400 ? 'BAD_REQUEST' : 'X' } });
  function fakeBetterAuth(answers) {
    const calls = [];
    const record = (name) => async (...args) => {
      calls.push([name, ...args]);
      return answers[name]?.(...args) ?? { data: null, error: null };
    };
    return {
      calls,
      client: {
        signIn: { passkey: record('signIn.passkey') },
        passkey: {
          addPasskey: record('passkey.addPasskey'),
          listUserPasskeys: record('passkey.listUserPasskeys'),
          deletePasskey: record('passkey.deletePasskey'),
          updatePasskey: record('passkey.updatePasskey'),
        },
      },
    };
  }

  test('the calls, their arguments and results; the session listeners after a sign-in', async () => {
    uninstall = installWebAuthn({ create: async () => null, get: async () => null });
    const { client: c, calls } = fakeBetterAuth({
      'signIn.passkey': () => ({ data: { session: { id: 's' }, user: { id: 'u' } }, error: null }),
      'passkey.addPasskey': (input) => ({ data: { id: 'pk1', name: input.name ?? null }, error: null }),
      'passkey.listUserPasskeys': () => ({ data: [{ id: 'pk1' }], error: null }),
      'passkey.deletePasskey': () => ({ data: { status: true }, error: null }),
      'passkey.updatePasskey': (input) => ({ data: { passkey: { id: input.id, name: input.name } }, error: null }),
    });
    const client = fromBetterAuth(c);
    const events = [];
    client.subscribe((e) => events.push(e.type));
    assert.deepEqual(await client.signInPasskey(), { ok: true, value: { session: { id: 's' }, user: { id: 'u' } } });
    assert.deepEqual(events, ['session-changed']);
    assert.deepEqual(await client.passkey.addPasskey({ name: 'Laptop', authenticatorAttachment: 'platform' }), { ok: true, value: { id: 'pk1', name: 'Laptop' } });
    assert.deepEqual(await client.passkey.listUserPasskeys(), { ok: true, value: [{ id: 'pk1' }] });
    assert.deepEqual(await client.passkey.updatePasskey({ id: 'pk1', name: 'Work' }), { ok: true, value: { passkey: { id: 'pk1', name: 'Work' } } });
    assert.deepEqual(await client.passkey.deletePasskey({ id: 'pk1' }), { ok: true, value: { status: true } });
    assert.deepEqual(calls, [
      ['signIn.passkey', undefined],
      ['passkey.addPasskey', { name: 'Laptop', authenticatorAttachment: 'platform' }],
      ['passkey.listUserPasskeys'],
      ['passkey.updatePasskey', { id: 'pk1', name: 'Work' }],
      ['passkey.deletePasskey', { id: 'pk1' }],
    ]);
    assert.deepEqual(events, ['session-changed'], 'only the sign-in changed the session');
  });

  test("BetterAuth's cancelled ceremonies get the same codes; the server's pass through; no WebAuthn, no call", async () => {
    const { client: none, calls: noCalls } = fakeBetterAuth({});
    assert.equal((await fromBetterAuth(none).signInPasskey()).code, 'WEBAUTHN_NOT_SUPPORTED');
    assert.equal((await fromBetterAuth(none).passkey.addPasskey()).code, 'WEBAUTHN_NOT_SUPPORTED');
    assert.deepEqual(noCalls, []);

    uninstall = installWebAuthn({ create: async () => null, get: async () => null });
    const outcome = async (name, error) => {
      const { client: c } = fakeBetterAuth({ [name]: () => error });
      const client = fromBetterAuth(c);
      const r = name === 'signIn.passkey' ? await client.signInPasskey() : await client.passkey.addPasskey();
      return [r.ok, r.status, r.code, r.message];
    };
    // signIn.passkey: a WebAuthnError's code, or AUTH_CANCELLED, always with "Auth cancelled".
    assert.deepEqual(await outcome('signIn.passkey', ba('ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY', 'Auth cancelled')), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    assert.deepEqual(await outcome('signIn.passkey', ba('ERROR_CEREMONY_ABORTED', 'Auth cancelled')), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    assert.deepEqual(await outcome('signIn.passkey', ba('AUTH_CANCELLED', 'Auth cancelled')), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    assert.deepEqual(await outcome('signIn.passkey', ba('AUTHENTICATION_FAILED', 'Authentication failed', 401)), [false, 401, 'AUTHENTICATION_FAILED', 'Authentication failed']);
    assert.deepEqual(await outcome('signIn.passkey', ba('CHALLENGE_NOT_FOUND', 'Challenge not found')), [false, 400, 'CHALLENGE_NOT_FOUND', 'Challenge not found']);
    // addPasskey: PREVIOUSLY_REGISTERED and REGISTRATION_CANCELLED (also for the browser's
    // NotAllowedError, which BetterAuth passes through with the browser's words).
    assert.deepEqual(await outcome('passkey.addPasskey', ba('ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED', 'Previously registered')), [false, 0, 'PREVIOUSLY_REGISTERED', 'Previously registered']);
    assert.deepEqual(await outcome('passkey.addPasskey', ba('ERROR_CEREMONY_ABORTED', 'Registration cancelled')), [false, 0, 'REGISTRATION_CANCELLED', 'Registration cancelled']);
    assert.deepEqual(await outcome('passkey.addPasskey', ba('ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY', 'The operation either timed out or was not allowed.')), [false, 0, 'REGISTRATION_CANCELLED', 'Registration cancelled']);
    assert.deepEqual(await outcome('passkey.addPasskey', ba('ERROR_INVALID_RP_ID', 'The RP ID "x" is invalid for this domain')), [false, 0, 'WEBAUTHN_ERROR', 'The RP ID "x" is invalid for this domain']);
    assert.deepEqual(await outcome('passkey.addPasskey', ba('FAILED_TO_VERIFY_REGISTRATION', 'Failed to verify registration')), [false, 400, 'FAILED_TO_VERIFY_REGISTRATION', 'Failed to verify registration']);
    assert.deepEqual(await outcome('passkey.addPasskey', ba('SESSION_NOT_FRESH', 'Session is not fresh', 403)), [false, 403, 'SESSION_NOT_FRESH', 'Session is not fresh']);
  });

  test("the requests BetterAuth's own client (with passkeyClient()) sends are createClient's, but for clientExtensionResults", async () => {
    const run = async (make) => {
      uninstall?.();
      uninstall = installWebAuthn(new SoftAuthenticator(SITE).credentials);
      const f = recording();
      const client = make(f);
      const outcomes = [
        await client.passkey.addPasskey({ name: 'Laptop', authenticatorAttachment: 'platform' }),
        await client.passkey.addPasskey(),
        await client.signInPasskey(),
        await client.passkey.listUserPasskeys(),
        await client.passkey.updatePasskey({ id: 'pk1', name: 'Work' }),
        await client.passkey.deletePasskey({ id: 'pk1' }),
        await client.passkey.deletePasskey({ id: 'pk2' }),
      ].map((r) => (r.ok ? ['ok', JSON.parse(JSON.stringify(r.value))] : [r.status, r.code]));
      // The same request in any order of its query; the ceremonies' answers with their shape only
      // (keys; each ceremony's bytes are new).
      const requests = f.seen.map(([method, path, body]) => {
        const [route, query = ''] = path.split('?');
        const response = body?.response;
        const shape = response && { keys: Object.keys(response).sort(), response: Object.keys(response.response).sort(), type: response.type };
        return [method, route, [...new URLSearchParams(query)].sort(), body && { ...body, response: shape }];
      });
      return { outcomes, requests };
    };
    const ours = await run((f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }));
    const theirs = await run((f) => fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [passkeyClient()], fetchOptions: { customFetchImpl: f } })));
    assert.deepEqual(theirs.outcomes, ours.outcomes);
    // BetterAuth's passkeyClient() leaves clientExtensionResults out of what it verifies.
    const without = (requests) =>
      requests.map(([m, r, q, b]) => [m, r, q, b?.response ? { ...b, response: { ...b.response, keys: b.response.keys.filter((k) => k !== 'clientExtensionResults') } } : b]);
    assert.deepEqual(theirs.requests, without(ours.requests));
    assert.ok(ours.requests.filter(([, , , b]) => b?.response).every(([, , , b]) => b.response.keys.includes('clientExtensionResults')));
    assert.deepEqual(ours.requests.map(([m, r, q]) => [m, r, q]), [
      ['GET', '/passkey/generate-register-options', [['authenticatorAttachment', 'platform'], ['name', 'Laptop']]],
      ['POST', '/passkey/verify-registration', []],
      ['GET', '/passkey/generate-register-options', []],
      ['POST', '/passkey/verify-registration', []],
      ['GET', '/passkey/generate-authenticate-options', []],
      ['POST', '/passkey/verify-authentication', []],
      ['GET', '/passkey/list-user-passkeys', []],
      ['POST', '/passkey/update-passkey', []],
      ['POST', '/passkey/delete-passkey', []],
      ['POST', '/passkey/delete-passkey', []],
    ]);
  });

  test("BetterAuth's own passkeyClient(): a closed prompt and an authenticator already registered get createClient's codes", async () => {
    const authenticator = new SoftAuthenticator(SITE);
    uninstall = installWebAuthn(authenticator.credentials);
    const mine = [];
    const f = recording((path, body) => {
      if (path === '/passkey/generate-register-options') return [200, { ...OPTIONS_REGISTER, excludeCredentials: mine.map((id) => ({ id, type: 'public-key' })) }];
      if (path === '/passkey/verify-registration') mine.push(body.response.id);
      return defaultAnswer(path, body);
    });
    const client = fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [passkeyClient()], fetchOptions: { customFetchImpl: f } }));
    const failed = (r) => [r.ok, r.status, r.code, r.message];
    authenticator.next = 'NotAllowedError';
    assert.deepEqual(failed(await client.signInPasskey()), [false, 0, 'AUTH_CANCELLED', 'Auth cancelled']);
    authenticator.next = 'NotAllowedError';
    assert.deepEqual(failed(await client.passkey.addPasskey()), [false, 0, 'REGISTRATION_CANCELLED', 'Registration cancelled']);
    assert.equal((await client.passkey.addPasskey()).ok, true);
    assert.deepEqual(failed(await client.passkey.addPasskey()), [false, 0, 'PREVIOUSLY_REGISTERED', 'Previously registered']);
  });

  test("autoFill goes to BetterAuth's signIn.passkey({autoFill}); where the browser cannot, AUTOFILL_NOT_SUPPORTED without a call", async () => {
    const answers = { 'signIn.passkey': () => ({ data: { session: { id: 's' }, user: { id: 'u' } }, error: null }) };
    uninstall = installWebAuthn({ create: async () => null, get: async () => null });
    const { client: c, calls } = fakeBetterAuth(answers);
    const client = fromBetterAuth(c);
    assert.deepEqual(await client.signInPasskey({ autoFill: true }), passkeyFailureOf('AUTOFILL_NOT_SUPPORTED'));
    assert.deepEqual(calls, []);
    uninstall();
    uninstall = installWebAuthn({ create: async () => null, get: async () => null }, { conditional: available });
    assert.equal((await client.signInPasskey({ autoFill: true })).ok, true);
    assert.equal((await client.signInPasskey({ autoFill: true, extensions: { credProps: true } })).ok, true);
    assert.equal((await client.signInPasskey({ autoFill: false })).ok, true);
    assert.deepEqual(calls, [
      ['signIn.passkey', { autoFill: true }],
      ['signIn.passkey', { extensions: { credProps: true }, autoFill: true }],
      ['signIn.passkey', undefined],
    ]);
    // BetterAuth's own failure for it (its plain Error, not a WebAuthnError): AUTH_CANCELLED.
    const { client: refusing } = fakeBetterAuth({ 'signIn.passkey': () => ba('AUTH_CANCELLED', 'Auth cancelled') });
    assert.deepEqual(await fromBetterAuth(refusing).signInPasskey({ autoFill: true }), passkeyFailureOf('AUTH_CANCELLED'));
  });

  test("a signal: BetterAuth's verification request gets it; aborted, the call ends at once (AUTH_CANCELLED); aborted before, no call", async () => {
    uninstall = installWebAuthn({ create: async () => null, get: async () => null }, { conditional: available });
    const called = deferred();
    const answer = deferred();
    const { client: c, calls } = fakeBetterAuth({ 'signIn.passkey': () => (called.resolve(), answer.promise) });
    const client = fromBetterAuth(c);
    assert.deepEqual(await client.signInPasskey({ autoFill: true, signal: AbortSignal.abort() }), passkeyFailureOf('AUTH_CANCELLED'));
    assert.deepEqual(calls, []);
    // Aborted while BetterAuth's call waits (for the user's pick): it ends at once.
    const controller = new AbortController();
    const pending = client.signInPasskey({ autoFill: true, signal: controller.signal });
    await called.promise;
    controller.abort();
    assert.deepEqual(await pending, passkeyFailureOf('AUTH_CANCELLED'));
    assert.equal(calls.length, 1);
    const [[, input]] = calls;
    assert.deepEqual(Object.keys(input), ['autoFill', 'fetchOptions']);
    assert.equal(input.fetchOptions.signal, controller.signal);
    answer.resolve(ba('ERROR_CEREMONY_ABORTED', 'Auth cancelled'));
  });

  test("BetterAuth's own passkeyClient() with autoFill: the browser's request is conditional, with an empty allow list, and the requests are createClient's", async () => {
    // BetterAuth (@simplewebauthn/browser) looks for a field whose autocomplete ends in "webauthn".
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'document');
    const selectors = [];
    globalThis.document = { querySelectorAll: (selector) => (selectors.push(selector), [{ autocomplete: 'username webauthn' }]) };
    try {
      const run = async (make) => {
        const authenticator = new SoftAuthenticator(SITE);
        uninstall?.();
        uninstall = installWebAuthn(authenticator.credentials, { conditional: available });
        const f = recording((path, body) =>
          path === '/passkey/generate-authenticate-options' ? [200, { ...OPTIONS_AUTH, allowCredentials: [{ id: 'AQID', type: 'public-key' }] }] : defaultAnswer(path, body),
        );
        const client = make(f);
        await client.passkey.addPasskey();
        const r = await client.signInPasskey({ autoFill: true });
        const [kind, publicKey, mediation] = authenticator.calls.at(-1);
        return { r, request: [kind, mediation, publicKey.allowCredentials, text(publicKey.challenge)], paths: paths(f) };
      };
      const ours = await run((f) => createClient({ baseURL: 'http://127.0.0.1:9', fetch: f }));
      const theirs = await run((f) => fromBetterAuth(createAuthClient({ baseURL: 'http://127.0.0.1:9', plugins: [passkeyClient()], fetchOptions: { customFetchImpl: f } })));
      assert.deepEqual(ours.r, { ok: true, value: { session: SESSION, user: USER } });
      assert.deepEqual(theirs.r, ours.r);
      assert.deepEqual(ours.request, ['get', 'conditional', [], 'auth-challenge']);
      assert.deepEqual(theirs.request, ours.request);
      assert.deepEqual(theirs.paths, ours.paths);
      assert.deepEqual(ours.paths.slice(2), ['/passkey/generate-authenticate-options', '/passkey/verify-authentication']);
      assert.deepEqual(selectors, ["input[autocomplete$='webauthn']"]);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'document', saved);
      else delete globalThis.document;
    }
  });

  test('a BetterAuth client without passkeyClient(): no passkey calls', () => {
    assert.equal(fromBetterAuth({ signIn: {} }).passkey, undefined);
  });
});

// ---- against the real server ---------------------------------------------------------------------

let server;
let n = 0;
const newEmail = () => `passkey${process.pid}-${++n}@example.com`;
const clients = {
  createClient: (f) => createClient({ baseURL: server.url, fetch: f }),
  fromBetterAuth: (f) =>
    fromBetterAuth(createAuthClient({ baseURL: server.url, plugins: [passkeyClient(), twoFactorClient()], fetchOptions: { customFetchImpl: f } })),
};

describe("passkeys against the real server (--passkey, its rp id the page's host), a software authenticator in the browser's place", () => {
  before(async () => {
    server = await startServer({ passkey: true, passkeyRpId: RP_ID, twoFactor: true, trustedOrigins: [SITE] });
  });
  after(async () => {
    await server?.stop();
  });

  /** A browser (cookies, Origin) with a software authenticator, and a signed-up user in it. */
  async function signedUp(make, options) {
    const authenticator = new SoftAuthenticator(SITE, options);
    uninstall?.();
    uninstall = installWebAuthn(authenticator.credentials);
    const f = browserFetch(SITE);
    const client = make(f);
    const email = newEmail();
    const up = await client.signUp({ name: 'Ada', email, password: PASSWORD });
    assert.equal(up.ok, true, JSON.stringify(up));
    return { client, authenticator, email, user: up.value.user, f };
  }

  for (const [kind, make] of Object.entries(clients)) {
    describe(kind, () => {
      test('add a passkey (named), list it, sign out, sign in with it: the session is the user\'s', async () => {
        const { client, authenticator, user } = await signedUp(make);
        const added = await client.passkey.addPasskey({ name: 'Laptop' });
        assert.equal(added.ok, true, JSON.stringify(added));
        const row = added.value;
        assert.equal(row.name, 'Laptop');
        assert.equal(row.userId, user.id);
        assert.equal(row.credentialID, [...authenticator.keys.keys()][0]);
        assert.equal(row.deviceType, 'singleDevice');
        assert.equal(row.backedUp, false);
        assert.equal(row.transports, 'internal,hybrid');
        assert.equal(row.counter, 1);
        // The COSE key, in standard base64 with padding.
        assert.match(row.publicKey, /^[A-Za-z0-9+/]+=*$/);
        assert.equal(row.publicKey.length % 4, 0);
        // The options the browser was given: the page's host as the rp id, the user's address.
        const [, options] = authenticator.calls[0];
        assert.equal(options.rp.id, RP_ID);
        assert.equal(options.user.name, 'Laptop'); // BetterAuth's: the name asked for, else the address
        assert.equal(options.challenge.byteLength, 32);

        const list = await client.passkey.listUserPasskeys();
        assert.equal(list.ok, true);
        assert.deepEqual(list.value.map((p) => [p.id, p.name]), [[row.id, 'Laptop']]);

        assert.equal((await client.signOut()).ok, true);
        assert.deepEqual(await client.getSession(), { ok: true, value: null });
        const events = [];
        client.subscribe((e) => events.push(e.type));
        const r = await client.signInPasskey();
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.equal(r.value.user.id, user.id);
        assert.equal(typeof r.value.session.token, 'string');
        assert.deepEqual(events, ['session-changed']);
        const session = await client.getSession();
        assert.equal(session.value.user.id, user.id);
        // Signed in: the options name the user's passkeys.
        const [, request] = authenticator.calls.at(-1);
        assert.equal(request.rpId, RP_ID);
        assert.equal(request.allowCredentials, undefined, 'signed out: any passkey of the site');
        // The counter grew.
        const again = await client.passkey.listUserPasskeys();
        assert.equal(again.value[0].counter, 2);
      });

      test("autofill: a passkey picked in the field's autofill signs in (the browser's request conditional, with no allow list)", async () => {
        const { client, authenticator, user } = await signedUp(make);
        assert.equal((await client.passkey.addPasskey({ name: 'Laptop' })).ok, true);
        assert.equal((await client.signOut()).ok, true);
        globalThis.PublicKeyCredential.isConditionalMediationAvailable = async () => true;
        // BetterAuth's client looks for the field whose autocomplete ends in "webauthn".
        globalThis.document = { querySelectorAll: () => [{ autocomplete: 'username webauthn' }] };
        try {
          const events = [];
          client.subscribe((e) => events.push(e.type));
          const r = await client.signInPasskey({ autoFill: true });
          assert.equal(r.ok, true, JSON.stringify(r));
          assert.equal(r.value.user.id, user.id);
          assert.deepEqual(events, ['session-changed']);
          const [kind, request, mediation] = authenticator.calls.at(-1);
          assert.deepEqual([kind, mediation, request.allowCredentials, request.rpId], ['get', 'conditional', [], RP_ID]);
          assert.equal((await client.getSession()).value.user.id, user.id);
        } finally {
          delete globalThis.document;
        }
      });

      test('rename and delete; another user\'s passkey is PASSKEY_NOT_FOUND; a deleted passkey no longer signs in', async () => {
        const { client } = await signedUp(make);
        const { value: row } = await client.passkey.addPasskey();
        assert.equal(row.name ?? null, null);
        const renamed = await client.passkey.updatePasskey({ id: row.id, name: '  Phone  ' });
        assert.equal(renamed.ok, true, JSON.stringify(renamed));
        assert.equal(renamed.value.passkey.name, 'Phone');
        const empty = await client.passkey.updatePasskey({ id: row.id, name: '   ' });
        assert.equal(empty.ok, false);
        assert.equal(empty.status, 400);

        const other = await signedUp(make);
        const theirs = await other.client.passkey.updatePasskey({ id: row.id, name: 'Mine now' });
        assert.deepEqual([theirs.ok, theirs.status, theirs.code], [false, 404, 'PASSKEY_NOT_FOUND']);
        const theirDelete = await other.client.passkey.deletePasskey({ id: row.id });
        assert.deepEqual([theirDelete.ok, theirDelete.status, theirDelete.code], [false, 404, 'PASSKEY_NOT_FOUND']);

        // (The first browser's authenticator again.)
        uninstall();
        uninstall = null;
        const { client: c2, authenticator } = await signedUp(make);
        const { value: mine } = await c2.passkey.addPasskey({ name: 'Key' });
        assert.deepEqual(await c2.passkey.deletePasskey({ id: mine.id }), { ok: true, value: { status: true } });
        assert.deepEqual((await c2.passkey.listUserPasskeys()).value, []);
        await c2.signOut();
        assert.equal(authenticator.keys.size, 1, 'the device still holds it');
        const r = await c2.signInPasskey();
        assert.deepEqual([r.ok, r.status, r.code], [false, 401, 'PASSKEY_NOT_FOUND']);
      });

      test('the same authenticator twice for one account: PREVIOUSLY_REGISTERED in the browser (excludeCredentials)', async () => {
        const { client } = await signedUp(make);
        assert.equal((await client.passkey.addPasskey()).ok, true);
        const again = await client.passkey.addPasskey();
        assert.deepEqual([again.ok, again.status, again.code], [false, 0, 'PREVIOUSLY_REGISTERED']);
      });

      test('signed out, adding is UNAUTHORIZED; a cancelled sign-in sends nothing to verify and leaves the challenge unused', async () => {
        uninstall = installWebAuthn(new SoftAuthenticator(SITE).credentials);
        const client = make(browserFetch(SITE));
        const r = await client.passkey.addPasskey();
        assert.deepEqual([r.ok, r.status, r.code], [false, 401, 'UNAUTHORIZED']);
        const cancelled = await client.signInPasskey();
        assert.deepEqual([cancelled.ok, cancelled.code], [false, 'AUTH_CANCELLED']); // no passkey on the device
      });

      test('with the second factor on: a passkey whose authenticator verified the user signs in; one that did not asks for the code', async () => {
        const { client, authenticator, email } = await signedUp(make);
        const enabled = await client.enableTwoFactor({ password: PASSWORD });
        assert.equal(enabled.ok, true, JSON.stringify(enabled));
        assert.equal((await client.verifyTotp({ code: totp(enabled.value.totpURI) })).ok, true);
        assert.equal((await client.passkey.addPasskey()).ok, true);
        await client.signOut();

        const verified = await client.signInPasskey();
        assert.equal(verified.ok, true, JSON.stringify(verified));
        assert.equal(verified.value.user.email, email);
        assert.equal(verified.value.twoFactorRedirect, undefined);
        await client.signOut();

        authenticator.options.uv = false; // user present, not verified (no PIN, no biometric)
        const presence = await client.signInPasskey();
        assert.equal(presence.ok, true, JSON.stringify(presence));
        assert.equal(presence.value.twoFactorRedirect, true);
        assert.deepEqual(presence.value.twoFactorMethods, ['totp']);
        assert.deepEqual(await client.getSession(), { ok: true, value: null });
        const done = await client.verifyTotp({ code: totp(enabled.value.totpURI, 1) });
        assert.equal(done.ok, true, JSON.stringify(done));
        assert.equal((await client.getSession()).value.user.email, email);
      });

      test('signed in, the options name the user\'s passkeys (allowCredentials); createSession adds a session (the listeners are told)', async () => {
        const { client, user } = await signedUp(make);
        const first = await client.passkey.addPasskey({ name: 'One' });
        // Another authenticator (a security key) for the second.
        const authenticator = new SoftAuthenticator(SITE);
        uninstall();
        uninstall = installWebAuthn(authenticator.credentials);
        const second = await client.passkey.addPasskey({ name: 'Two', createSession: true });
        assert.equal(second.ok, true, JSON.stringify(second));
        assert.equal(authenticator.calls[0][1].excludeCredentials.length, 1, 'the first one excluded');
        assert.equal(second.value.session?.userId, user.id);
        assert.equal(second.value.user?.id, user.id);
        assert.equal(second.value.name, 'Two');
        const list = await client.passkey.listUserPasskeys();
        assert.deepEqual(list.value.map((p) => p.name), ['One', 'Two'], 'oldest first');
        const events = [];
        client.subscribe((e) => events.push(e.type));
        const r = await client.signInPasskey();
        assert.equal(r.ok, true, JSON.stringify(r));
        const [, request] = authenticator.calls.at(-1);
        assert.deepEqual(request.allowCredentials.map((d) => b64url(d.id)).sort(), [first.value.credentialID, second.value.credentialID].sort());
        assert.deepEqual(events, ['session-changed']);
      });

      test("a synced passkey (backup flags): multiDevice, backedUp; an authenticator without a counter signs in again and again", async () => {
        const { client } = await signedUp(make, { backup: true, counter: false });
        const { value: row } = await client.passkey.addPasskey();
        assert.deepEqual([row.deviceType, row.backedUp, row.counter], ['multiDevice', true, 0]);
        for (let i = 0; i < 2; i++) {
          await client.signOut();
          const r = await client.signInPasskey();
          assert.equal(r.ok, true, JSON.stringify(r));
        }
      });
    });
  }

  test('the database: the row as BetterAuth stores it', async () => {
    const { client, user } = await signedUp(clients.createClient);
    const { value: row } = await client.passkey.addPasskey({ name: 'Desk' });
    const [stored] = sql(server.db, `SELECT * FROM passkey WHERE "userId" = '${user.id}'`);
    assert.equal(stored.id, row.id);
    assert.equal(stored.name, 'Desk');
    assert.equal(stored.credentialID, row.credentialID);
    assert.equal(stored.transports, 'internal,hybrid');
    assert.equal(stored.aaguid, '00000000-0000-0000-0000-000000000000');
  });
});

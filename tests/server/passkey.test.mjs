// Passkeys (--passkey): BetterAuth's passkey plugin (@better-auth/passkey 1.7.6) as a browser with
// @simplewebauthn/browser 13 sees it. The authenticator is tests/support/webauthn.mjs, a software
// one (node:crypto keys and signatures; @simplewebauthn/server's CBOR encoder), checked first
// against @simplewebauthn/server itself, so that what Portcullis refuses or accepts below is
// Portcullis's doing. On SQLite, and on PostgreSQL too with PORTCULLIS_TEST_POSTGRES, a BetterAuth
// server with the plugin shares the database and each signs in with the other's passkeys.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { passkey } from '@better-auth/passkey';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { getMigrations } from 'better-auth/db/migration';

import { betterAuthOnPostgres, betterAuthOnSqlite, psql, serveBetterAuth, sqliteCli } from '../support/betterauth.mjs';
import { keyOfURI as keyOf, totp } from '../support/totp.mjs';
import { BIN, Browser, outboxMails, SECRET, sql, startServer, waitFor, withServer } from '../support/server.mjs';
import { attestationObject, Authenticator, b64url, ES256, ES384, EdDSA, fromB64url, RS256, signWith, UV, ZERO_AAGUID } from '../support/webauthn.mjs';
import { errorAsserter } from '../support/assert.mjs';

const APP = 'http://localhost:3000';  // the page's origin: trusted, and the origin in clientDataJSON
const RP_ID = 'localhost';
const PASSKEYS = { passkey: true, passkeyRpId: RP_ID, trustedOrigins: [APP], sessionCacheTtl: 0 };
const PASSWORD = 'passkey test password';
const SESSION = 'better-auth.session_token';
const CHALLENGE = 'better-auth.better-auth-passkey';
const TWO_FACTOR = 'better-auth.two_factor';
const ROW_KEYS = ['aaguid', 'backedUp', 'counter', 'createdAt', 'credentialID', 'deviceType', 'id', 'name', 'publicKey', 'transports', 'userId'];
const MESSAGES = {
  CHALLENGE_NOT_FOUND: 'Challenge not found',
  YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY: 'You are not allowed to register this passkey',
  FAILED_TO_VERIFY_REGISTRATION: 'Failed to verify registration',
  PASSKEY_NOT_FOUND: 'Passkey not found',
  AUTHENTICATION_FAILED: 'Authentication failed',
  UNAUTHORIZED: 'Unauthorized',
  SESSION_NOT_FRESH: 'Session is not fresh',
  INVALID_ORIGIN: 'Invalid origin',
};

let server;  // --passkey, --two-factor, mail to the outbox (so security notices)
before(async () => {
  server = await startServer({ ...PASSKEYS, twoFactor: true, mail: 'outbox' });
});
after(async () => {
  await server?.stop();
});

const assertError = errorAsserter(MESSAGES);

let users = 0;
/**
 * A new user signed up in a browser on the page APP. `authenticator` holds the passkeys they
 * registered (it answers their sign-ins); each registration is made by a new device with the same
 * traits (`authenticator`: Authenticator's options), since an authenticator refuses to register
 * again for a site that excludes one of its credentials.
 */
async function signUp(s = server, { authenticator = {} } = {}) {
  const email = `passkey-${++users}-${process.pid}@example.com`;
  const browser = new Browser(s.api, { origin: APP });
  const up = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password: PASSWORD });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  return { email, browser, id: up.body.user.id, token: up.body.token, authenticator: new Authenticator({ origin: APP, ...authenticator }) };
}

/** The registration options `user`'s browser gets (asserted 200). */
async function registerOptions(user, query = '') {
  const res = await user.browser.get(`/passkey/generate-register-options${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

/** Another device with the traits of `user`'s authenticator. */
const deviceOf = ({ authenticator: a }) => new Authenticator({ origin: a.origin, aaguid: a.aaguid, transports: a.transports,
  attachment: a.attachment, backupEligible: a.backupEligible, backedUp: a.backedUp, userVerifying: a.userVerifying });

/**
 * A registration as startRegistration makes it: options, a new device's credential (`create`: its
 * overrides), and verify-registration with `body` besides the response; the credential joins
 * user.authenticator if it was registered. Returns {options, credential, response, res}.
 */
async function register(user, { create = {}, body = {}, query = '' } = {}) {
  const options = await registerOptions(user, query);
  const challenge = tokenOf(user.browser.jar.get(CHALLENGE));
  const { credential, response } = deviceOf(user).create(options, create);
  const res = await user.browser.post('/passkey/verify-registration', { response, ...body });
  if (res.status === 200 && !create.reuse) user.authenticator.credentials.push(credential);
  return { options, credential, response, res, challenge };
}

/** register(), asserted to succeed; also returns the row (the answer). */
async function registered(user, opts) {
  const r = await register(user, opts);
  assert.equal(r.res.status, 200, JSON.stringify(r.res.body));
  return { ...r, row: r.res.body };
}

/**
 * A passkey sign-in as startAuthentication makes it, in `browser` (a new one, without a session,
 * unless given): authenticate options, the authenticator's assertion (`get`: its overrides), and
 * verify-authentication. Returns {browser, options, response, res}.
 */
async function passkeySignIn(s, authenticator, { browser = new Browser(s.api, { origin: APP }), ...get } = {}) {
  const options = await browser.get('/passkey/generate-authenticate-options');
  assert.equal(options.status, 200, JSON.stringify(options.body));
  const response = authenticator.get(options.body, get);
  const res = await browser.post('/passkey/verify-authentication', { response });
  return { browser, options: options.body, response, res };
}

/** The passkey rows of a user on a SQLite database, oldest first. */
const rows = (db, userId) => sql(db, `select * from passkey where userId = '${userId}' order by createdAt, id`);
const counterOf = (db, id) => sql(db, `select counter from passkey where id = '${id}'`)[0]?.counter;
/** The token a (URL-encoded, signed) cookie value holds. */
const tokenOf = (cookie) => decodeURIComponent(cookie).split('.')[0];
/** The same browser (cookies and all) pointed at another server. */
const sameBrowser = (browser, api) => Object.assign(new Browser(api, { origin: APP }), { jar: browser.jar });

const cli = (db, ...args) => spawnSync(BIN, ['user', ...args, '--database', db], { encoding: 'utf8' });

/** Audit events of the request that got `res` (as tests/server/audit.test.mjs reads them). */
async function audited(s, res) {
  const rid = res.headers.get('x-request-id');
  await waitFor(() => s.logs.some((l) => JSON.parse(l).msg === 'request' && JSON.parse(l).id === rid), { what: `the log line of request ${rid}` });
  return s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'auth' && l.id === rid).map(({ time, id, msg, ...rest }) => rest);
}

// ---------------------------------------------------------------------------------------------

test("the tests' authenticator is right: @simplewebauthn/server verifies what it makes (ES256, EdDSA, RS256) and refuses what it spoils", async () => {
  for (const alg of [ES256, EdDSA, RS256]) {
    const authenticator = new Authenticator({ origin: APP });
    const options = {
      challenge: b64url(randomBytes(32)),
      rp: { id: RP_ID, name: 'Portcullis' },
      user: { id: b64url(Buffer.from('a'.repeat(32))), name: 'u', displayName: 'u' },
      pubKeyCredParams: [EdDSA, ES256, RS256].map((a) => ({ alg: a, type: 'public-key' })),
      extensions: { credProps: true },
    };
    const { credential, response } = authenticator.create(options, { alg });
    const reg = await verifyRegistrationResponse({
      response: JSON.parse(JSON.stringify(response)), expectedChallenge: options.challenge, expectedOrigin: APP, expectedRPID: RP_ID,
      requireUserVerification: false,
    });
    assert.equal(reg.verified, true);
    assert.equal(reg.registrationInfo.credential.id, credential.id);
    assert.deepEqual(Buffer.from(reg.registrationInfo.credential.publicKey), credential.cose);
    assert.equal(reg.registrationInfo.aaguid, ZERO_AAGUID);
    const stored = { id: credential.id, publicKey: reg.registrationInfo.credential.publicKey, counter: 0 };
    const check = async (get) => {
      const challenge = b64url(randomBytes(32));
      const assertion = authenticator.get({ challenge, rpId: RP_ID }, get);
      try {
        const v = await verifyAuthenticationResponse({ response: JSON.parse(JSON.stringify(assertion)), expectedChallenge: challenge,
          expectedOrigin: APP, expectedRPID: RP_ID, credential: stored, requireUserVerification: false });
        if (v.verified) stored.counter = v.authenticationInfo.newCounter;
        return v.verified;
      } catch {
        return false;
      }
    };
    assert.equal(await check({}), true, `${alg}: an assertion`);
    assert.equal(await check({}), true, `${alg}: and the next`);
    assert.equal(await check({ signature: signWith(credential, randomBytes(37)) }), false, `${alg}: the signature of other bytes`);
    assert.equal(await check({ origin: 'https://evil.example' }), false);
    assert.equal(await check({ rpId: 'evil.example' }), false);
    assert.equal(await check({ up: false }), false);
    assert.equal(await check({ counter: stored.counter }), false);
    assert.equal(await check({ type: 'webauthn.create' }), false);
  }
});

test('without --passkey every passkey route answers 404 and writes nothing', async () => {
  await withServer({ trustedOrigins: [APP] }, async (s) => {
    const user = await signUp(s);
    const verifications = () => sql(s.db, 'select count(*) as n from verification')[0].n;
    const before = verifications();
    for (const [method, path, body] of [
      ['GET', '/passkey/generate-register-options'],
      ['POST', '/passkey/verify-registration', { response: {} }],
      ['GET', '/passkey/generate-authenticate-options'],
      ['POST', '/passkey/verify-authentication', { response: {} }],
      ['GET', '/passkey/list-user-passkeys'],
      ['POST', '/passkey/delete-passkey', { id: 'x' }],
      ['POST', '/passkey/update-passkey', { id: 'x', name: 'y' }],
    ]) {
      const res = await user.browser.request(path, { method, body });
      assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.ok(!user.browser.jar.has(CHALLENGE), `${path}: no challenge cookie`);
    }
    assert.equal(verifications(), before, 'no challenge was stored');
  });
});

test("registration options: BetterAuth's shape, a signed challenge cookie, and the challenge kept on the server", async () => {
  const user = await signUp();
  const res = await user.browser.get('/passkey/generate-register-options');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const o = res.body;
  assert.deepEqual(Object.keys(o).sort(),
    ['attestation', 'authenticatorSelection', 'challenge', 'excludeCredentials', 'extensions', 'hints', 'pubKeyCredParams', 'rp', 'timeout', 'user']);
  assert.match(o.challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(fromB64url(o.challenge).length, 32);
  assert.deepEqual(o.rp, { name: 'Portcullis', id: RP_ID });
  assert.deepEqual(Object.keys(o.user).sort(), ['displayName', 'id', 'name']);
  assert.match(fromB64url(o.user.id).toString('latin1'), /^[a-z0-9]{32}$/, 'the user handle: 32 random characters, not the user id');
  assert.equal(b64url(fromB64url(o.user.id)), o.user.id, 'base64url without padding');
  assert.ok(!fromB64url(o.user.id).toString('latin1').includes(user.id));
  assert.equal(o.user.name, user.email);
  assert.equal(o.user.displayName, user.email);
  assert.deepEqual(o.pubKeyCredParams, [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }, { alg: -257, type: 'public-key' }]);
  assert.equal(o.timeout, 60000);
  assert.equal(o.attestation, 'none');
  assert.deepEqual(o.excludeCredentials, []);
  assert.deepEqual(o.authenticatorSelection, { residentKey: 'preferred', userVerification: 'preferred', requireResidentKey: false });
  assert.deepEqual(o.extensions, { credProps: true });
  assert.deepEqual(o.hints, []);

  // The cookie: a random token, signed as the session cookie is; five minutes; HttpOnly.
  const [line, ...others] = res.headers.getSetCookie().filter((c) => c.startsWith(`${CHALLENGE}=`));
  assert.equal(others.length, 0);
  const attributes = line.split(';').slice(1).map((a) => a.trim().toLowerCase()).sort();
  assert.deepEqual(attributes, ['httponly', 'max-age=300', 'path=/', 'samesite=lax']);
  const [token, signature] = decodeURIComponent(user.browser.jar.get(CHALLENGE)).split('.');
  assert.match(token, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(signature, createHmac('sha256', SECRET).update(token).digest('base64'));
  const [row] = sql(server.db, `select * from verification where identifier = '${token}'`);
  const value = JSON.parse(row.value);
  assert.equal(value.type, 'registration');
  assert.equal(value.expectedChallenge, o.challenge);
  assert.equal(value.userData.id, user.id);
  const expires = Date.parse(row.expiresAt) - Date.now();
  assert.ok(expires > 290e3 && expires <= 300e3, `expires in 300 s: ${row.expiresAt}`);

  // A new challenge each time; ?name= names the credential's user; ?authenticatorAttachment= is passed on.
  const again = await registerOptions(user, `?name=${encodeURIComponent('Ada at work')}&authenticatorAttachment=cross-platform`);
  assert.notEqual(again.challenge, o.challenge);
  assert.notEqual(tokenOf(user.browser.jar.get(CHALLENGE)), token);
  assert.equal(again.user.name, 'Ada at work');
  assert.equal(again.user.displayName, user.email);
  assert.deepEqual(again.authenticatorSelection,
    { residentKey: 'preferred', userVerification: 'preferred', requireResidentKey: false, authenticatorAttachment: 'cross-platform' });
  assert.equal((await registerOptions(user, '?authenticatorAttachment=platform')).authenticatorSelection.authenticatorAttachment, 'platform');
  assertError(await user.browser.get('/passkey/generate-register-options?authenticatorAttachment=usb'), 400, 'VALIDATION_ERROR');

  // A session is needed, and a fresh one.
  const stranger = new Browser(server.api, { origin: APP });
  assertError(await stranger.get('/passkey/generate-register-options'), 401, 'UNAUTHORIZED');
  assert.ok(!stranger.jar.has(CHALLENGE));
  sql(server.db, `update session set createdAt = '${new Date(Date.now() - 86400e3 - 1000).toISOString()}' where token = '${user.token}'`);
  assertError(await user.browser.get('/passkey/generate-register-options'), 403, 'SESSION_NOT_FRESH');
});

test('the relying party: its id defaults to the host name of baseURL, its name to appName; both can be set. Over https the cookie is __Secure-', async () => {
  const SITE = 'https://auth.example.com';
  const user = async (s) => {
    const browser = new Browser(s.api, { origin: SITE });
    const up = await browser.post('/sign-up/email', { name: 'Rita', email: `rp-${++users}@example.com`, password: PASSWORD });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    return browser;
  };
  await withServer({ passkey: true, baseURL: SITE, appName: 'Acme Books' }, async (s) => {
    const browser = await user(s);
    const options = await browser.get('/passkey/generate-register-options');
    assert.equal(options.status, 200, JSON.stringify(options.body));
    assert.deepEqual(options.body.rp, { name: 'Acme Books', id: 'auth.example.com' });
    const [cookie] = options.headers.getSetCookie().filter((c) => c.includes('better-auth-passkey='));
    assert.ok(cookie.startsWith('__Secure-better-auth.better-auth-passkey='), cookie);
    assert.match(cookie, /; Secure(;|$)/i);
    assert.equal((await browser.get('/passkey/generate-authenticate-options')).body.rpId, 'auth.example.com');
  });
  await withServer({ passkey: true, baseURL: SITE, passkeyRpId: 'example.com', passkeyRpName: 'Acme' }, async (s) => {
    const browser = await user(s);
    assert.deepEqual((await browser.get('/passkey/generate-register-options')).body.rp, { name: 'Acme', id: 'example.com' });
    assert.equal((await browser.get('/passkey/generate-authenticate-options')).body.rpId, 'example.com');
  });
});

test('register ES256, EdDSA and RS256 passkeys: verify-registration answers the row; list-user-passkeys, oldest first; excludeCredentials names them', async () => {
  const user = await signUp();
  const made = [];
  for (const [alg, name] of [[ES256, '  Phone  '], [EdDSA, 'Laptop'], [RS256, 'Security key']]) {
    const started = Date.now();
    const { credential, row, res } = await registered(user, { create: { alg }, body: { name } });
    assert.deepEqual(Object.keys(row).sort(), ROW_KEYS);
    assert.match(row.id, /^[A-Za-z0-9_-]{16,}$/);
    assert.equal(row.name, name.trim(), 'trimmed');
    assert.equal(row.userId, user.id);
    assert.equal(row.credentialID, credential.id, 'base64url, no padding');
    assert.equal(row.publicKey, credential.cose.toString('base64'), 'the COSE key, standard base64 with padding');
    assert.equal(row.counter, 0);
    assert.equal(row.deviceType, 'multiDevice');
    assert.equal(row.backedUp, true);
    assert.equal(row.transports, 'internal,hybrid');
    assert.equal(row.aaguid, ZERO_AAGUID);
    assert.ok(Date.parse(row.createdAt) >= started - 1000 && Date.parse(row.createdAt) <= Date.now() + 1000, row.createdAt);
    assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`)), 'no new session without createSession');
    const [stored] = sql(server.db, `select * from passkey where id = '${row.id}'`);
    assert.deepEqual({ ...stored, backedUp: stored.backedUp === 1 }, row, 'the answer is the row');
    made.push({ row, credential });
  }
  const listed = await user.browser.get('/passkey/list-user-passkeys');
  assert.equal(listed.status, 200);
  const oldestFirst = made.map((m) => m.row).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.id < b.id ? -1 : 1));
  assert.deepEqual(listed.body, oldestFirst);

  // The next options exclude the three, and the authenticator that holds them refuses to make another.
  const options = await registerOptions(user);
  const byId = (a, b) => (a.id < b.id ? -1 : 1);
  assert.deepEqual([...options.excludeCredentials].sort(byId),
    made.map((m) => ({ id: m.credential.id, transports: ['internal', 'hybrid'], type: 'public-key' })).sort(byId));
  assert.throws(() => user.authenticator.create(options), { name: 'InvalidStateError' });

  // Someone else's list is theirs alone.
  const other = await signUp();
  assert.deepEqual((await other.browser.get('/passkey/list-user-passkeys')).body, []);
  assert.deepEqual((await registerOptions(other)).excludeCredentials, []);
  assertError(await new Browser(server.api, { origin: APP }).get('/passkey/list-user-passkeys'), 401, 'UNAUTHORIZED');
});

test('what the authenticator reports is kept: a single-device key, its AAGUID, its transports; an attestation format is not checked', async () => {
  const aaguid = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
  const user = await signUp(undefined, { authenticator: { aaguid, transports: ['usb', 'nfc'], attachment: 'cross-platform', backupEligible: false, backedUp: false } });
  const { row } = await registered(user, { create: { alg: ES256 } });
  assert.equal(row.deviceType, 'singleDevice');
  assert.equal(row.backedUp, false);
  assert.equal(row.aaguid, aaguid);
  assert.equal(row.transports, 'usb,nfc');
  assert.equal(row.name ?? null, null, 'no name given');
  const packed = await registered(user, { create: { fmt: 'packed', attStmt: new Map([['alg', ES256], ['sig', new Uint8Array(randomBytes(70))]]) } });
  assert.equal(packed.row.userId, user.id, 'attestation "none" was asked for; another format\'s statement is ignored');
  const options = await user.browser.get('/passkey/generate-authenticate-options');
  assert.deepEqual([...options.body.allowCredentials].sort((a, b) => (a.id < b.id ? -1 : 1)),
    [row.credentialID, packed.row.credentialID].sort().map((id) => ({ id, transports: ['usb', 'nfc'], type: 'public-key' })),
    'a signed-in user is offered their own passkeys');
});

test('update-passkey renames, delete-passkey deletes: the owner only', async () => {
  const owner = await signUp();
  const { row } = await registered(owner, { body: { name: 'Old name' } });
  const renamed = await owner.browser.post('/passkey/update-passkey', { id: row.id, name: '  New name  ' });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.deepEqual(renamed.body, { passkey: { ...row, name: 'New name' } });
  assert.equal((await owner.browser.get('/passkey/list-user-passkeys')).body[0].name, 'New name');
  for (const name of ['', '   ']) assertError(await owner.browser.post('/passkey/update-passkey', { id: row.id, name }), 400, 'VALIDATION_ERROR');
  assertError(await owner.browser.post('/passkey/update-passkey', { id: row.id, name: 'n'.repeat(129) }), 400, 'NAME_TOO_LONG');
  assertError(await owner.browser.post('/passkey/update-passkey', { id: row.id, name: 'Tab\there' }), 400, 'INVALID_NAME');
  assertError(await owner.browser.post('/passkey/update-passkey', { id: row.id }), 400, 'VALIDATION_ERROR');
  assertError(await owner.browser.post('/passkey/update-passkey', { id: row.id, name: 'x', userId: 'someone' }), 400, 'VALIDATION_ERROR');
  assertError(await owner.browser.post('/passkey/update-passkey', { id: 'no-such-passkey', name: 'x' }), 404, 'PASSKEY_NOT_FOUND');
  assert.equal(rows(server.db, owner.id)[0].name, 'New name');

  // Another user: 404, as for a passkey that does not exist; nothing changes.
  const other = await signUp();
  const before = rows(server.db, owner.id);
  assertError(await other.browser.post('/passkey/update-passkey', { id: row.id, name: 'Stolen' }), 404, 'PASSKEY_NOT_FOUND');
  assertError(await other.browser.post('/passkey/delete-passkey', { id: row.id }), 404, 'PASSKEY_NOT_FOUND');
  const anonymous = new Browser(server.api, { origin: APP });
  assertError(await anonymous.post('/passkey/update-passkey', { id: row.id, name: 'x' }), 401, 'UNAUTHORIZED');
  assertError(await anonymous.post('/passkey/delete-passkey', { id: row.id }), 401, 'UNAUTHORIZED');
  assert.deepEqual(rows(server.db, owner.id), before, "the owner's passkey is unchanged");
  assert.equal((await passkeySignIn(server, owner.authenticator)).res.status, 200, 'and still signs in');

  assertError(await owner.browser.post('/passkey/delete-passkey', {}), 400, 'VALIDATION_ERROR');
  assertError(await owner.browser.post('/passkey/delete-passkey', { id: 'no-such-passkey' }), 404, 'PASSKEY_NOT_FOUND');
  const deleted = await owner.browser.post('/passkey/delete-passkey', { id: row.id });
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.body, { status: true });
  assert.deepEqual(rows(server.db, owner.id), []);
  assert.deepEqual((await owner.browser.get('/passkey/list-user-passkeys')).body, []);
  assertError(await owner.browser.post('/passkey/delete-passkey', { id: row.id }), 404, 'PASSKEY_NOT_FOUND');
  assertError((await passkeySignIn(server, owner.authenticator)).res, 401, 'PASSKEY_NOT_FOUND');
});

test('sign-in with a passkey: authenticate options, then a session that get-session accepts; the counter grows', async () => {
  const user = await signUp();
  const { row, credential } = await registered(user, { create: { alg: EdDSA } });

  const { browser, options, res } = await passkeySignIn(server, user.authenticator);
  assert.deepEqual(Object.keys(options).sort(), ['challenge', 'rpId', 'timeout', 'userVerification'], 'no allowCredentials without a session');
  assert.equal(options.rpId, RP_ID);
  assert.equal(fromB64url(options.challenge).length, 32);
  assert.equal(options.timeout, 60000);
  assert.equal(options.userVerification, 'preferred');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['session', 'user']);
  assert.equal(res.body.user.id, user.id);
  assert.equal(res.body.user.email, user.email);
  assert.equal(res.body.session.userId, user.id);
  assert.ok(browser.jar.has(SESSION), 'a session cookie');
  assert.equal(tokenOf(browser.jar.get(SESSION)), res.body.session.token);
  const session = await browser.get('/get-session');
  assert.equal(session.body.user.id, user.id);
  assert.equal(session.body.session.token, res.body.session.token);
  assert.equal(counterOf(server.db, row.id), 1);
  assert.equal(credential.counter, 1);

  const second = await passkeySignIn(server, user.authenticator);
  assert.equal(second.res.status, 200);
  assert.notEqual(second.res.body.session.token, res.body.session.token, 'a session of its own');
  assert.equal(counterOf(server.db, row.id), 2);
  const jumped = await passkeySignIn(server, user.authenticator, { counter: 1000 });
  assert.equal(jumped.res.status, 200, 'a counter may jump');
  assert.equal(counterOf(server.db, row.id), 1000);

  // Signed in, the options name the user's passkeys.
  const mine = await user.browser.get('/passkey/generate-authenticate-options');
  assert.deepEqual(mine.body.allowCredentials, [{ id: credential.id, transports: ['internal', 'hybrid'], type: 'public-key' }]);
});

test('a replayed assertion fails (the challenge is used up); so does one whose counter did not grow; a counter kept at 0 is fine', async () => {
  const user = await signUp();
  const { row, credential } = await registered(user);
  const first = await passkeySignIn(server, user.authenticator);
  assert.equal(first.res.status, 200);

  // The same request again: the challenge was consumed.
  const replay = await first.browser.post('/passkey/verify-authentication', { response: first.response });
  assertError(replay, 400, 'CHALLENGE_NOT_FOUND');
  // The same assertion against a new challenge: it signed the old one.
  const elsewhere = new Browser(server.api, { origin: APP });
  assert.equal((await elsewhere.get('/passkey/generate-authenticate-options')).status, 200);
  assertError(await elsewhere.post('/passkey/verify-authentication', { response: first.response }), 401, 'AUTHENTICATION_FAILED');
  assert.ok(!elsewhere.jar.has(SESSION));

  // A cloned authenticator: its counter is not past the stored one.
  assert.equal(counterOf(server.db, row.id), 1);
  for (const counter of [1, 0]) {
    const cloned = await passkeySignIn(server, user.authenticator, { counter });
    assertError(cloned.res, 401, 'AUTHENTICATION_FAILED');
    assert.ok(!cloned.browser.jar.has(SESSION));
  }
  assert.equal(counterOf(server.db, row.id), 1, 'unchanged');
  assert.equal((await passkeySignIn(server, user.authenticator, { counter: 2 })).res.status, 200);

  // Synced passkeys often keep the counter at 0: each sign-in works, and it stays 0.
  const synced = await signUp();
  const zero = await registered(synced);
  for (let i = 0; i < 2; i++) assert.equal((await passkeySignIn(server, synced.authenticator, { counter: 0 })).res.status, 200);
  assert.equal(counterOf(server.db, zero.row.id), 0);
});

/**
 * Signature counters past 2^31 - 1 (an authenticator may start high) on server `s`, whose
 * passkey.counter column `columnOf(id)` reads: BetterAuth's integer, which PostgreSQL keeps in 32
 * signed bits, so the column holds the counter's 32 bits as a signed integer. It still has to grow.
 */
async function countersPast2to31(s, columnOf) {
  const user = await signUp(s);
  const { row } = await registered(user, { create: { counter: 3_000_000_000 } });
  assert.equal(columnOf(row.id), 3_000_000_000 - 2 ** 32);
  assertError((await passkeySignIn(s, user.authenticator, { counter: 3_000_000_000 })).res, 401, 'AUTHENTICATION_FAILED');
  assertError((await passkeySignIn(s, user.authenticator, { counter: 5 })).res, 401, 'AUTHENTICATION_FAILED');
  assert.equal((await passkeySignIn(s, user.authenticator, { counter: 3_000_000_001 })).res.status, 200);
  assert.equal(columnOf(row.id), 3_000_000_001 - 2 ** 32);
  assert.equal((await passkeySignIn(s, user.authenticator, { counter: 2 ** 32 - 1 })).res.status, 200);
  assert.equal(columnOf(row.id), -1);
  assertError((await passkeySignIn(s, user.authenticator, { counter: 2 ** 32 - 1 })).res, 401, 'AUTHENTICATION_FAILED');
}

test('a signature counter past 2^31 - 1 is stored as BetterAuth\'s integer column holds 32 bits, and must still grow', async () => {
  await countersPast2to31(server, (id) => counterOf(server.db, id));
});

test('a wrong origin, rp id, challenge, type, signature or user-presence flag fails 401 AUTHENTICATION_FAILED, starts no session, and uses the challenge up', async () => {
  const user = await signUp();
  const { row, credential } = await registered(user, { create: { alg: ES256 } });
  const rsa = await registered(user, { create: { alg: RS256 } });
  const spoiled = {
    'another origin': { origin: 'https://evil.example' },
    'the origin of the API, not the page': { origin: server.url },
    'another rp id': { rpId: 'example.com' },
    'another challenge': { challenge: b64url(randomBytes(32)) },
    'the registration type': { type: 'webauthn.create' },
    'a signature of other bytes': { signature: signWith(credential, randomBytes(64)) },
    'a signature that is not DER': { signature: randomBytes(64) },
    'no signature': { signature: Buffer.alloc(0) },
    'user presence not set': { up: false },
    'the other credential\'s signature': { signature: signWith(rsa.credential, randomBytes(64)) },
  };
  for (const [what, get] of Object.entries(spoiled)) {
    const before = counterOf(server.db, row.id);
    const { browser, options, res } = await passkeySignIn(server, user.authenticator, { credential, ...get });
    assertError(res, 401, 'AUTHENTICATION_FAILED');
    assert.ok(!browser.jar.has(SESSION), `${what}: no session`);
    assert.equal(counterOf(server.db, row.id), before, `${what}: the counter is unchanged`);
    // The challenge is gone: a good assertion over it now fails too.
    const good = user.authenticator.get(options, { credential });
    assertError(await browser.post('/passkey/verify-authentication', { response: good }), 400, 'CHALLENGE_NOT_FOUND');
  }

  // authenticatorData changed after signing (user verification claimed afterwards).
  const browser = new Browser(server.api, { origin: APP });
  const fresh = await browser.get('/passkey/generate-authenticate-options');
  const good = user.authenticator.get(fresh.body, { credential, uv: false });
  const data = fromB64url(good.response.authenticatorData);
  data[32] |= UV;
  const forged = await browser.post('/passkey/verify-authentication', { response: { ...good, response: { ...good.response, authenticatorData: b64url(data) } } });
  assertError(forged, 401, 'AUTHENTICATION_FAILED');
  assert.ok(!browser.jar.has(SESSION));

  // A missing user handle is fine (a non-discoverable credential has none).
  assert.equal((await passkeySignIn(server, user.authenticator, { credential, userHandle: null })).res.status, 200);
});

test('401 PASSKEY_NOT_FOUND for an unknown credential; 400 CHALLENGE_NOT_FOUND without a challenge, with a forged, expired or registration one', async () => {
  const user = await signUp();
  const { credential } = await registered(user);

  const stranger = new Authenticator({ origin: APP });
  stranger.make({ rpId: RP_ID });
  const unknown = await passkeySignIn(server, stranger);
  assertError(unknown.res, 401, 'PASSKEY_NOT_FOUND');
  assert.ok(!unknown.browser.jar.has(SESSION));

  // No challenge cookie at all.
  const options = await new Browser(server.api, { origin: APP }).get('/passkey/generate-authenticate-options');
  const noCookie = new Browser(server.api, { origin: APP });
  assertError(await noCookie.post('/passkey/verify-authentication', { response: user.authenticator.get(options.body) }), 400, 'CHALLENGE_NOT_FOUND');

  // A cookie whose signature is not the server's; one naming a challenge that expired.
  for (const spoil of [
    (b) => b.jar.set(CHALLENGE, encodeURIComponent(`${tokenOf(b.jar.get(CHALLENGE))}.${createHmac('sha256', 'another secret').update('x').digest('base64')}`)),
    (b) => b.jar.set(CHALLENGE, encodeURIComponent(`${'a'.repeat(32)}.${createHmac('sha256', SECRET).update('a'.repeat(32)).digest('base64')}`)),
    (b) => sql(server.db, `update verification set expiresAt = '${new Date(Date.now() - 1000).toISOString()}' where identifier = '${tokenOf(b.jar.get(CHALLENGE))}'`),
  ]) {
    const browser = new Browser(server.api, { origin: APP });
    const got = await browser.get('/passkey/generate-authenticate-options');
    spoil(browser);
    assertError(await browser.post('/passkey/verify-authentication', { response: user.authenticator.get(got.body) }), 400, 'CHALLENGE_NOT_FOUND');
    assert.ok(!browser.jar.has(SESSION));
  }

  // A registration's challenge does not sign in, even with an assertion over it ...
  const reg = await registerOptions(user);
  const asRegistration = user.authenticator.get({ challenge: reg.challenge, rpId: RP_ID }, { credential });
  assertError(await user.browser.post('/passkey/verify-authentication', { response: asRegistration }), 400, 'CHALLENGE_NOT_FOUND');
  // ... and a sign-in's challenge registers nothing.
  const auth = await user.browser.get('/passkey/generate-authenticate-options');
  const { response } = user.authenticator.create({ ...reg, challenge: auth.body.challenge, excludeCredentials: [] });
  assertError(await user.browser.post('/passkey/verify-registration', { response }), 400, 'CHALLENGE_NOT_FOUND');
  assert.equal(rows(server.db, user.id).length, 1);
});

test('the Origin header: verify routes refuse an untrusted one (403), and clientDataJSON must name the trusted one sent', async () => {
  const user = await signUp();
  await registered(user);
  const got = await user.browser.get('/passkey/generate-authenticate-options');
  const assertion = user.authenticator.get(got.body, { origin: 'https://evil.example' });
  const res = await user.browser.post('/passkey/verify-authentication', { response: assertion }, { origin: 'https://evil.example' });
  assertError(res, 403, 'INVALID_ORIGIN');
  const options = await registerOptions(user);
  const { response } = deviceOf(user).create(options, { origin: 'https://evil.example' });
  assertError(await user.browser.post('/passkey/verify-registration', { response }, { origin: 'https://evil.example' }), 403, 'INVALID_ORIGIN');
  assert.equal(rows(server.db, user.id).length, 1);
});

describe('registration refused', () => {
  test('without a session: 401, and nothing is stored', async () => {
    const user = await signUp();
    const options = await registerOptions(user);
    const { response } = user.authenticator.create(options);
    const anonymous = new Browser(server.api, { origin: APP });
    anonymous.jar.set(CHALLENGE, user.browser.jar.get(CHALLENGE));  // even with the user's challenge
    assertError(await anonymous.post('/passkey/verify-registration', { response }), 401, 'UNAUTHORIZED');
    assert.deepEqual(rows(server.db, user.id), []);
  });

  test("with a challenge another user started: 401 YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY", async () => {
    const victim = await signUp();
    const attacker = await signUp();
    const options = await registerOptions(victim);
    attacker.browser.jar.set(CHALLENGE, victim.browser.jar.get(CHALLENGE));
    const { response } = attacker.authenticator.create(options);
    assertError(await attacker.browser.post('/passkey/verify-registration', { response }), 401, 'YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY');
    assert.deepEqual(rows(server.db, victim.id), []);
    assert.deepEqual(rows(server.db, attacker.id), []);
  });

  test('a credential id already registered, by the same user or another: 400 FAILED_TO_VERIFY_REGISTRATION; the first row stays', async () => {
    const first = await signUp();
    const { credential } = await registered(first);
    const before = rows(server.db, first.id);
    const again = await register(first, { create: { reuse: credential } });
    assertError(again.res, 400, 'FAILED_TO_VERIFY_REGISTRATION');
    const second = await signUp();
    const theirs = await register(second, { create: { reuse: credential } });
    assertError(theirs.res, 400, 'FAILED_TO_VERIFY_REGISTRATION');
    assert.deepEqual(rows(server.db, first.id), before);
    assert.deepEqual(rows(server.db, second.id), []);
    assert.equal(sql(server.db, `select count(*) as n from passkey where credentialID = '${credential.id}'`)[0].n, 1);
  });

  test('a response that does not verify: 400 FAILED_TO_VERIFY_REGISTRATION', async () => {
    const user = await signUp();
    const cases = {
      'another origin': { origin: 'https://evil.example' },
      'another rp id': { rpId: 'example.com' },
      'another challenge': { challenge: b64url(randomBytes(32)) },
      'the sign-in type': { type: 'webauthn.get' },
      'user presence not set': { up: false },
      'a key of an algorithm not offered (ES384)': { alg: ES384, force: true },
      'an RSA key of 1024 bits': { alg: RS256, modulusLength: 1024 },
    };
    for (const [what, create] of Object.entries(cases)) {
      const { res, challenge } = await register(user, { create });
      assert.equal(res.body.code, 'FAILED_TO_VERIFY_REGISTRATION', `${what}: ${JSON.stringify(res.body)}`);
      assertError(res, 400, 'FAILED_TO_VERIFY_REGISTRATION');
      assert.deepEqual(sql(server.db, `select * from verification where identifier = '${challenge}'`), [], `${what}: the challenge is used up`);
    }
    assert.deepEqual(rows(server.db, user.id), []);
  });

  test('malformed bodies: 400 with a stable code, no crash, nothing stored', async () => {
    const user = await signUp();
    // Each body is sent with a challenge of its own, made for a good response that it spoils.
    const send = async (spoil) => {
      const options = await registerOptions(user);
      const { response } = deviceOf(user).create(options);
      const body = spoil(structuredClone(response));
      return user.browser.request('/passkey/verify-registration', { method: 'POST', body });
    };
    const aObj = (r) => isoCBOR.decodeFirst(fromB64url(r.response.attestationObject));
    const withAttestation = (r, object) => ({ response: { ...r, response: { ...r.response, attestationObject: b64url(object) } } });
    // The body's shape: VALIDATION_ERROR (BetterAuth's zod wording, as the other routes).
    const shape = {
      'a name that is a number': (r) => ({ response: r, name: 42 }),
      'createSession as text': (r) => ({ response: r, createSession: 'yes' }),
      'an unknown field': (r) => ({ response: r, userId: 'someone-else' }),
    };
    for (const [what, spoil] of Object.entries(shape)) {
      const res = await send(spoil);
      assert.equal(res.body.code, 'VALIDATION_ERROR', `${what}: ${res.status} ${JSON.stringify(res.body)}`);
      assertError(res, 400, 'VALIDATION_ERROR');
    }
    assertError(await send((r) => JSON.stringify({ response: r }).slice(0, 50)), 400, 'BAD_REQUEST');
    assertError(await send(() => '[1,2,3]'), 400, 'BODY_MUST_BE_AN_OBJECT');
    // The response's members of the wrong type: refused, as the body's shape or as a response that
    // does not verify.
    const types = {
      'no response': () => ({}),
      'a response that is text': () => ({ response: 'garbage' }),
      'a response that is null': () => ({ response: null }),
      'a response that is a list': () => ({ response: [] }),
      'an empty response': () => ({ response: {} }),
      'an id that is a number': (r) => ({ response: { ...r, id: 42 } }),
      'response.response that is text': (r) => ({ response: { ...r, response: 'x' } }),
      'clientDataJSON that is a number': (r) => ({ response: { ...r, response: { ...r.response, clientDataJSON: 42 } } }),
      'attestationObject missing': (r) => ({ response: { ...r, response: { ...r.response, attestationObject: undefined } } }),
      'transports that is text': (r) => ({ response: { ...r, response: { ...r.response, transports: 'usb' } } }),
      'a type that is not public-key': (r) => ({ response: { ...r, type: 'password' } }),
      'id and rawId that differ': (r) => ({ response: { ...r, rawId: b64url(randomBytes(16)) } }),
    };
    for (const [what, spoil] of Object.entries(types)) {
      const res = await send(spoil);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.ok(['VALIDATION_ERROR', 'FAILED_TO_VERIFY_REGISTRATION'].includes(res.body.code), `${what}: ${JSON.stringify(res.body)}`);
    }
    // What the members hold: FAILED_TO_VERIFY_REGISTRATION.
    const content = {
      'clientDataJSON that is not base64url': (r) => ({ response: { ...r, response: { ...r.response, clientDataJSON: '!!!not base64!!!' } } }),
      'clientDataJSON that is not JSON': (r) => ({ response: { ...r, response: { ...r.response, clientDataJSON: b64url(Buffer.from('garbage')) } } }),
      'attestationObject that is not base64url': (r) => ({ response: { ...r, response: { ...r.response, attestationObject: '%%%%' } } }),
      'attestationObject cut in half': (r) => ({ response: { ...r, response: { ...r.response, attestationObject: r.response.attestationObject.slice(0, r.response.attestationObject.length >> 1) } } }),
      'attestationObject of random bytes': (r) => withAttestation(r, randomBytes(200)),
      'attestationObject that is empty': (r) => withAttestation(r, Buffer.alloc(0)),
      'authData cut short': (r) => withAttestation(r, attestationObject({ authData: Buffer.from(aObj(r).get('authData')).subarray(0, 40) })),
      'authData without the attested credential': (r) => {
        const authData = Buffer.from(aObj(r).get('authData')).subarray(0, 37);
        authData[32] &= ~0x40;
        return withAttestation(r, attestationObject({ authData }));
      },
      'a COSE key of random bytes': (r) => {
        const authData = Buffer.from(aObj(r).get('authData'));
        const idLength = authData.readUInt16BE(53);
        return withAttestation(r, attestationObject({ authData: Buffer.concat([authData.subarray(0, 55 + idLength), randomBytes(77)]) }));
      },
      'a credential id longer than the data': (r) => {
        const authData = Buffer.from(aObj(r).get('authData'));
        authData.writeUInt16BE(1023, 53);
        return withAttestation(r, attestationObject({ authData }));
      },
      'an attestation object without authData': (r) => withAttestation(r, isoCBOR.encode(new Map([['fmt', 'none'], ['attStmt', new Map()]]))),
    };
    for (const [what, spoil] of Object.entries(content)) {
      const res = await send(spoil);
      assert.equal(res.body.code, 'FAILED_TO_VERIFY_REGISTRATION', `${what}: ${res.status} ${JSON.stringify(res.body)}`);
      assertError(res, 400, 'FAILED_TO_VERIFY_REGISTRATION');
    }
    // id and rawId naming another credential than the attested one: refused, or the attested one is kept.
    const other = b64url(randomBytes(16));
    const renamed = await send((r) => ({ response: { ...r, id: other, rawId: other } }));
    if (renamed.status === 200) {
      assert.notEqual(renamed.body.credentialID, other, 'the credential id is the one the authenticator attested');
      assert.equal((await user.browser.post('/passkey/delete-passkey', { id: renamed.body.id })).status, 200);
    } else {
      assertError(renamed, 400, 'FAILED_TO_VERIFY_REGISTRATION');
    }
    assert.equal(server.child.exitCode, null, 'the server is still running');
    assert.deepEqual(rows(server.db, user.id), []);
    assert.equal((await register(user)).res.status, 200, 'and a good registration still works');

    // verify-authentication, likewise.
    const signIn = async (spoil) => {
      const browser = new Browser(server.api, { origin: APP });
      const options = await browser.get('/passkey/generate-authenticate-options');
      const response = user.authenticator.get(options.body);
      return browser.request('/passkey/verify-authentication', { method: 'POST', body: spoil(structuredClone(response)) });
    };
    assertError(await signIn(() => ({})), 400, 'VALIDATION_ERROR');
    assertError(await signIn((r) => ({ response: r, extra: true })), 400, 'VALIDATION_ERROR');
    assertError(await signIn(() => ({ response: 'garbage' })), 400, 'VALIDATION_ERROR');
    for (const [what, spoil] of Object.entries({
      'no authenticatorData': (r) => ({ response: { ...r, response: { ...r.response, authenticatorData: undefined } } }),
      'authenticatorData cut short': (r) => ({ response: { ...r, response: { ...r.response, authenticatorData: b64url(fromB64url(r.response.authenticatorData).subarray(0, 20)) } } }),
      'authenticatorData not base64url': (r) => ({ response: { ...r, response: { ...r.response, authenticatorData: '***' } } }),
      'clientDataJSON not JSON': (r) => ({ response: { ...r, response: { ...r.response, clientDataJSON: b64url(Buffer.from('{"type":')) } } }),
      'a signature that is a number': (r) => ({ response: { ...r, response: { ...r.response, signature: 7 } } }),
      'an id that is a number': (r) => ({ response: { ...r, id: 42 } }),
      'a response.response that is a list': (r) => ({ response: { ...r, response: [] } }),
    })) {
      const res = await signIn(spoil);
      assert.ok([400, 401].includes(res.status), `${what}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.ok(['VALIDATION_ERROR', 'AUTHENTICATION_FAILED'].includes(res.body.code), `${what}: ${JSON.stringify(res.body)}`);
    }
    assert.equal(server.child.exitCode, null, 'the server is still running');
    assert.equal((await passkeySignIn(server, user.authenticator)).res.status, 200);
  });

  test('the 26th passkey: 400 TOO_MANY_PASSKEYS, before the browser asks the user; after a deletion there is room again', async () => {
    const user = await signUp();
    const made = [];
    for (let i = 0; i < 25; i++) made.push((await registered(user, { body: { name: `Key ${i}` } })).row);
    assert.equal(rows(server.db, user.id).length, 25);
    const refused = await user.browser.get('/passkey/generate-register-options');
    assertError(refused, 400, 'TOO_MANY_PASSKEYS');
    assert.equal(rows(server.db, user.id).length, 25);
    assert.equal((await user.browser.post('/passkey/delete-passkey', { id: made[0].id })).status, 200);
    assert.equal((await register(user)).res.status, 200);
    assert.equal(rows(server.db, user.id).length, 25);
  });
});

test('the name given at registration follows the rules of a name: at most 128 characters, no control characters', async () => {
  const user = await signUp();
  assertError((await register(user, { body: { name: 'n'.repeat(129) } })).res, 400, 'NAME_TOO_LONG');
  assertError((await register(user, { body: { name: 'Line\nbreak' } })).res, 400, 'INVALID_NAME');
  assert.deepEqual(rows(server.db, user.id), []);
  assert.equal((await registered(user, { body: { name: 'n'.repeat(128) } })).row.name, 'n'.repeat(128));
});

test('createSession: the registration also starts a session, as BetterAuth answers it', async () => {
  const user = await signUp();
  const { res, row } = await registered(user, { body: { createSession: true } });
  assert.equal(res.body.session.userId, user.id);
  assert.equal(res.body.user.id, user.id);
  assert.equal(tokenOf(user.browser.jar.get(SESSION)), res.body.session.token, 'the new session cookie');
  assert.notEqual(res.body.session.token, user.token);
  assert.deepEqual(Object.fromEntries(ROW_KEYS.map((k) => [k, res.body[k]])), Object.fromEntries(ROW_KEYS.map((k) => [k, row[k]])));
  assert.equal((await user.browser.get('/get-session')).body.session.token, res.body.session.token);
});

test('a banned user cannot sign in with a passkey (403 BANNED_USER) until unbanned', async () => {
  const user = await signUp();
  await registered(user);
  assert.equal(cli(server.db, 'ban', '--email', user.email).status, 0);
  const refused = await passkeySignIn(server, user.authenticator);
  assertError(refused.res, 403, 'BANNED_USER');
  assert.ok(!refused.browser.jar.has(SESSION));
  assert.equal(sql(server.db, `select count(*) as n from session where userId = '${user.id}'`)[0].n, 0);
  assert.equal(cli(server.db, 'unban', '--email', user.email).status, 0);
  assert.equal((await passkeySignIn(server, user.authenticator)).res.status, 200);
});

test('with the second factor on: an assertion without user verification asks for the code; one with it signs in', async () => {
  const user = await signUp();
  const enabled = await user.browser.post('/two-factor/enable', { password: PASSWORD });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
  const key = keyOf(enabled.body.totpURI);
  assert.equal((await user.browser.post('/two-factor/verify-totp', { code: totp(key) })).status, 200);
  await registered(user);

  const presence = await passkeySignIn(server, user.authenticator, { uv: false });
  assert.equal(presence.res.status, 200, JSON.stringify(presence.res.body));
  assert.deepEqual(presence.res.body, { twoFactorRedirect: true, twoFactorMethods: ['totp'] });
  assert.ok(!presence.browser.jar.has(SESSION), 'no session yet');
  assert.ok(presence.browser.jar.has(TWO_FACTOR), 'the second-factor challenge cookie');
  assert.deepEqual(await audited(server, presence.res), [{ event: 'two-factor-challenge', user: user.id, ip: '127.0.0.1' }]);
  const done = await presence.browser.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal((await presence.browser.get('/get-session')).body.user.id, user.id);
  assert.deepEqual(await audited(server, done), [{ event: 'sign-in', user: user.id, ip: '127.0.0.1', method: 'passkey+totp' }]);

  const verified = await passkeySignIn(server, user.authenticator, { uv: true });
  assert.equal(verified.res.status, 200);
  assert.equal(verified.res.body.user.id, user.id);
  assert.ok(verified.browser.jar.has(SESSION));
  assert.ok(!verified.browser.jar.has(TWO_FACTOR));
});

test('audit lines: passkey-added, -renamed, -removed; sign-in with method passkey; sign-in-failed; and the notice mail', async () => {
  const user = await signUp();
  const ip = '127.0.0.1';
  const { row, res } = await registered(user, { body: { name: 'Audited' } });
  assert.deepEqual(await audited(server, res), [{ event: 'passkey-added', user: user.id, ip, passkey: row.id }]);
  const mail = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === user.email && m.kind === 'passkey-added'), { what: 'the passkey-added notice' });
  assert.ok(!JSON.stringify(mail).includes(row.publicKey));

  const signIn = await passkeySignIn(server, user.authenticator);
  assert.deepEqual(await audited(server, signIn.res), [{ event: 'sign-in', user: user.id, ip, method: 'passkey' }]);
  const failed = await passkeySignIn(server, user.authenticator, { up: false });
  assert.equal(failed.res.status, 401);
  assert.deepEqual(await audited(server, failed.res), [{ event: 'sign-in-failed', user: user.id, ip, reason: 'passkey' }]);

  const renamed = await user.browser.post('/passkey/update-passkey', { id: row.id, name: 'Renamed' });
  assert.deepEqual(await audited(server, renamed), [{ event: 'passkey-renamed', user: user.id, ip, passkey: row.id }]);
  const removed = await user.browser.post('/passkey/delete-passkey', { id: row.id });
  assert.deepEqual(await audited(server, removed), [{ event: 'passkey-removed', user: user.id, ip, passkey: row.id }]);

  const all = server.logs.join('\n');
  for (const secret of [row.publicKey, signIn.response.response.signature, signIn.res.body.session.token, user.email]) {
    assert.ok(!all.includes(secret), `the log must not hold ${secret}`);
  }
});

test("deleting the user deletes their passkeys: a later assertion is 401 PASSKEY_NOT_FOUND", async () => {
  const user = await signUp();
  await registered(user);
  await registered(user, { create: { alg: EdDSA } });
  assert.equal(rows(server.db, user.id).length, 2);
  const deleted = await user.browser.post('/delete-user', {});
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.deepEqual(rows(server.db, user.id), []);
  for (const credential of user.authenticator.credentials) {
    const res = await passkeySignIn(server, user.authenticator, { credential });
    assertError(res.res, 401, 'PASSKEY_NOT_FOUND');
  }
});

test('with --require-email-verification an unverified address cannot sign in with a passkey (403 EMAIL_NOT_VERIFIED)', async () => {
  await withServer({ ...PASSKEYS, requireEmailVerification: true, mail: 'outbox' }, async (s) => {
    const email = `unverified-${process.pid}@example.com`;
    assert.equal((await new Browser(s.api, { origin: APP }).post('/sign-up/email', { name: 'Una', email, password: PASSWORD })).status, 200);
    const [{ id }] = sql(s.db, `select id from "user" where email = '${email}'`);
    sql(s.db, `update "user" set emailVerified = 1 where id = '${id}'`);
    const browser = new Browser(s.api, { origin: APP });
    assert.equal((await browser.post('/sign-in/email', { email, password: PASSWORD })).status, 200);
    const user = { browser, id, email, authenticator: new Authenticator({ origin: APP }) };
    await registered(user);
    sql(s.db, `update "user" set emailVerified = 0 where id = '${id}'`);
    const refused = await passkeySignIn(s, user.authenticator);
    assertError(refused.res, 403, 'EMAIL_NOT_VERIFIED');
    assert.ok(!refused.browser.jar.has(SESSION));
    sql(s.db, `update "user" set emailVerified = 1 where id = '${id}'`);
    assert.equal((await passkeySignIn(s, user.authenticator)).res.status, 200);
  });
});

test("whoever set up an unverified account loses its passkeys when the address's owner signs in by mailed code", async () => {
  await withServer({ ...PASSKEYS, emailOtp: true, mail: 'outbox' }, async (s) => {
    const squatter = await signUp(s);
    await registered(squatter);
    const mails = () => outboxMails(s.outbox).filter((m) => m.to === squatter.email && m.kind === 'email-otp-sign-in');
    const sent = await new Browser(s.api, { origin: APP }).post('/email-otp/send-verification-otp', { email: squatter.email, type: 'sign-in' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const mail = await waitFor(() => mails()[0], { what: 'the sign-in code' });
    const otp = mail.text.match(/\b\d{6}\b/)[0];
    const owner = new Browser(s.api, { origin: APP });
    assert.equal((await owner.post('/sign-in/email-otp', { email: squatter.email, otp })).status, 200);
    assert.deepEqual(rows(s.db, squatter.id), []);
    assertError((await passkeySignIn(s, squatter.authenticator)).res, 401, 'PASSKEY_NOT_FOUND');
  });
});

test("BetterAuth's rate limit (100 requests in 10 s per address) covers the passkey routes", async () => {
  await withServer({ ...PASSKEYS, rateLimit: true }, async (s) => {
    const browser = new Browser(s.api, { origin: APP });
    for (let i = 0; i < 100; i++) assert.equal((await browser.get('/passkey/generate-authenticate-options')).status, 200, `request ${i + 1}`);
    assert.equal((await browser.get('/passkey/generate-authenticate-options')).status, 429);
  });
});

// ---- A database shared with BetterAuth and its passkey plugin -----------------------------------

const betterAuthPasskey = () => passkey({ rpID: RP_ID, rpName: 'Portcullis', origin: APP });
const BETTER_AUTH_OPTIONS = { baseURL: APP, trustedOrigins: [APP] };

/**
 * Portcullis (`portcullis`) and BetterAuth (`betterAuth`: {api}) on one database: a passkey
 * registered through either signs in on the other, and both list, rename and delete the same rows.
 * `count(credentialID)` counts the rows of a credential id.
 */
async function sharedDatabase(portcullis, betterAuth, count) {
  const user = await signUp(portcullis);
  const onBetterAuth = sameBrowser(user.browser, betterAuth.api);  // the same browser, so the same session cookie

  // Registered through Portcullis; BetterAuth lists the same row and excludes the credential.
  const ours = await registered(user, { create: { alg: ES256 }, body: { name: 'Registered by Portcullis' } });
  const theirList = await onBetterAuth.get('/passkey/list-user-passkeys');
  assert.equal(theirList.status, 200, JSON.stringify(theirList.body));
  assert.deepEqual(theirList.body, [ours.row], "BetterAuth reads Portcullis's row as Portcullis answered it");
  const theirOptions = await onBetterAuth.get('/passkey/generate-register-options');
  assert.deepEqual(theirOptions.body.excludeCredentials, [{ id: ours.credential.id, transports: ['internal', 'hybrid'], type: 'public-key' }]);

  // ... and signs in on BetterAuth, whose session Portcullis accepts.
  const there = await passkeySignIn(betterAuth, user.authenticator, { credential: ours.credential, browser: new Browser(betterAuth.api, { origin: APP }) });
  assert.equal(there.res.status, 200, JSON.stringify(there.res.body));
  assert.equal(there.res.body.user.id, user.id);
  assert.equal((await sameBrowser(there.browser, portcullis.api).get('/get-session')).body.user.id, user.id);
  // BetterAuth stored counter 1: Portcullis takes 2, and refuses 1 again.
  assertError((await passkeySignIn(portcullis, user.authenticator, { credential: ours.credential, counter: 1 })).res, 401, 'AUTHENTICATION_FAILED');
  assert.equal((await passkeySignIn(portcullis, user.authenticator, { credential: ours.credential, counter: 2 })).res.status, 200);

  // Registered through BetterAuth (EdDSA); Portcullis lists the row as BetterAuth answered it ...
  const { credential, response } = deviceOf(user).create(theirOptions.body, { alg: EdDSA });
  const theirs = await onBetterAuth.post('/passkey/verify-registration', { response, name: 'Registered by BetterAuth' });
  assert.equal(theirs.status, 200, JSON.stringify(theirs.body));
  const ourList = await user.browser.get('/passkey/list-user-passkeys');
  assert.equal(ourList.status, 200);
  assert.deepEqual(ourList.body.find((p) => p.id === theirs.body.id), theirs.body);
  assert.deepEqual(ourList.body, (await onBetterAuth.get('/passkey/list-user-passkeys')).body, 'both list the same');

  // ... and it signs in on Portcullis, whose session BetterAuth accepts.
  const here = await passkeySignIn(portcullis, user.authenticator, { credential });
  assert.equal(here.res.status, 200, JSON.stringify(here.res.body));
  assert.equal(here.res.body.user.id, user.id);
  const theirSession = await sameBrowser(here.browser, betterAuth.api).get('/get-session');
  assert.equal(theirSession.body.session.token, here.res.body.session.token);
  // Portcullis's counter, then BetterAuth's check of it.
  assert.equal((await passkeySignIn(betterAuth, user.authenticator, { credential, counter: 1 })).res.body.code, 'AUTHENTICATION_FAILED');
  assert.equal((await passkeySignIn(betterAuth, user.authenticator, { credential })).res.status, 200);

  // A rename on one shows on the other; a deletion on BetterAuth is one for Portcullis.
  assert.equal((await user.browser.post('/passkey/update-passkey', { id: theirs.body.id, name: 'Renamed by Portcullis' })).status, 200);
  assert.equal((await onBetterAuth.get('/passkey/list-user-passkeys')).body.find((p) => p.id === theirs.body.id).name, 'Renamed by Portcullis');
  assert.equal((await onBetterAuth.post('/passkey/delete-passkey', { id: ours.row.id })).status, 200);
  assertError((await passkeySignIn(portcullis, user.authenticator, { credential: ours.credential })).res, 401, 'PASSKEY_NOT_FOUND');
  assert.equal(count(ours.credential.id), 0);
  assert.equal(count(credential.id), 1);
}

describe('a SQLite database shared with BetterAuth and its passkey plugin', () => {
  let s;
  let betterAuth;
  before(async () => {
    s = await startServer(PASSKEYS);  // Portcullis makes the tables
    betterAuth = await serveBetterAuth(betterAuthOnSqlite(s.db, { plugins: [betterAuthPasskey()], options: BETTER_AUTH_OPTIONS }));
  });
  after(async () => {
    await betterAuth?.close();
    await s?.stop();
  });

  test("BetterAuth finds the passkey table Portcullis made complete", async () => {
    const { toBeCreated, toBeAdded } = await getMigrations({ database: sqliteCli(s.db), plugins: [betterAuthPasskey()], ...BETTER_AUTH_OPTIONS });
    assert.deepEqual(toBeCreated.filter((t) => t.table === 'passkey'), []);
    assert.deepEqual(toBeAdded.filter((t) => t.table === 'passkey'), []);
  });

  test('passkeys registered through either sign in on the other', async () => {
    await sharedDatabase(s, betterAuth, (id) => sql(s.db, `select count(*) as n from passkey where credentialID = '${id}'`)[0].n);
  });
});

const ADMIN_URL = process.env.PORTCULLIS_TEST_POSTGRES;
describe('a PostgreSQL database BetterAuth made with its passkey plugin', { skip: !ADMIN_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let s;
  let betterAuth;
  before(async () => {
    db = await betterAuthOnPostgres(ADMIN_URL, `pc_passkey_${process.pid}`, { plugins: [betterAuthPasskey()], options: BETTER_AUTH_OPTIONS });
    s = await startServer({ ...PASSKEYS, database: db.dbUrl });  // Portcullis opens BetterAuth's tables
    betterAuth = await serveBetterAuth(db.auth);
  });
  after(async () => {
    await betterAuth?.close();
    await s?.stop();
    await db?.drop();
  });

  test('Portcullis keeps the passkey table as BetterAuth made it', () => {
    const columns = psql(db.dbUrl, `SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'passkey'`);
    assert.equal(columns, 'aaguid:text,backedUp:boolean,counter:integer,createdAt:timestamp with time zone,credentialID:text,deviceType:text,id:text,name:text,publicKey:text,transports:text,userId:text');
  });

  test('a signature counter past 2^31 - 1 fits the integer column (it was a 500)', async () => {
    await countersPast2to31(s, (id) => Number(psql(db.dbUrl, `SELECT "counter" FROM "passkey" WHERE "id" = '${id}'`)));
  });

  test('passkeys registered through either sign in on the other', async () => {
    await sharedDatabase(s, betterAuth, (id) => Number(psql(db.dbUrl, `SELECT count(*) FROM "passkey" WHERE "credentialID" = '${id}'`)));
  });
});

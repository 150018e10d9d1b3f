// BetterAuth's own browser client (npm better-auth, createAuthClient) against the Portcullis
// server, with a cookie jar as a browser keeps one: every call succeeds and every response has
// the contract's shape (shared/spec/betterauth-contract.md §2).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';


import { browserClient } from '../support/betterauth.mjs';
import { startServer } from '../support/server.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const ID = /^[A-Za-z0-9]{32}$/;

function assertUser(user, { name, email }) {
  assert.deepEqual(Object.keys(user).sort(), ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt']);
  assert.match(user.id, ID);
  assert.equal(user.name, name);
  assert.equal(user.email, email);
  assert.equal(user.emailVerified, false);
  assert.ok(user.createdAt instanceof Date, 'the client turns ISO dates into Dates');
}

function assertSession(session, userId) {
  assert.deepEqual(Object.keys(session).sort(), [
    'createdAt', 'expiresAt', 'id', 'ipAddress', 'token', 'updatedAt', 'userAgent', 'userId',
  ]);
  assert.match(session.token, ID);
  assert.equal(session.userId, userId);
  const days = (session.expiresAt - session.createdAt) / 86400000;
  assert.ok(days > 6.99 && days <= 7, `a 7-day session, got ${days}`);
}

test('the BetterAuth client signs up, signs in, manages sessions and signs out', async () => {
  const email = `ada${Date.now()}@example.com`;
  const { client: laptop, jar } = browserClient(server.url);

  const up = await laptop.signUp.email({ name: 'Ada Lovelace', email: email.toUpperCase(), password: 'correct-horse-1' });
  assert.equal(up.error, null);
  assert.match(up.data.token, ID);
  assertUser(up.data.user, { name: 'Ada Lovelace', email });
  assert.ok(jar.has('better-auth.session_token'));

  const session = await laptop.getSession();
  assert.equal(session.error, null);
  assertUser(session.data.user, { name: 'Ada Lovelace', email });
  assertSession(session.data.session, up.data.user.id);
  assert.equal(session.data.session.token, up.data.token);
  assert.equal(session.data.session.ipAddress, '127.0.0.1');

  // A second device signs in.
  const { client: phone } = browserClient(server.url);
  const wrong = await phone.signIn.email({ email, password: 'not-the-password' });
  assert.equal(wrong.data, null);
  assert.equal(wrong.error.status, 401);
  assert.equal(wrong.error.code, 'INVALID_EMAIL_OR_PASSWORD');
  assert.equal(wrong.error.message, 'Invalid email or password');
  const inn = await phone.signIn.email({ email, password: 'correct-horse-1' });
  assert.equal(inn.error, null);
  assert.equal(inn.data.redirect, false);
  assert.match(inn.data.token, ID);
  assertUser(inn.data.user, { name: 'Ada Lovelace', email });

  const listed = await laptop.listSessions();
  assert.equal(listed.error, null);
  assert.equal(listed.data.length, 2);
  for (const s of listed.data) assertSession(s, up.data.user.id);

  const revoked = await laptop.revokeOtherSessions();
  assert.deepEqual(revoked, { data: { status: true }, error: null });
  assert.equal((await phone.getSession()).data, null, 'the phone was signed out');
  assert.equal((await laptop.listSessions()).data.length, 1);

  const changed = await laptop.changePassword({ currentPassword: 'correct-horse-1', newPassword: 'correct-horse-2', revokeOtherSessions: true });
  assert.equal(changed.error, null);
  assert.match(changed.data.token, ID);
  assert.notEqual(changed.data.token, up.data.token, 'a new session replaces the old one');
  assertUser(changed.data.user, { name: 'Ada Lovelace', email });
  assert.equal((await laptop.getSession()).data.session.token, changed.data.token);

  const updated = await laptop.updateUser({ name: 'Ada King', image: 'https://example.com/ada.png' });
  assert.deepEqual(updated, { data: { status: true }, error: null });
  const after = await laptop.getSession();
  assert.equal(after.data.user.name, 'Ada King');
  assert.equal(after.data.user.image, 'https://example.com/ada.png');

  const accounts = await laptop.listAccounts();
  assert.equal(accounts.error, null);
  assert.equal(accounts.data.length, 1);
  assert.equal(accounts.data[0].providerId, 'credential');
  assert.equal(accounts.data[0].accountId, up.data.user.id);
  assert.deepEqual(accounts.data[0].scopes, []);
  assert.deepEqual(await laptop.verifyPassword({ password: 'correct-horse-2' }), { data: { status: true }, error: null });
  const notIt = await laptop.verifyPassword({ password: 'correct-horse-1' });
  assert.equal(notIt.error.status, 400);
  assert.equal(notIt.error.code, 'INVALID_PASSWORD');
  // Sessions have no fields a client may set (the client posts only a non-empty body).
  const nothing = await laptop.updateSession({ theme: 'dark' });
  assert.equal(nothing.error.status, 400);
  assert.equal(nothing.error.code, 'VALIDATION_ERROR');

  const oldPassword = await phone.signIn.email({ email, password: 'correct-horse-1' });
  assert.equal(oldPassword.error.code, 'INVALID_EMAIL_OR_PASSWORD');
  const newPassword = await phone.signIn.email({ email, password: 'correct-horse-2' });
  assert.equal(newPassword.error, null);

  const out = await laptop.signOut();
  assert.deepEqual(out, { data: { success: true }, error: null });
  assert.equal(jar.size, 0, 'sign-out expires the cookies');
  assert.deepEqual(await laptop.getSession(), { data: null, error: null });
});

test('the BetterAuth client sees the contract errors', async () => {
  const { client } = browserClient(server.url);
  const email = `dup${Date.now()}@example.com`;
  assert.equal((await client.signUp.email({ name: 'A', email, password: 'correct-horse-1' })).error, null);
  const dup = await browserClient(server.url).client.signUp.email({ name: 'B', email, password: 'correct-horse-1' });
  assert.equal(dup.error.status, 422);
  assert.equal(dup.error.code, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
  const short = await browserClient(server.url).client.signUp.email({ name: 'C', email: `c${email}`, password: 'short' });
  assert.equal(short.error.status, 400);
  assert.equal(short.error.code, 'PASSWORD_TOO_SHORT');
  const bad = await browserClient(server.url).client.signUp.email({ name: 'D', email: 'not-an-email', password: 'password123' });
  assert.equal(bad.error.status, 400);
  assert.equal(bad.error.code, 'VALIDATION_ERROR');
  assert.equal(bad.error.message, '[body.email] Invalid email address');
  const weak = await browserClient(server.url).client.signUp.email({ name: 'E', email: `e${email}`, password: 'password123' });
  assert.equal(weak.error.status, 400);
  assert.equal(weak.error.code, 'PASSWORD_TOO_WEAK');
  assert.equal(weak.error.message, 'This is a very common password');
  const anonymous = await browserClient(server.url).client.listSessions();
  assert.equal(anonymous.error.status, 401);
  assert.equal(anonymous.error.code, 'UNAUTHORIZED');
});

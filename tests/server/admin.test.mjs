// BetterAuth's admin plugin (--admin): administrators (a user whose comma-separated "role" holds
// admin, or whose id --admin-user-ids names) list, create, update, ban and remove users, set roles
// and passwords and revoke sessions under /api/auth/admin/*. The first administrator comes from the
// command line (`portcullis user set-role`). BetterAuth's own client drives these routes, and on a
// database shared with a BetterAuth server that has the plugin, either server's roles count on both.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { admin as adminPlugin } from 'better-auth/plugins';
import { adminClient } from 'better-auth/client/plugins';
import { decodeJwt } from 'jose';

import { betterAuthOnPostgres, browserClient, psql } from '../support/betterauth.mjs';
import { BIN, Browser, sql, startServer, withServer } from '../support/server.mjs';

const PASSWORD = 'administered user password';
const NEW_PASSWORD = 'another fine long password';
const WEAK = 'password123';
const EVIL = 'https://evil.example';
const ADMIN_FIELDS = ['banExpires', 'banReason', 'banned', 'role'];
const USER_KEYS = ['createdAt', 'email', 'emailVerified', 'id', 'image', 'name', 'updatedAt', ...ADMIN_FIELDS].sort();
const MISSING_ID = 'NoSuchUser0123456789abcdefghijkl';
const PG_URL = process.env.PORTCULLIS_TEST_POSTGRES;

/** Runs `portcullis user <args>` on `database`; returns {status, stdout, stderr}. */
const cli = (database, ...args) => spawnSync(BIN, ['user', ...args, '--database', database], { encoding: 'utf8' });

let users = 0;
const freshEmail = (what = 'user') => `admin-${what}-${++users}-${process.pid}-${Date.now()}@example.com`;

/** A new user, signed up (and so signed in) in its own browser. */
async function signedUp(api, { what, password = PASSWORD } = {}) {
  const email = freshEmail(what);
  const browser = new Browser(api);
  const up = await browser.post('/sign-up/email', { name: 'Ada Lovelace', email, password });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  return { email, browser, id: up.body.user.id, user: up.body.user };
}

/** A new user made administrator by `portcullis user set-role`, signed in. */
async function administrator(s, role = 'admin') {
  const u = await signedUp(s.api, { what: 'admin' });
  const set = cli(s.db, 'set-role', '--email', u.email, '--role', role);
  assert.equal(set.status, 0, set.stderr);
  return u;
}

const query = (params) => `?${new URLSearchParams(params)}`;

/** Asserts an error answer: its status and code, and a message. */
function assertError(res, status, code) {
  assert.equal(res.status, status, `${status} ${code} expected, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.message, 'string');
}

function assertUser(user, fields = {}) {
  assert.deepEqual(Object.keys(user).sort(), USER_KEYS, JSON.stringify(user));
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(user[k], v, k);
}

/** The audit lines of the request that got `res` (by its X-Request-Id). */
const auditOf = (s, res) =>
  s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'auth' && l.id === res.headers.get('x-request-id'));
const rawAuditOf = (s, res) => s.logs.filter((l) => JSON.parse(l).id === res.headers.get('x-request-id')).join('\n');

test('without --admin: no /admin routes, and users have no role or ban fields', async () => {
  await withServer({}, async (s) => {
    const u = await signedUp(s.api);
    for (const field of ADMIN_FIELDS) assert.ok(!(field in u.user), `sign-up: ${field}`);
    const session = await u.browser.get('/get-session');
    assert.equal(session.status, 200);
    for (const field of ADMIN_FIELDS) assert.ok(!(field in session.body.user), `get-session: ${field}`);
    // Even a user whose role column says admin.
    assert.equal(cli(s.db, 'set-role', '--email', u.email, '--role', 'admin').status, 0);
    assert.equal((await u.browser.get('/admin/list-users')).status, 404);
    assert.equal((await u.browser.post('/admin/set-role', { userId: u.id, role: 'admin' })).status, 404);
    assert.equal((await u.browser.post('/admin/has-permission', { permissions: { user: ['list'] } })).status, 404);
  });
});

test('with --admin and --jwt: the token claims carry the role and the ban fields', async () => {
  await withServer({ admin: true, jwt: true }, async (s) => {
    const u = await signedUp(s.api);
    const res = await u.browser.get('/token');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const claims = decodeJwt(res.body.token);
    assert.equal(claims.role, 'user');
    assert.equal(claims.banned, false);
    assert.equal(claims.banReason, null);
    assert.equal(claims.banExpires, null);
  });
});

test('--admin-user-ids: the users named are administrators whatever their role', async () => {
  const first = await startServer({ admin: true });
  const named = await signedUp(first.api);
  await first.stop({ keep: true });
  try {
    await withServer({ admin: true, database: first.db, adminUserIds: [MISSING_ID, named.id] }, async (s) => {
      const signIn = new Browser(s.api);
      assert.equal((await signIn.post('/sign-in/email', { email: named.email, password: PASSWORD })).status, 200);
      const me = await signIn.get('/get-session');
      assert.equal(me.body.user.role, 'user', 'the role is left as it is');
      const listed = await signIn.get('/admin/list-users');
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.ok(listed.body.users.some((x) => x.id === named.id));
      assert.deepEqual((await signIn.post('/admin/has-permission', { permissions: { user: ['ban'] } })).body, { error: null, success: true });
      const other = await signedUp(s.api);
      assertError(await other.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
      const set = await signIn.post('/admin/set-role', { userId: other.id, role: 'admin' });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal((await other.browser.get('/admin/list-users')).status, 200);
    });
  } finally {
    rmSync(first.dir, { recursive: true, force: true });
  }
});

describe('with --admin', () => {
  let server;
  let admin;  // {email, browser, id}: an administrator, made by the command line
  before(async () => {
    server = await startServer({ admin: true });  // the default session cache: admin calls read the role afresh
    admin = await administrator(server);
  });
  after(async () => {
    await server.stop();
  });

  /** A user the administrator created with create-user (not signed in). */
  async function created(fields = {}) {
    const email = freshEmail('created');
    const res = await admin.browser.post('/admin/create-user', { email, password: PASSWORD, name: 'Created User', ...fields });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { email, id: res.body.user.id, user: res.body.user };
  }
  /** Signs `email` in, in a new browser; returns the browser (and asserts it worked). */
  async function signIn(email, password = PASSWORD) {
    const browser = new Browser(server.api);
    const res = await browser.post('/sign-in/email', { email, password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return browser;
  }
  const sessionOf = async (browser) => (await browser.get('/get-session')).body;

  describe('users and administrators', () => {
    test('sign-up and get-session show role "user" and no ban', async () => {
      const u = await signedUp(server.api);
      assertUser(u.user, { role: 'user', banned: false, banReason: null, banExpires: null });
      assertUser((await sessionOf(u.browser)).user, { role: 'user', banned: false, banReason: null, banExpires: null });
    });

    test('the first administrator: `user set-role` makes one, at once, and takes it back', async () => {
      const u = await signedUp(server.api);
      assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
      const set = cli(server.db, 'set-role', '--email', u.email, '--role', 'user,admin');
      assert.equal(set.status, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout), { roleSet: u.id, role: 'user,admin' });
      const listed = await u.browser.get('/admin/list-users');
      assert.equal(listed.status, 200, 'an administrator at the next request, although the session is cached');
      const row = cli(server.db, 'list').stdout.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.email === u.email);
      assert.equal(row.role, 'user,admin');
      assert.equal(cli(server.db, 'set-role', '--email', u.email, '--role', 'user').status, 0);
      assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
      const bad = cli(server.db, 'set-role', '--email', u.email, '--role', 'superuser');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--role/);
      assert.equal(cli(server.db, 'set-role', '--email', 'nobody-at-all@example.com', '--role', 'admin').status, 1);
    });

    test('an untrusted Origin is refused before anything is done', async () => {
      const target = await created();
      const evil = new Browser(server.api, { origin: EVIL });
      evil.jar = new Map(admin.browser.jar);
      assertError(await evil.post('/admin/set-role', { userId: target.id, role: 'admin' }), 403, 'INVALID_ORIGIN');
      assertError(await evil.post('/admin/remove-user', { userId: target.id }), 403, 'INVALID_ORIGIN');
      const still = await admin.browser.get(`/admin/get-user${query({ id: target.id })}`);
      assert.equal(still.status, 200);
      assert.equal(still.body.role, 'user');
    });
  });

  describe('list-users and get-user', () => {
    test('list-users: {users, total, limit, offset}, 100 by default, at most 1000', async () => {
      const target = await created();
      const res = await admin.browser.get('/admin/list-users');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body).sort(), ['limit', 'offset', 'total', 'users']);
      assert.equal(res.body.limit, 100);
      assert.equal(res.body.offset, 0);
      assert.ok(res.body.total >= 2);
      for (const u of res.body.users) assertUser(u);
      assertUser(res.body.users.find((u) => u.id === target.id), { email: target.email, role: 'user', banned: false });
      assert.equal(res.body.users.find((u) => u.id === admin.id).role, 'admin');
      assert.equal((await admin.browser.get('/admin/list-users?limit=5000')).body.limit, 1000);
      const one = await admin.browser.get('/admin/list-users?limit=1');
      assert.equal(one.body.users.length, 1);
      assert.equal(one.body.total, res.body.total, 'total counts every match, not the page');
    });

    test('list-users: a bad parameter is 400 VALIDATION_ERROR', async () => {
      for (const params of [
        { limit: 'ten' }, { limit: '-1' }, { offset: 'x' }, { offset: '-1' },
        { sortBy: 'password' }, { sortDirection: 'up' },
        { searchValue: 'a', searchField: 'id' }, { searchValue: 'a', searchOperator: 'like' },
        { filterField: 'password', filterValue: 'x' }, { filterField: 'createdAt', filterValue: 'x' },
        { filterField: 'email', filterValue: 'x', filterOperator: 'lt' },
        { filterField: 'banned', filterValue: 'true', filterOperator: 'contains' },
      ]) {
        assertError(await admin.browser.get(`/admin/list-users${query(params)}`), 400, 'VALIDATION_ERROR');
      }
    });

    test('get-user: the user itself; an unknown id is 404 USER_NOT_FOUND', async () => {
      const target = await created({ data: { image: 'https://example.com/p.png' } });
      const res = await admin.browser.get(`/admin/get-user${query({ id: target.id })}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertUser(res.body, { ...target.user, image: 'https://example.com/p.png' });
      assertError(await admin.browser.get(`/admin/get-user${query({ id: MISSING_ID })}`), 404, 'USER_NOT_FOUND');
    });
  });

  describe('create-user', () => {
    test('makes a user who can sign in, with the role and data given, and no session', async () => {
      const jar = new Map(admin.browser.jar);
      const email = freshEmail('new');
      const res = await admin.browser.post('/admin/create-user', {
        email: email.toUpperCase(), password: PASSWORD, name: 'Grace Hopper', role: ['user', 'admin'],
        data: { emailVerified: true, image: 'https://example.com/grace.png' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['user']);
      assertUser(res.body.user, {
        email, name: 'Grace Hopper', role: 'user,admin', emailVerified: true,
        image: 'https://example.com/grace.png', banned: false, banReason: null, banExpires: null,
      });
      assert.deepEqual(admin.browser.jar, jar, "the administrator's cookie is unchanged");
      assert.equal((await sessionOf(admin.browser)).user.id, admin.id, 'and still signs the administrator in');
      const sessions = await admin.browser.post('/admin/list-user-sessions', { userId: res.body.user.id });
      assert.deepEqual(sessions.body, { sessions: [] }, 'no session for the new user');
      const browser = await signIn(email);
      assertUser((await sessionOf(browser)).user, { id: res.body.user.id, role: 'user,admin' });
      assert.equal((await browser.get('/admin/list-users')).status, 200, 'an administrator');
    });

    test('role: "user" by default; data.role too', async () => {
      assert.equal((await created()).user.role, 'user');
      assert.equal((await created({ role: 'admin' })).user.role, 'admin');
      assert.equal((await created({ data: { role: 'admin' } })).user.role, 'admin');
    });

    test('refuses a weak password, a taken e-mail, unknown roles and data keys, and makes nobody', async () => {
      const email = freshEmail('refused');
      const body = { email, password: PASSWORD, name: 'Refused' };
      const weak = await admin.browser.post('/admin/create-user', { ...body, password: WEAK });
      assertError(weak, 400, 'PASSWORD_TOO_WEAK');
      assert.equal(typeof weak.body.score, 'number');
      assert.ok(weak.body.score < 2);
      assert.equal(typeof weak.body.feedback, 'object');
      assert.ok(Array.isArray(weak.body.feedback.suggestions));
      const { password, ...noPassword } = body;
      assertError(await admin.browser.post('/admin/create-user', noPassword), 400, 'VALIDATION_ERROR');
      assertError(await admin.browser.post('/admin/create-user', { ...body, email: admin.email }), 400, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
      assertError(await admin.browser.post('/admin/create-user', { ...body, role: 'superuser' }), 400, 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE');
      assertError(await admin.browser.post('/admin/create-user', { ...body, role: ['user', 'owner'] }), 400, 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE');
      assertError(await admin.browser.post('/admin/create-user', { ...body, role: ['user', 7] }), 400, 'INVALID_ROLE_TYPE');
      assertError(await admin.browser.post('/admin/create-user', { ...body, data: { banned: true } }), 400, 'VALIDATION_ERROR');
      assertError(await admin.browser.post('/admin/create-user', { ...body, data: { twoFactorEnabled: true } }), 400, 'VALIDATION_ERROR');
      const none = await admin.browser.get(`/admin/list-users${query({ searchValue: email, searchField: 'email' })}`);
      assert.equal(none.body.total, 0, JSON.stringify(none.body));
      assert.equal((await new Browser(server.api).post('/sign-in/email', { email, password: PASSWORD })).status, 401);
    });
  });

  describe('update-user and set-role', () => {
    test('update-user changes name, image, e-mail, verification and role, and answers the user itself', async () => {
      const target = await created();
      const email = freshEmail('renamed');
      const res = await admin.browser.post('/admin/update-user', {
        userId: target.id,
        data: { name: 'Renamed', image: 'https://example.com/r.png', email, emailVerified: true, role: ['admin', 'user'] },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assertUser(res.body, { id: target.id, name: 'Renamed', image: 'https://example.com/r.png', email, emailVerified: true, role: 'admin,user' });
      assert.deepEqual((await admin.browser.get(`/admin/get-user${query({ id: target.id })}`)).body, res.body);
      const browser = await signIn(email);
      assert.equal((await browser.get('/admin/list-users')).status, 200, 'the new role counts');
      assert.equal((await new Browser(server.api).post('/sign-in/email', { email: target.email, password: PASSWORD })).status, 401);
      const cleared = await admin.browser.post('/admin/update-user', { userId: target.id, data: { image: null } });
      assert.equal(cleared.body.image, null);
    });

    test('update-user refuses: no data, a password, an id, other keys, a taken e-mail, an unknown user', async () => {
      const target = await created();
      const update = (data, userId = target.id) => admin.browser.post('/admin/update-user', { userId, data });
      assertError(await update({}), 400, 'NO_DATA_TO_UPDATE');
      assertError(await update({ password: NEW_PASSWORD }), 400, 'PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER');
      assertError(await update({ id: MISSING_ID }), 400, 'USER_ID_CANNOT_BE_UPDATED');
      assertError(await update({ banned: true }), 400, 'VALIDATION_ERROR');
      assertError(await update({ name: 'X', twoFactorEnabled: true }), 400, 'VALIDATION_ERROR');
      assertError(await update({ role: 'root' }), 400, 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE');
      assertError(await update({ email: admin.email }), 400, 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
      assertError(await update({ name: 'Nobody' }, MISSING_ID), 404, 'USER_NOT_FOUND');
      const after = (await admin.browser.get(`/admin/get-user${query({ id: target.id })}`)).body;
      assert.deepEqual(after, target.user, 'nothing changed');
    });

    test('set-role: {user}; granted and taken away, it counts at the next request', async () => {
      const u = await signedUp(server.api);
      assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
      const granted = await admin.browser.post('/admin/set-role', { userId: u.id, role: 'admin' });
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.deepEqual(Object.keys(granted.body), ['user']);
      assertUser(granted.body.user, { id: u.id, role: 'admin' });
      assert.equal((await u.browser.get('/admin/list-users')).status, 200);
      const both = await admin.browser.post('/admin/set-role', { userId: u.id, role: ['user', 'admin'] });
      assert.equal(both.body.user.role, 'user,admin');
      assert.equal((await u.browser.post('/admin/has-permission', { permissions: { user: ['list'] } })).body.success, true);
      const taken = await admin.browser.post('/admin/set-role', { userId: u.id, role: 'user' });
      assert.equal(taken.body.user.role, 'user');
      assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
      assert.equal((await u.browser.post('/admin/has-permission', { permissions: { user: ['list'] } })).body.success, false);
    });

    test('set-role refuses unknown roles, non-string roles, no role, an unknown user', async () => {
      const target = await created();
      const setRole = (body) => admin.browser.post('/admin/set-role', { userId: target.id, ...body });
      assertError(await setRole({ role: 'superuser' }), 400, 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE');
      assertError(await setRole({ role: ['admin', 'owner'] }), 400, 'YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE');
      assertError(await setRole({ role: ['admin', null] }), 400, 'INVALID_ROLE_TYPE');
      assertError(await setRole({}), 400, 'VALIDATION_ERROR');
      assertError(await setRole({ userId: MISSING_ID, role: 'admin' }), 404, 'USER_NOT_FOUND');
      assert.equal((await admin.browser.get(`/admin/get-user${query({ id: target.id })}`)).body.role, 'user');
    });
  });

  describe('ban-user and unban-user', () => {
    test('a ban ends the sessions and refuses sign-in until it is lifted', async () => {
      const u = await signedUp(server.api);
      const other = await signIn(u.email);
      const banned = await admin.browser.post('/admin/ban-user', { userId: u.id });
      assert.equal(banned.status, 200, JSON.stringify(banned.body));
      assert.deepEqual(Object.keys(banned.body), ['user']);
      assertUser(banned.body.user, { id: u.id, banned: true, banReason: 'No reason', banExpires: null });
      assert.equal(await sessionOf(u.browser), null, 'signed out');
      assert.equal(await sessionOf(other), null, 'everywhere');
      assertError(await new Browser(server.api).post('/sign-in/email', { email: u.email, password: PASSWORD }), 403, 'BANNED_USER');
      assert.equal((await admin.browser.get(`/admin/get-user${query({ id: u.id })}`)).body.banned, true);

      const unbanned = await admin.browser.post('/admin/unban-user', { userId: u.id });
      assert.equal(unbanned.status, 200, JSON.stringify(unbanned.body));
      assertUser(unbanned.body.user, { id: u.id, banned: false });
      assert.equal(unbanned.body.user.banReason, null);
      assert.equal(unbanned.body.user.banExpires, null);
      await signIn(u.email);
    });

    test('a reason and an expiry', async () => {
      const target = await created();
      const before = Date.now();
      const res = await admin.browser.post('/admin/ban-user', { userId: target.id, banReason: 'spam', banExpiresIn: 3600 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.banReason, 'spam');
      const until = Date.parse(res.body.user.banExpires);
      assert.ok(until >= before + 3600e3 - 1000 && until <= Date.now() + 3600e3 + 1000, res.body.user.banExpires);
      const listed = await admin.browser.get(`/admin/list-users${query({ filterField: 'id', filterValue: target.id })}`);
      assertUser(listed.body.users[0], { banned: true, banReason: 'spam', banExpires: res.body.user.banExpires });
      assertError(await new Browser(server.api).post('/sign-in/email', { email: target.email, password: PASSWORD }), 403, 'BANNED_USER');
    });

    test('refused: banning yourself, an unknown user', async () => {
      assertError(await admin.browser.post('/admin/ban-user', { userId: admin.id }), 400, 'YOU_CANNOT_BAN_YOURSELF');
      assertError(await admin.browser.post('/admin/ban-user', { userId: MISSING_ID }), 404, 'USER_NOT_FOUND');
      assert.ok(await sessionOf(admin.browser), 'the administrator is still signed in');
      assert.equal((await admin.browser.get(`/admin/get-user${query({ id: admin.id })}`)).body.banned, false);
    });
  });

  describe('sessions', () => {
    test('list-user-sessions lists the unexpired sessions of the user', async () => {
      const u = await signedUp(server.api);
      const second = await signIn(u.email);
      const third = await signIn(u.email);
      const tokenOf = async (b) => (await sessionOf(b)).session.token;
      sql(server.db, `update "session" set "expiresAt" = '2001-01-01T00:00:00.000Z' where "token" = '${await tokenOf(third)}'`);
      const res = await admin.browser.post('/admin/list-user-sessions', { userId: u.id });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['sessions']);
      assert.deepEqual(res.body.sessions.map((s) => s.token).sort(), [await tokenOf(u.browser), await tokenOf(second)].sort());
      for (const s of res.body.sessions) assert.equal(s.userId, u.id);
      assert.deepEqual((await admin.browser.post('/admin/list-user-sessions', { userId: MISSING_ID })).body, { sessions: [] });
    });

    test('revoke-user-session ends one session; revoke-user-sessions ends them all', async () => {
      const u = await signedUp(server.api);
      const second = await signIn(u.email);
      const third = await signIn(u.email);
      const token = (await sessionOf(second)).session.token;
      const one = await admin.browser.post('/admin/revoke-user-session', { sessionToken: token });
      assert.equal(one.status, 200, JSON.stringify(one.body));
      assert.deepEqual(one.body, { success: true });
      assert.equal(await sessionOf(second), null);
      assert.ok(await sessionOf(u.browser), 'the others stay');
      assert.equal((await admin.browser.post('/admin/list-user-sessions', { userId: u.id })).body.sessions.length, 2);
      const all = await admin.browser.post('/admin/revoke-user-sessions', { userId: u.id });
      assert.deepEqual(all.body, { success: true });
      assert.equal(await sessionOf(u.browser), null);
      assert.equal(await sessionOf(third), null);
      assert.deepEqual((await admin.browser.post('/admin/list-user-sessions', { userId: u.id })).body, { sessions: [] });
      assert.ok(await sessionOf(admin.browser), "the administrator's own session stays");
    });
  });

  describe('remove-user and set-user-password', () => {
    test('remove-user: the user is gone', async () => {
      const u = await signedUp(server.api);
      const res = await admin.browser.post('/admin/remove-user', { userId: u.id });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { success: true });
      assertError(await admin.browser.get(`/admin/get-user${query({ id: u.id })}`), 404, 'USER_NOT_FOUND');
      assertError(await new Browser(server.api).post('/sign-in/email', { email: u.email, password: PASSWORD }), 401, 'INVALID_EMAIL_OR_PASSWORD');
      assert.equal(await sessionOf(u.browser), null, 'signed out');
      assertError(await admin.browser.post('/admin/remove-user', { userId: u.id }), 404, 'USER_NOT_FOUND');
      // The address is free again.
      assert.equal((await new Browser(server.api).post('/sign-up/email', { name: 'Again', email: u.email, password: PASSWORD })).status, 200);
    });

    test('remove-user refuses removing yourself', async () => {
      assertError(await admin.browser.post('/admin/remove-user', { userId: admin.id }), 400, 'YOU_CANNOT_REMOVE_YOURSELF');
      assert.equal((await admin.browser.get(`/admin/get-user${query({ id: admin.id })}`)).status, 200);
    });

    test('set-user-password: the new password works, the old one not, and the sessions end', async () => {
      const u = await signedUp(server.api);
      const weak = await admin.browser.post('/admin/set-user-password', { userId: u.id, newPassword: WEAK });
      assertError(weak, 400, 'PASSWORD_TOO_WEAK');
      assert.equal(typeof weak.body.score, 'number');
      assert.ok(await sessionOf(u.browser), 'a refused password changes nothing');
      const res = await admin.browser.post('/admin/set-user-password', { userId: u.id, newPassword: NEW_PASSWORD });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: true });
      assert.equal(await sessionOf(u.browser), null, 'signed out');
      assertError(await new Browser(server.api).post('/sign-in/email', { email: u.email, password: PASSWORD }), 401, 'INVALID_EMAIL_OR_PASSWORD');
      await signIn(u.email, NEW_PASSWORD);
    });
  });

  describe('has-permission', () => {
    const may = (browser, body) => browser.post('/admin/has-permission', body);
    test("an administrator may do BetterAuth's admin actions, but not impersonate administrators", async () => {
      const all = {
        user: ['create', 'list', 'set-role', 'ban', 'impersonate', 'delete', 'set-password', 'get', 'update'],
        session: ['list', 'revoke', 'delete'],
      };
      const res = await may(admin.browser, { permissions: all });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { error: null, success: true });
      assert.deepEqual((await may(admin.browser, { permission: { session: ['revoke'] } })).body, { error: null, success: true });
      assert.deepEqual((await may(admin.browser, { permissions: { user: ['list', 'impersonate-admins'] } })).body, { error: null, success: false });
      assert.deepEqual((await may(admin.browser, { permissions: { project: ['create'] } })).body, { error: null, success: false });
    });

    test('a plain user may not; exactly one of permission and permissions', async () => {
      const u = await signedUp(server.api);
      assert.deepEqual((await may(u.browser, { permissions: { user: ['list'] } })).body, { error: null, success: false });
      assert.deepEqual((await may(u.browser, { permission: { session: ['list'] } })).body, { error: null, success: false });
      assertError(await may(admin.browser, {}), 400, 'VALIDATION_ERROR');
      assertError(await may(admin.browser, { permission: { user: ['list'] }, permissions: { user: ['list'] } }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('refusals', () => {
    const routes = (target, token) => [
      ['GET', `/admin/list-users`, undefined, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS'],
      ['GET', `/admin/get-user${query({ id: target.id })}`, undefined, 'YOU_ARE_NOT_ALLOWED_TO_GET_USER'],
      ['POST', '/admin/create-user', { email: freshEmail('no'), password: PASSWORD, name: 'No' }, 'YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS'],
      ['POST', '/admin/update-user', { userId: target.id, data: { name: 'No' } }, 'YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS'],
      ['POST', '/admin/set-role', { userId: target.id, role: 'admin' }, 'YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE'],
      ['POST', '/admin/ban-user', { userId: target.id }, 'YOU_ARE_NOT_ALLOWED_TO_BAN_USERS'],
      ['POST', '/admin/unban-user', { userId: target.id }, 'YOU_ARE_NOT_ALLOWED_TO_BAN_USERS'],
      ['POST', '/admin/list-user-sessions', { userId: target.id }, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS'],
      ['POST', '/admin/revoke-user-session', { sessionToken: token }, 'YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS'],
      ['POST', '/admin/revoke-user-sessions', { userId: target.id }, 'YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS'],
      ['POST', '/admin/remove-user', { userId: target.id }, 'YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS'],
      ['POST', '/admin/set-user-password', { userId: target.id, newPassword: NEW_PASSWORD }, 'YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD'],
    ];

    test('a user who is not an administrator gets each route\'s 403, and changes nothing', async () => {
      const target = await signedUp(server.api);
      const token = (await sessionOf(target.browser)).session.token;
      const before = (await admin.browser.get(`/admin/get-user${query({ id: target.id })}`)).body;
      const u = await signedUp(server.api);
      for (const [method, path, body, code] of routes(target, token)) {
        const res = await u.browser.request(path, { method, body });
        assert.equal(res.status, 403, `${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, code, path);
      }
      assert.deepEqual((await admin.browser.get(`/admin/get-user${query({ id: target.id })}`)).body, before);
      assert.equal((await sessionOf(target.browser)).session.token, token, 'still signed in');
      assert.ok(await sessionOf(u.browser), 'the refused caller keeps its session');
    });

    test('without a session every route is 401 UNAUTHORIZED', async () => {
      const target = await signedUp(server.api);
      const token = (await sessionOf(target.browser)).session.token;
      const anonymous = new Browser(server.api);
      const all = [...routes(target, token), ['POST', '/admin/has-permission', { permissions: { user: ['list'] } }]];
      for (const [method, path, body] of all) {
        const res = await anonymous.request(path, { method, body });
        assert.equal(res.status, 401, `${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 'UNAUTHORIZED', path);
      }
      const signedOut = new Browser(server.api);
      signedOut.jar.set('better-auth.session_token', 'not-a-real-session-token');
      assert.equal((await signedOut.get('/admin/list-users')).status, 401, 'an unknown session cookie is no session');
      assert.ok(await sessionOf(target.browser));
    });
  });

  test('the audit log: one event per change, by whom, to whom, and no address or password', async () => {
    const calls = [];
    const call = async (event, path, body, target) => {
      const res = await admin.browser.post(path, body);
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      calls.push({ event, res, target: target ?? res.body.user?.id ?? body.userId });
      return res;
    };
    const email = freshEmail('audited');
    const made = await call('admin-create-user', '/admin/create-user', { email, password: PASSWORD, name: 'Audited' });
    const id = made.body.user.id;
    await call('admin-update-user', '/admin/update-user', { userId: id, data: { name: 'Audited Again' } });
    await call('admin-set-role', '/admin/set-role', { userId: id, role: 'admin' });
    await call('admin-ban-user', '/admin/ban-user', { userId: id, banReason: 'audit' });
    await call('admin-unban-user', '/admin/unban-user', { userId: id });
    const browser = await signIn(email);
    const token = (await sessionOf(browser)).session.token;
    await call('admin-revoke-user-session', '/admin/revoke-user-session', { sessionToken: token }, id);
    await call('admin-revoke-user-sessions', '/admin/revoke-user-sessions', { userId: id });
    await call('admin-set-user-password', '/admin/set-user-password', { userId: id, newPassword: NEW_PASSWORD });
    await call('admin-remove-user', '/admin/remove-user', { userId: id });
    for (const { event, res, target } of calls) {
      const lines = auditOf(server, res);
      assert.equal(lines.length, 1, `${event}: ${JSON.stringify(lines)}`);
      assert.equal(lines[0].event, event);
      assert.equal(lines[0].user, admin.id, `${event}: the administrator`);
      assert.equal(lines[0].target, target, `${event}: the user changed`);
      const raw = rawAuditOf(server, res);
      for (const secret of [email, admin.email, PASSWORD, NEW_PASSWORD, token]) assert.ok(!raw.includes(secret), `${event} logs ${secret}`);
    }
  });

  describe('listing: search, filter, sort and pages', () => {
    listingTests(() => ({ server, admin, setNullRole: (id) => sql(server.db, `update "user" set "role" = NULL where "id" = '${id}'`) }));
  });

  test("BetterAuth's client with adminClient() drives the admin routes", async () => {
    const { client } = browserClient(server.url, { plugins: [adminClient()] });
    const inn = await client.signIn.email({ email: admin.email, password: PASSWORD });
    assert.equal(inn.error, null);
    const email = freshEmail('client');

    const made = await client.admin.createUser({ email, password: PASSWORD, name: 'Client Made', role: 'user' });
    assert.equal(made.error, null, JSON.stringify(made.error));
    assert.equal(made.data.user.email, email);
    assert.equal(made.data.user.role, 'user');
    const id = made.data.user.id;

    const listed = await client.admin.listUsers({ query: { searchValue: email, searchField: 'email', limit: 10 } });
    assert.equal(listed.error, null, JSON.stringify(listed.error));
    assert.equal(listed.data.total, 1);
    assert.equal(listed.data.limit, 10);
    assert.equal(listed.data.offset, 0);
    assert.deepEqual(listed.data.users.map((u) => u.id), [id]);

    const got = await client.admin.getUser({ query: { id } });
    assert.equal(got.error, null, JSON.stringify(got.error));
    assert.equal(got.data.id, id);

    const role = await client.admin.setRole({ userId: id, role: ['user', 'admin'] });
    assert.equal(role.error, null, JSON.stringify(role.error));
    assert.equal(role.data.user.role, 'user,admin');

    const ban = await client.admin.banUser({ userId: id, banReason: 'client ban', banExpiresIn: 60 });
    assert.equal(ban.error, null, JSON.stringify(ban.error));
    assert.equal(ban.data.user.banned, true);
    assert.equal(ban.data.user.banReason, 'client ban');
    const { client: target } = browserClient(server.url);
    const refused = await target.signIn.email({ email, password: PASSWORD });
    assert.equal(refused.error.status, 403);
    assert.equal(refused.error.code, 'BANNED_USER');

    const unban = await client.admin.unbanUser({ userId: id });
    assert.equal(unban.error, null, JSON.stringify(unban.error));
    assert.equal(unban.data.user.banned, false);
    assert.equal((await target.signIn.email({ email, password: PASSWORD })).error, null);
    assert.equal((await client.admin.listUserSessions({ userId: id })).data.sessions.length, 1);

    const may = await client.admin.hasPermission({ permissions: { user: ['ban'] } });
    assert.deepEqual(may.data, { error: null, success: true });

    const self = await client.admin.removeUser({ userId: admin.id });
    assert.equal(self.error.status, 400);
    assert.equal(self.error.code, 'YOU_CANNOT_REMOVE_YOURSELF');
    const removed = await client.admin.removeUser({ userId: id });
    assert.deepEqual(removed, { data: { success: true }, error: null });
    const gone = await client.admin.getUser({ query: { id } });
    assert.equal(gone.error.status, 404);
    assert.equal(gone.error.code, 'USER_NOT_FOUND');

    // A client whose user is not an administrator sees the 403.
    const { client: plain } = browserClient(server.url, { plugins: [adminClient()] });
    assert.equal((await plain.signUp.email({ name: 'Plain', email: freshEmail('plain'), password: PASSWORD })).error, null);
    const denied = await plain.admin.listUsers({ query: {} });
    assert.equal(denied.error.status, 403);
    assert.equal(denied.error.code, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
  });
});

/**
 * The list-users tests on the server and administrator `get()` gives (when the tests run), with
 * `setNullRole(id)` to empty a user's role column as a database from before the plugin has it.
 */
function listingTests(get) {
  const tag = `q${process.pid}z${Date.now().toString(36)}`;
  const pad = (i) => String(i).padStart(2, '0');
  const WORDS = ['Alpha', 'beta', 'GAMMA', 'delta', 'Epsilon'];
  const SPECIAL = { 0: `${tag} 100% sure`, 1: `${tag} 100x sure`, 2: `${tag} a_b`, 3: `${tag} aXb` };
  const ROLES = { 4: 'admin', 9: 'admin', 14: ['user', 'admin'] };
  const N = 25;
  const emails = Array.from({ length: N }, (_, i) => `${tag}-${pad(i)}@${i % 2 ? 'odd' : 'even'}-${tag}.example`);
  const names = Array.from({ length: N }, (_, i) => SPECIAL[i] ?? `${tag} ${WORDS[i % 5]} ${pad(i)}`);
  const ids = [];
  let list;

  before(async () => {
    const { admin } = get();
    for (let i = 0; i < N; i++) {
      const body = { email: emails[i], password: PASSWORD, name: names[i] };
      if (ROLES[i]) body.role = ROLES[i];
      if (i % 3 === 0) body.data = { emailVerified: true };
      const res = await admin.browser.post('/admin/create-user', body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      ids.push(res.body.user.id);
    }
    get().setNullRole(ids[19]);
    for (const i of [7, 8]) assert.equal((await admin.browser.post('/admin/ban-user', { userId: ids[i] })).status, 200);
    list = async (params) => {
      const res = await admin.browser.get(`/admin/list-users${query(params)}`);
      assert.equal(res.status, 200, `${JSON.stringify(params)}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
  });
  /** The indexes (into ids) of the users of a page, in its order. */
  const which = (page) => page.users.map((u) => ids.indexOf(u.id));
  const range = (from, to) => Array.from({ length: to - from }, (_, k) => from + k);
  const byEmail = { searchValue: tag, searchField: 'email', sortBy: 'email' };

  test('search by e-mail or name: contains (the default), starts_with, ends_with; case-insensitive', async () => {
    let page = await list({ ...byEmail });
    assert.equal(page.total, N);
    assert.deepEqual(which(page), range(0, N));
    page = await list({ searchValue: `${tag}-2`, sortBy: 'email' });  // searchField email by default
    assert.deepEqual(which(page), range(20, 25));
    page = await list({ searchValue: `${tag}-1`, searchField: 'email', searchOperator: 'starts_with', sortBy: 'email' });
    assert.deepEqual(which(page), range(10, 20));
    assert.equal(page.total, 10);
    assert.equal((await list({ searchValue: `odd-${tag}`, searchField: 'email', searchOperator: 'starts_with' })).total, 0);
    page = await list({ searchValue: `odd-${tag}.EXAMPLE`, searchField: 'email', searchOperator: 'ends_with', sortBy: 'email' });
    assert.deepEqual(which(page), range(0, N).filter((i) => i % 2));
    page = await list({ searchValue: `${tag.toUpperCase()} alpha`, searchField: 'name', sortBy: 'email' });
    assert.deepEqual(which(page), [5, 10, 15, 20]);
    page = await list({ searchValue: `${tag} gamma 1`, searchField: 'name', searchOperator: 'contains', sortBy: 'email' });
    assert.deepEqual(which(page), [12, 17]);
    assert.deepEqual(which(await list({ searchValue: `EPSILON 24`, searchField: 'name', searchOperator: 'ends_with' })), [24]);
    assert.equal((await list({ searchValue: `${tag} epsilon 2`, searchField: 'name', searchOperator: 'ends_with' })).total, 0);
  });

  test('search: % and _ are literal', async () => {
    assert.deepEqual(which(await list({ searchValue: `${tag} 100%`, searchField: 'name' })), [0]);
    assert.deepEqual(which(await list({ searchValue: '% sure', searchField: 'name', searchOperator: 'ends_with' })), [0]);
    assert.deepEqual(which(await list({ searchValue: `${tag} a_b`, searchField: 'name' })), [2]);
    assert.deepEqual(which(await list({ searchValue: `${tag} a`, searchField: 'name', searchOperator: 'starts_with', sortBy: 'email' })), [2, 3, 5, 10, 15, 20]);
    assert.equal((await list({ searchValue: `${tag}-_0`, searchField: 'email' })).total, 0);
    assert.equal((await list({ searchValue: `${tag}-%`, searchField: 'email' })).total, 0);
  });

  test('filter: eq and ne on role (a NULL role is "user"), emailVerified, banned, id, email, name', async () => {
    const admins = [4, 9];
    const notUser = [4, 9, 14];
    let page = await list({ ...byEmail, filterField: 'role', filterValue: 'admin' });
    assert.deepEqual(which(page), admins);
    assert.equal(page.total, 2);
    page = await list({ ...byEmail, filterField: 'role', filterValue: 'user', filterOperator: 'eq' });
    assert.deepEqual(which(page), range(0, N).filter((i) => !notUser.includes(i)), 'the NULL role (19) counts as user');
    page = await list({ ...byEmail, filterField: 'role', filterValue: 'user', filterOperator: 'ne' });
    assert.deepEqual(which(page), notUser);
    page = await list({ ...byEmail, filterField: 'role', filterValue: 'user,admin' });
    assert.deepEqual(which(page), [14]);
    page = await list({ ...byEmail, filterField: 'emailVerified', filterValue: 'true' });
    assert.deepEqual(which(page), range(0, N).filter((i) => i % 3 === 0));
    page = await list({ ...byEmail, filterField: 'emailVerified', filterValue: 'true', filterOperator: 'ne' });
    assert.equal(page.total, N - 9);
    page = await list({ ...byEmail, filterField: 'banned', filterValue: 'true' });
    assert.deepEqual(which(page), [7, 8]);
    assert.ok(page.users.every((u) => u.banned === true && u.banReason === 'No reason'));
    page = await list({ ...byEmail, filterField: 'banned', filterValue: 'false' });
    assert.equal(page.total, N - 2);
    page = await list({ filterField: 'id', filterValue: ids[13] });
    assert.deepEqual(which(page), [13]);
    assert.equal(page.total, 1);
    page = await list({ filterField: 'email', filterValue: emails[6] });
    assert.deepEqual(which(page), [6]);
    page = await list({ ...byEmail, filterField: 'name', filterValue: names[11], filterOperator: 'ne' });
    assert.equal(page.total, N - 1);
    assert.ok(!which(page).includes(11));
  });

  test('filter: contains, starts_with, ends_with on a text field, case-insensitive, with % and _ literal; beside a search', async () => {
    let page = await list({ ...byEmail, filterField: 'role', filterValue: 'ADMIN', filterOperator: 'contains' });
    assert.deepEqual(which(page), [4, 9, 14]);
    page = await list({ ...byEmail, filterField: 'role', filterValue: 'user', filterOperator: 'starts_with' });
    assert.deepEqual(which(page), range(0, N).filter((i) => i !== 4 && i !== 9), 'the NULL role (19) starts with "user"');
    page = await list({ ...byEmail, filterField: 'name', filterValue: 'gamma 12', filterOperator: 'ends_with' });
    assert.deepEqual(which(page), [12]);
    page = await list({ sortBy: 'email', filterField: 'email', filterValue: `odd-${tag}.example`, filterOperator: 'ends_with' });
    assert.deepEqual(which(page), range(0, N).filter((i) => i % 2));
    page = await list({ sortBy: 'email', filterField: 'name', filterValue: `${tag} a_b`, filterOperator: 'starts_with' });
    assert.deepEqual(which(page), [2], '_ is literal: not "aXb"');
    page = await list({ searchValue: `even-${tag}`, searchField: 'email', sortBy: 'email', filterField: 'name', filterValue: 'delta', filterOperator: 'contains' });
    assert.deepEqual(which(page), [8, 18]);
    assert.equal(page.total, 2);
  });

  test('sort and pages: limit and offset, with the total of all matches', async () => {
    const desc = await list({ ...byEmail, sortDirection: 'desc' });
    assert.deepEqual(which(desc), range(0, N).reverse());
    const pages = [];
    for (const offset of [0, 10, 20]) {
      const page = await list({ ...byEmail, limit: 10, offset });
      assert.equal(page.total, N);
      assert.equal(page.limit, 10);
      assert.equal(page.offset, offset);
      pages.push(...which(page));
    }
    assert.deepEqual(pages, range(0, N));
    const past = await list({ ...byEmail, limit: 10, offset: 30 });
    assert.deepEqual(past.users, []);
    assert.equal(past.total, N);
    const beta = await list({ searchValue: `${tag} beta`, searchField: 'name', sortBy: 'name', sortDirection: 'desc' });
    assert.deepEqual(which(beta), [21, 16, 11, 6]);
    const third = await list({ ...byEmail, filterField: 'emailVerified', filterValue: 'true', limit: 3, offset: 6 });
    assert.equal(third.total, 9);
    assert.deepEqual(which(third), [18, 21, 24]);
    const verified = await list({ ...byEmail, sortBy: 'emailVerified', sortDirection: 'desc', limit: 9 });
    assert.ok(verified.users.every((u) => u.emailVerified), 'true before false, descending');
    const banned = await list({ ...byEmail, sortBy: 'banned', sortDirection: 'desc', limit: 2 });
    assert.deepEqual(which(banned).sort(), [7, 8]);
  });
}

describe('on PostgreSQL: listing', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  const name = `pc_admin_list_${process.pid}`;
  const dbUrl = PG_URL && Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
  let pgServer;
  let pgAdmin;
  before(async () => {
    psql(PG_URL, `DROP DATABASE IF EXISTS ${name}`);
    psql(PG_URL, `CREATE DATABASE ${name}`);
    pgServer = await startServer({ admin: true, database: dbUrl });
    pgAdmin = await administrator(pgServer);
  });
  after(async () => {
    await pgServer?.stop();
    if (PG_URL) psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  listingTests(() => ({
    server: pgServer,
    admin: pgAdmin,
    setNullRole: (id) => psql(dbUrl, `UPDATE "user" SET "role" = NULL WHERE "id" = '${id}'`),
  }));
});

// Node 20 has no SQLite driver for BetterAuth here, so the shared database is PostgreSQL's.
describe('on a PostgreSQL database shared with BetterAuth and its admin plugin', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let auth;
  let pgServer;
  let baAdmin;  // {email, id, headers}: an administrator BetterAuth made, signed in to BetterAuth
  before(async () => {
    db = await betterAuthOnPostgres(PG_URL, `pc_admin_${process.pid}`, { plugins: [adminPlugin()] });
    auth = db.auth;
    // scrypt: hashes BetterAuth verifies; no session cache, so BetterAuth's writes show at once.
    pgServer = await startServer({ database: db.dbUrl, admin: true, passwordHash: 'scrypt', sessionCacheTtl: 0 });
    const email = freshEmail('ba-admin');
    const made = await auth.api.createUser({ body: { email, password: PASSWORD, name: 'BetterAuth Admin', role: 'admin' } });
    const signedIn = await auth.api.signInEmail({ body: { email, password: PASSWORD }, returnHeaders: true });
    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    baAdmin = { email, id: made.user.id, headers: new Headers({ cookie }) };
  });
  after(async () => {
    await pgServer?.stop();
    await db?.drop();
  });

  test('a role BetterAuth set makes a Portcullis administrator, and its taking away unmakes one', async () => {
    const u = await signedUp(pgServer.api);
    assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
    const set = await auth.api.setRole({ body: { userId: u.id, role: ['user', 'admin'] }, headers: baAdmin.headers });
    assert.equal(set.user.role, 'user,admin');
    const listed = await u.browser.get('/admin/list-users');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.users.find((x) => x.id === baAdmin.id).role, 'admin');
    assert.equal((await u.browser.get('/get-session')).body.user.role, 'user,admin');
    await auth.api.setRole({ body: { userId: u.id, role: 'user' }, headers: baAdmin.headers });
    assertError(await u.browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');
    // BetterAuth's own administrator signs in to Portcullis and is one there too.
    const browser = new Browser(pgServer.api);
    assert.equal((await browser.post('/sign-in/email', { email: baAdmin.email, password: PASSWORD })).status, 200);
    assert.equal((await browser.get(`/admin/get-user${query({ id: u.id })}`)).body.role, 'user');
  });

  test('users Portcullis creates, gives roles and bans are BetterAuth\'s users with those roles and bans', async () => {
    const portcullisAdmin = await administrator(pgServer);
    const email = freshEmail('pc-made');
    const made = await portcullisAdmin.browser.post('/admin/create-user', { email, password: PASSWORD, name: 'Made Here', role: 'admin' });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const id = made.body.user.id;
    let seen = await auth.api.listUsers({ query: { searchValue: email, searchField: 'email' }, headers: baAdmin.headers });
    assert.equal(seen.total, 1);
    assert.equal(seen.users[0].id, id);
    assert.equal(seen.users[0].role, 'admin');
    assert.equal(seen.users[0].banned, false);

    const role = await portcullisAdmin.browser.post('/admin/set-role', { userId: id, role: ['user', 'admin'] });
    assert.equal(role.status, 200, JSON.stringify(role.body));
    const session = await auth.api.signInEmail({ body: { email, password: PASSWORD }, returnHeaders: true });
    const headers = new Headers({ cookie: session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') });
    const got = await auth.api.getSession({ headers });
    assert.equal(got.user.id, id);
    assert.equal(got.user.role, 'user,admin');
    // And BetterAuth takes the user for an administrator.
    const theirs = await auth.api.listUsers({ query: { filterField: 'id', filterValue: portcullisAdmin.id }, headers });
    assert.equal(theirs.users[0].role, 'admin');

    const ban = await portcullisAdmin.browser.post('/admin/ban-user', { userId: id, banReason: 'interop' });
    assert.equal(ban.status, 200, JSON.stringify(ban.body));
    seen = await auth.api.listUsers({ query: { filterField: 'id', filterValue: id }, headers: baAdmin.headers });
    assert.equal(seen.users[0].banned, true);
    assert.equal(seen.users[0].banReason, 'interop');
    assert.equal(await auth.api.getSession({ headers }), null, 'the ban ended the BetterAuth session too');
    await assert.rejects(auth.api.signInEmail({ body: { email, password: PASSWORD } }), (e) => e.body?.code === 'BANNED_USER');

    // BetterAuth lifts the ban; Portcullis lets the user in.
    await auth.api.unbanUser({ body: { userId: id }, headers: baAdmin.headers });
    assert.equal((await new Browser(pgServer.api).post('/sign-in/email', { email, password: PASSWORD })).status, 200);
    // Portcullis removes the user; BetterAuth has no such user any more.
    assert.deepEqual((await portcullisAdmin.browser.post('/admin/remove-user', { userId: id })).body, { success: true });
    seen = await auth.api.listUsers({ query: { filterField: 'id', filterValue: id }, headers: baAdmin.headers });
    assert.equal(seen.total, 0);
  });
});

// ---- Impersonation (--admin-impersonation) -----------------------------------------------------
// BetterAuth's admin plugin's impersonate-user and stop-impersonating: an administrator's browser
// becomes signed in as a user (not an administrator, not a banned user) in a session marked with
// impersonatedBy, which lasts --admin-impersonation-duration and is never extended; the
// administrator's own session waits in BetterAuth's signed admin_session cookie, to return to.
// (Import declarations are hoisted, so they may stand here.)
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET } from '../support/server.mjs';

const COOKIE_ATTRS = 'Path=/; HttpOnly; SameSite=Lax';
const WEEK = 604800;  // the default --session-expires-in, in seconds
const ADMIN_SESSION = 'better-auth.admin_session';
const SESSION_TOKEN = 'better-auth.session_token';
const DONT_REMEMBER = 'better-auth.dont_remember';
const OTHER_SECRET = 'another-secret-0123456789-0123456789-abcdef';
// BetterAuth's signed value: value "." base64(HMAC-SHA-256(secret, value)); percent-encoded in a cookie.
const signedValue = (value, secret = SECRET) => `${value}.${createHmac('sha256', secret).update(value).digest('base64')}`;
const cookieValue = (value, secret) => encodeURIComponent(signedValue(value, secret));
const deletedCookie = (name) => `${name}=; Max-Age=0; ${COOKIE_ATTRS}`;
/** The session token a browser's session cookie holds. */
const tokenIn = (browser) => decodeURIComponent(browser.jar.get(SESSION_TOKEN)).split('.')[0];
const sessionRow = (s, token) => sql(s.db, `select * from "session" where "token" = '${token}'`)[0];
const bearer = (token) => ({ authorization: `Bearer ${signedValue(token)}` });
/** get-session in a new, cookie-less browser with `headers` (a bearer token, a Cookie header). */
const getSessionWith = (s, headers) => new Browser(s.api).get('/get-session', headers);

/** Impersonates `userId` from a copy of `from` (a signed-in browser); returns {browser, res, token}. */
async function impersonation(s, from, userId) {
  const browser = new Browser(s.api);
  browser.jar = new Map(from.jar);
  const res = await browser.post('/admin/impersonate-user', { userId });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, res, token: res.body.session.token };
}

test('impersonation: off without --admin-impersonation (404); --admin-impersonation needs --admin', async () => {
  await withServer({ admin: true }, async (s) => {
    const adm = await administrator(s);
    const target = await signedUp(s.api);
    assert.equal((await adm.browser.post('/admin/impersonate-user', { userId: target.id })).status, 404);
    assert.equal((await adm.browser.post('/admin/stop-impersonating', {})).status, 404);
    assert.equal((await sql(s.db, `select count(*) as n from "session" where "userId" = '${target.id}'`))[0].n, 1);
    const me = await adm.browser.get('/get-session');
    assert.equal(me.body.session.impersonatedBy, null, 'with --admin, a session has impersonatedBy all the same');
  });
  await withServer({}, async (s) => {
    const u = await signedUp(s.api);
    assert.ok(!('impersonatedBy' in (await u.browser.get('/get-session')).body.session), 'without --admin, no impersonatedBy');
  });
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  try {
    const serve = (...flags) => spawnSync(BIN, ['serve', '--port', '0', '--database', join(dir, 'auth.db'), ...flags], {
      encoding: 'utf8', env: { ...process.env, BETTER_AUTH_SECRET: SECRET }, timeout: 10000,
    });
    for (const flags of [
      ['--admin-impersonation', 'true'],
      ['--admin', 'false', '--admin-impersonation', 'true'],
      ['--admin', 'true', '--admin-impersonation', 'true', '--admin-impersonation-duration', '0'],
    ]) {
      const run = serve(...flags);
      assert.equal(run.signal, null, `${flags}: it served (killed after 10 s) instead of refusing`);
      assert.notEqual(run.status, 0, flags.join(' '));
      assert.match(run.stderr, /adminImpersonation|admin-impersonation/i, run.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('with --admin --admin-impersonation', () => {
  let server;
  let admin;  // {email, browser, id}: an administrator, made by the command line
  let named;  // a user whose role is "user", but whom --admin-user-ids makes an administrator
  let firstDir;
  before(async () => {
    const first = await startServer({ admin: true });
    named = await signedUp(first.api, { what: 'named' });
    await first.stop({ keep: true });
    firstDir = first.dir;
    // The default session cache and impersonation duration (3600 s).
    server = await startServer({ admin: true, adminImpersonation: true, adminUserIds: [named.id], database: first.db });
    admin = await administrator(server);
  });
  after(async () => {
    await server?.stop();
    if (firstDir) rmSync(firstDir, { recursive: true, force: true });
  });

  /** The administrator signed in anew, in a browser of its own: {browser, token}. */
  async function adminTab(body = {}) {
    const browser = new Browser(server.api);
    const res = await browser.post('/sign-in/email', { email: admin.email, password: PASSWORD, ...body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { browser, token: tokenIn(browser) };
  }

  test('impersonate-user: {session, user}; the browser is signed in as the user, in a session the administrator made', async () => {
    const target = await signedUp(server.api, { what: 'target' });
    const ownToken = tokenIn(target.browser);
    const adminToken = tokenIn(admin.browser);
    const before = Date.now();
    const { browser, res, token } = await impersonation(server, admin.browser, target.id);
    const after = Date.now();
    assert.deepEqual(Object.keys(res.body).sort(), ['session', 'user']);
    assertUser(res.body.user, { ...target.user });
    const { session } = res.body;
    assert.equal(session.userId, target.id);
    assert.equal(session.impersonatedBy, admin.id);
    assert.notEqual(token, ownToken);
    const expires = Date.parse(session.expiresAt);
    assert.ok(expires >= before + 3600e3 - 1000 && expires <= after + 3600e3 + 1000, `an hour: ${session.expiresAt}`);
    // As BetterAuth: the administrator's token (and "" for remember me) in the signed admin_session
    // cookie, for as long as a session lives; the user's session for this browser session only.
    assert.deepEqual(res.headers.getSetCookie().sort(), [
      `${ADMIN_SESSION}=${cookieValue(`${adminToken}:`)}; Max-Age=${WEEK}; ${COOKIE_ATTRS}`,
      `${DONT_REMEMBER}=${cookieValue('true')}; ${COOKIE_ATTRS}`,
      `${SESSION_TOKEN}=${cookieValue(token)}; ${COOKIE_ATTRS}`,
    ].sort());

    const me = await browser.get('/get-session');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, target.id);
    assert.equal(me.body.session.token, token);
    assert.equal(me.body.session.impersonatedBy, admin.id);
    assert.equal(me.body.session.expiresAt, session.expiresAt);
    assertError(await browser.get('/admin/list-users'), 403, 'YOU_ARE_NOT_ALLOWED_TO_LIST_USERS');  // the user's rights
    const row = sessionRow(server, token);
    assert.equal(row.userId, target.id);
    assert.equal(row.impersonatedBy, admin.id);

    const adminNow = (await admin.browser.get('/get-session')).body;
    assert.equal(adminNow.user.id, admin.id, "the administrator's own session stays");
    assert.equal(adminNow.session.token, adminToken);
    assert.equal(adminNow.session.impersonatedBy, null);
    const own = (await target.browser.get('/get-session')).body;
    assert.equal(own.session.token, ownToken, "and the user's");
    assert.equal(own.session.impersonatedBy, null);
  });

  test('refused: not an administrator, no session, another origin, an unknown user, administrators, a banned user', async () => {
    const target = await signedUp(server.api);
    const banned = await signedUp(server.api, { what: 'banned' });
    assert.equal((await admin.browser.post('/admin/ban-user', { userId: banned.id })).status, 200);
    const otherAdmin = await administrator(server);
    const both = await administrator(server, 'user,admin');
    const jar = new Map(admin.browser.jar);
    const impersonate = (browser, userId) => browser.post('/admin/impersonate-user', { userId });

    const plain = await signedUp(server.api);
    assertError(await impersonate(plain.browser, target.id), 403, 'YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS');
    assertError(await impersonate(new Browser(server.api), target.id), 401, 'UNAUTHORIZED');
    const evil = new Browser(server.api, { origin: EVIL });
    evil.jar = new Map(admin.browser.jar);
    assertError(await impersonate(evil, target.id), 403, 'INVALID_ORIGIN');
    assertError(await impersonate(admin.browser, MISSING_ID), 404, 'USER_NOT_FOUND');
    for (const [who, id] of [['role admin', otherAdmin.id], ['role user,admin', both.id], ['--admin-user-ids', named.id], ['yourself', admin.id]]) {
      const res = await impersonate(admin.browser, id);
      assert.equal(res.body.code, 'YOU_CANNOT_IMPERSONATE_ADMINS', `${who}: ${res.status} ${JSON.stringify(res.body)}`);
      assertError(res, 403, 'YOU_CANNOT_IMPERSONATE_ADMINS');
    }
    assertError(await impersonate(admin.browser, banned.id), 403, 'BANNED_USER');

    assert.deepEqual(admin.browser.jar, jar, "the administrator's cookies are unchanged");
    const ids = [target.id, banned.id, otherAdmin.id, both.id, named.id, admin.id].map((id) => `'${id}'`).join(', ');
    assert.deepEqual(sql(server.db, `select "id" from "session" where "impersonatedBy" is not null and "userId" in (${ids})`), []);
  });

  test('sessions: impersonatedBy on each; the user\'s list-sessions hides the impersonation, list-user-sessions shows it', async () => {
    const target = await signedUp(server.api);
    const ownToken = tokenIn(target.browser);
    const { browser, token } = await impersonation(server, admin.browser, target.id);
    for (const [who, b] of [['the user', target.browser], ['the impersonating browser', browser]]) {
      const mine = await b.get('/list-sessions');
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.map((s) => s.token), [ownToken], who);
      assert.equal(mine.body[0].impersonatedBy, null, who);
    }
    const listed = await admin.browser.post('/admin/list-user-sessions', { userId: target.id });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const byToken = Object.fromEntries(listed.body.sessions.map((s) => [s.token, s]));
    assert.deepEqual(Object.keys(byToken).sort(), [ownToken, token].sort());
    assert.equal(byToken[token].impersonatedBy, admin.id);
    assert.equal(byToken[ownToken].impersonatedBy, null);
    const adminList = await admin.browser.get('/list-sessions');
    assert.ok(adminList.body.length >= 1);
    for (const s of adminList.body) assert.equal(s.impersonatedBy, null, JSON.stringify(s));
  });

  test('stop-impersonating: back to the administrator\'s session (remembered), and the impersonation is deleted', async () => {
    const target = await signedUp(server.api);
    const adminToken = tokenIn(admin.browser);
    const { browser, token } = await impersonation(server, admin.browser, target.id);
    const res = await browser.post('/admin/stop-impersonating', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['session', 'user']);
    assertUser(res.body.user, { id: admin.id, email: admin.email, role: 'admin' });
    assert.equal(res.body.session.token, adminToken);
    assert.equal(res.body.session.userId, admin.id);
    assert.equal(res.body.session.impersonatedBy, null);
    // As BetterAuth: the session cookie with a Max-Age again, so no dont_remember, and no admin_session.
    assert.deepEqual(res.headers.getSetCookie().sort(), [
      deletedCookie(ADMIN_SESSION),
      deletedCookie(DONT_REMEMBER),
      `${SESSION_TOKEN}=${cookieValue(adminToken)}; Max-Age=${WEEK}; ${COOKIE_ATTRS}`,
    ].sort());
    assert.deepEqual([...browser.jar.keys()], [SESSION_TOKEN]);
    assert.equal(sessionRow(server, token), undefined, 'the impersonation session is deleted');
    const me = (await browser.get('/get-session')).body;
    assert.equal(me.user.id, admin.id);
    assert.equal(me.session.token, adminToken);
    assert.equal(me.session.impersonatedBy, null);
    assert.equal((await getSessionWith(server, bearer(token))).body, null, 'the impersonation token works no more');
    assert.equal((await target.browser.get('/get-session')).body.user.id, target.id, "the user's own session stays");
  });

  test('stop-impersonating gives an administrator who signed in without "remember me" such a session back', async () => {
    const tab = await adminTab({ rememberMe: false });
    const target = await signedUp(server.api);
    const started = await tab.browser.post('/admin/impersonate-user', { userId: target.id });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.ok(started.headers.getSetCookie().includes(
      `${ADMIN_SESSION}=${cookieValue(`${tab.token}:true`)}; Max-Age=${WEEK}; ${COOKIE_ATTRS}`), started.headers.getSetCookie().join('\n'));
    const res = await tab.browser.post('/admin/stop-impersonating', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.session.token, tab.token);
    assert.deepEqual(res.headers.getSetCookie().sort(), [
      deletedCookie(ADMIN_SESSION),
      `${DONT_REMEMBER}=${cookieValue('true')}; ${COOKIE_ATTRS}`,
      `${SESSION_TOKEN}=${cookieValue(tab.token)}; ${COOKIE_ATTRS}`,
    ].sort());
    assert.equal((await tab.browser.get('/get-session')).body.user.id, admin.id);
  });

  test('stop-impersonating: 400 NOT_IMPERSONATING for an ordinary session, 401 without one; nothing changes', async () => {
    const jar = new Map(admin.browser.jar);
    const res = await admin.browser.post('/admin/stop-impersonating', {});
    assertError(res, 400, 'NOT_IMPERSONATING');
    assert.deepEqual(res.headers.getSetCookie(), []);
    assert.deepEqual(admin.browser.jar, jar);
    assert.equal((await admin.browser.get('/get-session')).body.user.id, admin.id);
    const u = await signedUp(server.api);
    assertError(await u.browser.post('/admin/stop-impersonating', {}), 400, 'NOT_IMPERSONATING');
    assert.equal((await u.browser.get('/get-session')).body.user.id, u.id);
    assertError(await new Browser(server.api).post('/admin/stop-impersonating', {}), 401, 'UNAUTHORIZED');
  });

  test("stop-impersonating without the administrator's live session: 401 ADMIN_SESSION_NOT_FOUND, and the impersonation ends anyway", async () => {
    const otherAdmin = await administrator(server);
    const cases = [
      ['the administrator signed out meanwhile', async (tab) => assert.equal((await tab.browser.post('/sign-out', {})).status, 200)],
      ['no admin_session cookie', async (_tab, browser) => browser.jar.delete(ADMIN_SESSION)],
      ['an admin_session cookie signed with another secret', async (tab, browser) => browser.jar.set(ADMIN_SESSION, cookieValue(`${tab.token}:`, OTHER_SECRET))],
      ['an admin_session cookie naming another administrator\'s session', async (_tab, browser) => browser.jar.set(ADMIN_SESSION, cookieValue(`${tokenIn(otherAdmin.browser)}:`))],
    ];
    for (const [what, spoil] of cases) {
      const tab = await adminTab();
      const target = await signedUp(server.api);
      const { browser, token } = await impersonation(server, tab.browser, target.id);
      await spoil(tab, browser);
      const res = await browser.post('/admin/stop-impersonating', {});
      assert.equal(res.status, 401, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
      assertError(res, 401, 'ADMIN_SESSION_NOT_FOUND');
      const cookies = res.headers.getSetCookie();
      for (const name of [ADMIN_SESSION, SESSION_TOKEN]) assert.ok(cookies.includes(deletedCookie(name)), `${what}: ${cookies.join('\n')}`);
      assert.ok(!browser.jar.has(SESSION_TOKEN) && !browser.jar.has(ADMIN_SESSION), what);
      assert.equal(sessionRow(server, token), undefined, `${what}: the impersonation session is deleted`);
      assert.equal((await browser.get('/get-session')).body, null, what);
      assert.equal((await getSessionWith(server, bearer(token))).body, null, what);
      assert.equal((await target.browser.get('/get-session')).body.user.id, target.id, `${what}: the user's own session stays`);
      assert.equal((await otherAdmin.browser.get('/get-session')).body.user.id, otherAdmin.id, what);
    }
  });

  test('the audit log: admin-impersonate-user and admin-stop-impersonating, by the administrator, to the user', async () => {
    const target = await signedUp(server.api);
    const adminToken = tokenIn(admin.browser);
    const { browser, res: started, token } = await impersonation(server, admin.browser, target.id);
    const stopped = await browser.post('/admin/stop-impersonating', {});
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    for (const [event, res] of [['admin-impersonate-user', started], ['admin-stop-impersonating', stopped]]) {
      const lines = auditOf(server, res);
      assert.equal(lines.length, 1, `${event}: ${JSON.stringify(lines)}`);
      assert.equal(lines[0].event, event);
      assert.equal(lines[0].user, admin.id, `${event}: the administrator`);
      assert.equal(lines[0].target, target.id, `${event}: the user`);
      const raw = rawAuditOf(server, res);
      for (const secret of [target.email, admin.email, adminToken, token]) assert.ok(!raw.includes(secret), `${event} logs ${secret}`);
    }
    // The administrator's session gone: the event all the same, to the user, by the administrator
    // the impersonation names.
    const tab = await adminTab();
    const again = await impersonation(server, tab.browser, target.id);
    await tab.browser.post('/sign-out', {});
    const orphan = await again.browser.post('/admin/stop-impersonating', {});
    assertError(orphan, 401, 'ADMIN_SESSION_NOT_FOUND');
    const lines = auditOf(server, orphan);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0].event, 'admin-stop-impersonating');
    assert.equal(lines[0].target, target.id);
    assert.equal(lines[0].user, admin.id, JSON.stringify(lines[0]));
  });

  test("BetterAuth's client with adminClient(): impersonateUser and stopImpersonating", async () => {
    const target = await signedUp(server.api);
    const { client, jar } = browserClient(server.url, { plugins: [adminClient()] });
    assert.equal((await client.signIn.email({ email: admin.email, password: PASSWORD })).error, null);
    const started = await client.admin.impersonateUser({ userId: target.id });
    assert.equal(started.error, null, JSON.stringify(started.error));
    assert.equal(started.data.user.id, target.id);
    assert.equal(started.data.session.impersonatedBy, admin.id);
    const as = await client.getSession();
    assert.equal(as.data.user.id, target.id);
    assert.equal(as.data.session.impersonatedBy, admin.id);
    const stopped = await client.admin.stopImpersonating();
    assert.equal(stopped.error, null, JSON.stringify(stopped.error));
    assert.equal(stopped.data.user.id, admin.id);
    assert.equal((await client.getSession()).data.user.id, admin.id);
    assert.ok(!jar.has(ADMIN_SESSION));
  });
});

test('an impersonation is never extended by the rolling refresh, whatever the request (--session-update-age 0)', async () => {
  // A refresh is due at every request here (update age 0), and would move expiresAt a week on.
  await withServer({ admin: true, adminImpersonation: true, adminImpersonationDuration: 600, sessionUpdateAge: 0, sessionCacheTtl: 0 }, async (s) => {
    const adm = await administrator(s);
    const adminToken = tokenIn(adm.browser);
    const target = await signedUp(s.api);
    const { res: started, token } = await impersonation(s, adm.browser, target.id);
    const row = sessionRow(s, token);
    assert.equal(Date.parse(row.expiresAt) - Date.parse(row.createdAt), 600e3, '--admin-impersonation-duration');
    assert.equal(started.body.session.expiresAt, row.expiresAt);
    const cookieOnly = { cookie: `${SESSION_TOKEN}=${cookieValue(token)}` };  // no dont_remember cookie
    for (const headers of [bearer(token), bearer(token), cookieOnly, bearer(token), cookieOnly]) {
      const res = await getSessionWith(s, headers);
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, target.id);
      assert.equal(res.body.session.expiresAt, row.expiresAt, `not extended: ${JSON.stringify(headers)}`);
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
    assert.deepEqual(sessionRow(s, token), row, 'the row is unchanged');
    // The control: on this server the same request does extend an ordinary session.
    sql(s.db, `update "session" set "expiresAt" = '${new Date(Date.now() + 86400e3).toISOString()}' where "token" = '${adminToken}'`);
    assert.equal((await getSessionWith(s, bearer(adminToken))).body.user.id, adm.id);
    const extended = Date.parse(sessionRow(s, adminToken).expiresAt);
    assert.ok(extended > Date.now() + 6 * 86400e3, `the administrator's session is refreshed: ${new Date(extended).toISOString()}`);
  });
});

// Node 20 has no SQLite driver for BetterAuth here, so the shared database is PostgreSQL's.
describe('impersonation on a PostgreSQL database shared with BetterAuth and its admin plugin', { skip: !PG_URL && 'PORTCULLIS_TEST_POSTGRES is not set' }, () => {
  let db;
  let auth;
  let pgServer;
  before(async () => {
    db = await betterAuthOnPostgres(PG_URL, `pc_admin_imp_${process.pid}`, { plugins: [adminPlugin()] });
    auth = db.auth;
    pgServer = await startServer({ database: db.dbUrl, admin: true, adminImpersonation: true, passwordHash: 'scrypt', sessionCacheTtl: 0 });
  });
  after(async () => {
    await pgServer?.stop();
    await db?.drop();
  });

  test("BetterAuth's impersonate-user, Portcullis's stop-impersonating; and the other way round", async () => {
    const target = await signedUp(pgServer.api);
    const email = freshEmail('ba-admin');
    const made = await auth.api.createUser({ body: { email, password: PASSWORD, name: 'BetterAuth Admin', role: 'admin' } });
    const signedIn = await auth.api.signInEmail({ body: { email, password: PASSWORD }, returnHeaders: true });
    const browser = new Browser(pgServer.api);  // BetterAuth's administrator's browser
    browser.absorb(signedIn);
    const started = await auth.api.impersonateUser({ body: { userId: target.id }, headers: new Headers({ cookie: browser.cookieHeader() }), returnHeaders: true });
    browser.absorb(started);
    const as = (await browser.get('/get-session')).body;
    assert.equal(as.user.id, target.id);
    assert.equal(as.session.impersonatedBy, made.user.id);
    const stop = await browser.post('/admin/stop-impersonating', {});
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    assert.equal(stop.body.user.id, made.user.id);
    assert.equal(stop.body.session.token, signedIn.response.token);
    assert.equal((await auth.api.getSession({ headers: new Headers({ cookie: browser.cookieHeader() }) })).user.id, made.user.id);
    assert.equal(psql(db.dbUrl, `SELECT count(*) FROM "session" WHERE "token" = '${started.response.session.token}'`), '0');

    const pcAdmin = await administrator(pgServer);
    const mine = await pcAdmin.browser.post('/admin/impersonate-user', { userId: target.id });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    const headers = new Headers({ cookie: pcAdmin.browser.cookieHeader() });
    assert.equal((await auth.api.getSession({ headers })).session.impersonatedBy, pcAdmin.id);
    const stopped = await auth.api.stopImpersonating({ headers, returnHeaders: true });
    assert.equal(stopped.response.user.id, pcAdmin.id);
    pcAdmin.browser.absorb(stopped);
    assert.ok(!pcAdmin.browser.jar.has(ADMIN_SESSION));
    assert.equal((await pcAdmin.browser.get('/get-session')).body.user.id, pcAdmin.id);
    assert.equal(psql(db.dbUrl, `SELECT count(*) FROM "session" WHERE "token" = '${mine.body.session.token}'`), '0');
  });
});

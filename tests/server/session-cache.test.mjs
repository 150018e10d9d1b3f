// The get-session cache (sessionCacheTtl, on by default): every change made through the server
// shows at once, even to a client whose session lookup is cached; a change made behind the
// server's back (another process writing the database) shows within the TTL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, Browser, sql, startServer, waitFor, withServer } from '../support/server.mjs';

const PASSWORD = 'correct-horse-battery';
let counter = 0;
const freshEmail = () => `cache-${++counter}@example.com`;

// A user signed in on two devices: `a` and `b` hold different sessions. `b`'s session lookup is
// cached (asked twice) before the test changes anything.
async function twoDevices(server) {
  const email = freshEmail();
  const a = new Browser(server.api);
  const b = new Browser(server.api);
  assert.equal((await a.post('/sign-up/email', { name: 'Cached', email, password: PASSWORD })).status, 200);
  const signIn = await b.post('/sign-in/email', { email, password: PASSWORD });
  assert.equal(signIn.status, 200);
  for (let i = 0; i < 2; i++) assert.equal((await b.get('/get-session')).body.user.email, email);
  return { a, b, email, bToken: signIn.body.token };
}

// A second client holding the very cookie of `browser` (the same session, another tab).
function sameSession(server, browser) {
  const copy = new Browser(server.api);
  copy.jar = new Map(browser.jar);
  return copy;
}

describe('get-session with the cache on (the default)', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  test('sign-out: the session is gone at once for every client holding it', async () => {
    const { b } = await twoDevices(server);
    const tab = sameSession(server, b);
    assert.notEqual((await tab.get('/get-session')).body, null);
    assert.equal((await b.post('/sign-out')).status, 200);
    assert.equal((await tab.get('/get-session')).body, null);
  });

  test('revoke-session from another device', async () => {
    const { a, b, bToken } = await twoDevices(server);
    assert.equal((await a.post('/revoke-session', { token: bToken })).status, 200);
    assert.equal((await b.get('/get-session')).body, null);
    assert.notEqual((await a.get('/get-session')).body, null);
  });

  test('revoke-other-sessions and revoke-sessions', async () => {
    const { a, b } = await twoDevices(server);
    const aTab = sameSession(server, a);
    assert.notEqual((await aTab.get('/get-session')).body, null);
    assert.equal((await a.post('/revoke-other-sessions')).status, 200);
    assert.equal((await b.get('/get-session')).body, null);
    assert.notEqual((await aTab.get('/get-session')).body, null);
    assert.equal((await a.post('/revoke-sessions')).status, 200);
    assert.equal((await aTab.get('/get-session')).body, null);
  });

  test('change-password with revokeOtherSessions ends the old sessions; without, they stay', async () => {
    const { a, b } = await twoDevices(server);
    const kept = await a.post('/change-password', { currentPassword: PASSWORD, newPassword: 'another-long-passphrase-1' });
    assert.equal(kept.status, 200);
    assert.notEqual((await b.get('/get-session')).body, null);
    const oldA = sameSession(server, a);
    const revoked = await a.post('/change-password', {
      currentPassword: 'another-long-passphrase-1',
      newPassword: 'yet-another-passphrase-22',
      revokeOtherSessions: true,
    });
    assert.equal(revoked.status, 200);
    assert.equal((await b.get('/get-session')).body, null);
    assert.equal((await oldA.get('/get-session')).body, null);
    assert.notEqual((await a.get('/get-session')).body, null, 'the new session works');
  });

  test('update-user: the new name shows in a cached session at once', async () => {
    const { a, b } = await twoDevices(server);
    assert.equal((await a.post('/update-user', { name: 'Renamed' })).status, 200);
    assert.equal((await b.get('/get-session')).body.user.name, 'Renamed');
  });

  test('delete-user: every session of the user is gone at once', async () => {
    const { a, b } = await twoDevices(server);
    const aTab = sameSession(server, a);
    assert.notEqual((await aTab.get('/get-session')).body, null);
    assert.equal((await a.post('/delete-user', { password: PASSWORD })).status, 200);
    assert.equal((await aTab.get('/get-session')).body, null);
    assert.equal((await b.get('/get-session')).body, null);
  });
});

describe('changes made behind the server (another process writing the database)', () => {
  test('show within sessionCacheTtl, not before', async () => {
    await withServer({ sessionCacheTtl: 3600 }, async (s) => {
      const { b, bToken } = await twoDevices(s);
      sql(s.db, `delete from session where token = '${bToken}'`);
      assert.notEqual((await b.get('/get-session')).body, null, 'a cached answer is reused within the TTL');
    });
    await withServer({ sessionCacheTtl: 1 }, async (s) => {
      const { b, bToken } = await twoDevices(s);
      sql(s.db, `delete from session where token = '${bToken}'`);
      await waitFor(async () => (await b.get('/get-session')).body === null, { timeout: 5000, what: 'the deleted session to be gone' });
    });
  });

  test('sessionCacheTtl 0 turns the cache off', async () => {
    await withServer({ sessionCacheTtl: 0 }, async (s) => {
      const { b, bToken } = await twoDevices(s);
      sql(s.db, `delete from session where token = '${bToken}'`);
      assert.equal((await b.get('/get-session')).body, null);
    });
  });
});

test('bad sessionCacheTtl or sessionCacheSize stops the server at start, with the setting named', async () => {
  for (const [flag, value] of [
    ['--session-cache-ttl', '-1'],
    ['--session-cache-ttl', 'five'],
    ['--session-cache-size', '-5'],
    ['--session-cache-size', '1e3'],
  ]) {
    const r = spawnSync(BIN, ['check-config', '--dev', flag, value], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${flag} ${value}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${flag}: expected a non-negative integer`));
  }
  await assert.rejects(startServer({ sessionCacheTtl: -1 }), /session-cache-ttl: expected a non-negative integer/);
});

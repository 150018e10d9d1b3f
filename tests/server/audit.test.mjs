// The audit log (--audit-log, on by default): every authentication decision and change of
// credentials as one JSON line on stdout, {"msg":"auth","event",...}, with the user's id, the
// client's address and the request's id, and never an e-mail address, a password, a token or a code.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { keyOfURI as keyOf, totp, wrongCode } from '../support/totp.mjs';
import { Browser, outboxMails, startServer, waitFor, withServer } from '../support/server.mjs';

let server;
before(async () => {
  server = await startServer({ twoFactor: true, mail: 'outbox' });
});
after(async () => {
  await server.stop();
});

const PASSWORD = 'audited user password';
const events = (s, pick = () => true) => s.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'auth' && pick(l));
/**
 * The audit events of the request that got `res` (by its X-Request-Id), without time and id. The
 * log reaches the test through a pipe, possibly after the answer: the request's access-log line,
 * which the server writes after its audit lines, is awaited first.
 */
async function of(s, res) {
  const rid = res.headers.get('x-request-id');
  await waitFor(() => s.logs.some((l) => JSON.parse(l).msg === 'request' && JSON.parse(l).id === rid), {
    what: `the log line of request ${rid}`,
  });
  return events(s, (l) => l.id === rid).map(({ time, id, msg, ...rest }) => {
    assert.ok(!Number.isNaN(Date.parse(time)));
    return rest;
  });
}

test('sign-up, sign-in and its failures, the second factor, and changes of credentials are each one line', async () => {
  const email = `audited-${Date.now()}@example.com`;
  const browser = new Browser(server.api);
  const up = await browser.post('/sign-up/email', { name: 'Audited', email, password: PASSWORD });
  const id = up.body.user.id;
  const ip = '127.0.0.1';
  assert.deepEqual(await of(server, up), [{ event: 'sign-up', user: id, ip }]);

  const wrong = await browser.post('/sign-in/email', { email, password: 'not the password' });
  assert.deepEqual(await of(server, wrong), [{ event: 'sign-in-failed', user: id, ip, reason: 'password' }]);
  const unknown = await browser.post('/sign-in/email', { email: 'nobody-here@example.com', password: 'not the password' });
  assert.deepEqual(await of(server, unknown), [{ event: 'sign-in-failed', ip, reason: 'password' }], 'no user, and no address');
  const signIn = await browser.post('/sign-in/email', { email, password: PASSWORD });
  assert.deepEqual(await of(server, signIn), [{ event: 'sign-in', user: id, ip, method: 'password' }]);

  const enabled = await browser.post('/two-factor/enable', { password: PASSWORD });
  const key = keyOf(enabled.body.totpURI);
  const confirmed = await browser.post('/two-factor/verify-totp', { code: totp(key) });
  assert.deepEqual(await of(server, confirmed), [{ event: 'two-factor-enabled', user: id, ip, method: 'totp' }]);

  const other = new Browser(server.api);
  const challenged = await other.post('/sign-in/email', { email, password: PASSWORD });
  assert.deepEqual(await of(server, challenged), [{ event: 'two-factor-challenge', user: id, ip }]);
  const badCode = await other.post('/two-factor/verify-totp', { code: wrongCode(totp(key, 1)) });
  assert.deepEqual(await of(server, badCode), [{ event: 'two-factor-failed', user: id, ip, method: 'totp', reason: 'wrong-code' }]);
  const passed = await other.post('/two-factor/verify-totp', { code: totp(key, 1) });
  assert.deepEqual(await of(server, passed), [{ event: 'sign-in', user: id, ip, method: 'password+totp' }]);

  const changed = await other.post('/change-password', { currentPassword: PASSWORD, newPassword: `${PASSWORD} 2` });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(await of(server, changed), [{ event: 'password-changed', user: id, ip }]);
  const codes = await other.post('/two-factor/generate-backup-codes', { password: `${PASSWORD} 2` });
  assert.deepEqual(await of(server, codes), [{ event: 'backup-codes-regenerated', user: id, ip }]);
  const off = await other.post('/two-factor/disable', { password: `${PASSWORD} 2` });
  assert.deepEqual(await of(server, off), [{ event: 'two-factor-disabled', user: id, ip }]);

  await other.post('/request-password-reset', { email, redirectTo: '/reset' });
  const mail = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'reset-password'), { what: 'the reset link' });
  const token = new URL(mail.link).pathname.split('/').pop();
  const reset = await other.post('/reset-password', { token, newPassword: `${PASSWORD} 3` });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.deepEqual(await of(server, reset), [{ event: 'password-reset', user: id, ip }]);

  const all = server.logs.join('\n');
  for (const secret of [email, PASSWORD, token, up.body.token, signIn.body.token, totp(key, 1), codes.body.backupCodes[0]]) {
    assert.ok(!all.includes(secret), `the log must not hold ${secret}`);
  }
});

test('--audit-log false: no audit lines; the access log stays', async () => {
  await withServer({ auditLog: false }, async (quiet) => {
    const res = await new Browser(quiet.api).post('/sign-up/email', { name: 'Quiet', email: `quiet-${Date.now()}@example.com`, password: PASSWORD });
    assert.equal(res.status, 200);
    assert.deepEqual(events(quiet), []);
    assert.ok(quiet.logs.some((l) => JSON.parse(l).msg === 'request'));
  });
});

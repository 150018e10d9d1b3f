// A user whose password was hashed by BetterAuth itself (npm better-auth's hashPassword: scrypt,
// "salt:key") signs in to Portcullis with that password, and the stored hash becomes Argon2id.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { hashPassword } from 'better-auth/crypto';

import { BIN, Browser, sql, startServer } from '../support/server.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

function createUser(email, password) {
  execFileSync(BIN, ['user', 'create', '--email', email, '--name', 'Imported', '--database', server.db], {
    input: `${password}\n`,
  });
  return sql(server.db, `select id from "user" where email = '${email}'`)[0].id;
}

const storedHash = (userId) =>
  sql(server.db, `select password from account where userId = '${userId}' and providerId = 'credential'`)[0].password;

test('a BetterAuth scrypt hash signs in and is rehashed to Argon2id', async () => {
  const email = 'imported@example.com';
  const userId = createUser(email, 'placeholder-password');
  const betterAuthHash = await hashPassword('Pässwörd-ß-😀 from BetterAuth');
  assert.match(betterAuthHash, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
  sql(server.db, `update account set password = '${betterAuthHash}' where userId = '${userId}'`);

  const browser = new Browser(server.api);
  const wrong = await browser.post('/sign-in/email', { email, password: 'placeholder-password' });
  assert.equal(wrong.status, 401);
  assert.equal(storedHash(userId), betterAuthHash, 'a failed sign-in leaves the hash alone');

  const ok = await browser.post('/sign-in/email', { email, password: 'Pässwörd-ß-😀 from BetterAuth' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.id, userId);
  const upgraded = storedHash(userId);
  assert.match(upgraded, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

  const again = await new Browser(server.api).post('/sign-in/email', { email, password: 'Pässwörd-ß-😀 from BetterAuth' });
  assert.equal(again.status, 200, 'the new Argon2id hash verifies the same password');
  assert.equal(storedHash(userId), upgraded, 'and is not rehashed again');
});

test('NFKC: the full-width form of a BetterAuth password signs in too', async () => {
  const email = 'fullwidth@example.com';
  const userId = createUser(email, 'placeholder-password');
  sql(server.db, `update account set password = '${await hashPassword('password123')}' where userId = '${userId}'`);
  const res = await new Browser(server.api).post('/sign-in/email', { email, password: 'ｐａｓｓｗｏｒｄ１２３' });
  assert.equal(res.status, 200);
});

test('with passwordHash=scrypt, Portcullis writes hashes BetterAuth verifies', async () => {
  const scrypt = await startServer({ passwordHash: 'scrypt' });
  try {
    const browser = new Browser(scrypt.api);
    const res = await browser.post('/sign-up/email', { name: 'Shared', email: 'shared@example.com', password: 'shared-db-password' });
    assert.equal(res.status, 200);
    const [{ password }] = sql(scrypt.db, `select password from account where userId = '${res.body.user.id}'`);
    assert.match(password, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
    const { verifyPassword } = await import('better-auth/crypto');
    assert.equal(await verifyPassword({ hash: password, password: 'shared-db-password' }), true);
    assert.equal(await verifyPassword({ hash: password, password: 'another-password' }), false);
  } finally {
    await scrypt.stop();
  }
});

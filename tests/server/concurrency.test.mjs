// Races a user would never see lost: fifty sign-ups with one e-mail at the same moment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Browser, sql, startServer } from '../support/server.mjs';

let server;
before(async () => {
  // Room for all fifty in the hash queue, so none is turned away as busy.
  server = await startServer({ hashQueue: 60, threads: 128 });
});
after(async () => {
  await server.stop();
});

test('fifty concurrent sign-ups with one e-mail: exactly one succeeds', async () => {
  const email = 'race@example.com';
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      new Browser(server.api).post('/sign-up/email', { name: `Racer ${i}`, email, password: 'race-password' }),
    ),
  );
  const ok = results.filter((r) => r.status === 200);
  const dup = results.filter((r) => r.status === 422);
  assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status)}`);
  assert.equal(dup.length, 49);
  for (const r of dup) {
    assert.deepEqual(r.body, { message: 'User already exists. Use another email.', code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL' });
  }
  assert.equal(sql(server.db, `select count(*) as n from "user" where email = '${email}'`)[0].n, 1);
  assert.equal(sql(server.db, 'select count(*) as n from account')[0].n, 1);
  assert.equal(sql(server.db, 'select count(*) as n from session')[0].n, 1);
});

// The password policy's strength rule (minPasswordScore, default 2): every flow that sets a new
// password (sign-up, change-password, reset-password, the command line) refuses one that zxcvbn
// scores lower, with 400 PASSWORD_TOO_WEAK, the score and the estimator's feedback, and changes
// nothing. The user's e-mail and name count as known words. minPasswordScore 0 and
// BetterAuth-compatible mode accept weak passwords of valid length. Expected scores and feedback
// are zxcvbn 4.4.2's (npm zxcvbn, same user inputs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { browserClient } from '../support/betterauth.mjs';

import { BIN, Browser, dump, outboxMails, sql, startServer, waitFor, withServer } from '../support/server.mjs';

const STRONG = 'correct-horse-battery';
const GENERIC = 'Password is too weak';
const COMMON_FEEDBACK = {
  warning: 'This is a very common password',
  warningKey: 'common',
  suggestions: ['Add another word or two. Uncommon words are better.'],
  suggestionKeys: ['anotherWord'],
};
// Strong for anyone (zxcvbn: 3), weak for Guinevere Ravensworth (1): her surname is a known word.
const GUINEVERE = { name: 'Guinevere Ravensworth', email: 'guinevere.ravensworth@example.com' };
const HER_PASSWORD = 'ravensworth1987';

let server; // defaults: minPasswordScore 2, mail to the outbox
before(async () => {
  server = await startServer({ mail: 'outbox' });
});
after(async () => {
  await server.stop();
});

let counter = 0;
const freshEmail = (tag = 'user') => `${tag}-${++counter}@example.com`;

// A 400 PASSWORD_TOO_WEAK in the contract's error shape, BetterAuth's keys first.
// `message` defaults to the generic one, for a verdict without a warning; null skips the check.
function assertTooWeak(res, { score, message = GENERIC, feedback }) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(Object.keys(res.body), ['message', 'code', 'score', 'feedback']);
  assert.equal(res.body.code, 'PASSWORD_TOO_WEAK');
  if (message !== null) assert.equal(res.body.message, message);
  assert.equal(res.body.score, score);
  assert.deepEqual(Object.keys(res.body.feedback), ['warning', 'warningKey', 'suggestions', 'suggestionKeys']);
  if (feedback) assert.deepEqual(res.body.feedback, feedback);
}

// Sends a request that must be refused as too weak and must not change the database.
async function tooWeak(db, send, expected) {
  const before = dump(db);
  const res = await send();
  assertTooWeak(res, expected);
  assert.equal(dump(db), before, 'PASSWORD_TOO_WEAK: the database is unchanged');
  return res;
}

const users = (db, email) => sql(db, `select id from "user" where email = '${email}'`);

async function signUp(s, { name = 'Test User', email = freshEmail(), password = STRONG } = {}) {
  const browser = new Browser(s.api);
  const res = await browser.post('/sign-up/email', { name, email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { browser, user: res.body.user, email, password };
}

describe('sign-up', () => {
  test('[ASVS 2.1.7] a common password: 400 PASSWORD_TOO_WEAK with zxcvbn\'s warning and suggestions; no user is created', async () => {
    const email = freshEmail('weak');
    const res = await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: 'Weak', email, password: 'password123' }), {
      score: 0,
      message: 'This is a very common password',
      feedback: COMMON_FEEDBACK,
    });
    assert.equal(res.headers.get('set-cookie'), null, 'no session cookie');
    assert.deepEqual(users(server.db, email), []);
    // Other weak shapes, each with its own warning.
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: 'Q', email, password: 'qwerty2024' }), {
      score: 1,
      message: 'This is similar to a commonly used password',
      feedback: {
        warning: 'This is similar to a commonly used password',
        warningKey: 'similarToCommon',
        suggestions: ['Add another word or two. Uncommon words are better.'],
        suggestionKeys: ['anotherWord'],
      },
    });
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: 'S', email, password: 'abcdefgh' }), {
      score: 0,
      message: 'Sequences like abc or 6543 are easy to guess',
    });
    assert.deepEqual(users(server.db, email), []);
  });

  test('the length rules still come first', async () => {
    const browser = new Browser(server.api);
    const short = await browser.post('/sign-up/email', { name: 'S', email: freshEmail(), password: '1234567' });
    assert.equal(short.status, 400);
    assert.deepEqual(short.body, { message: 'Password too short', code: 'PASSWORD_TOO_SHORT' });
    const long = await browser.post('/sign-up/email', { name: 'L', email: freshEmail(), password: 'a'.repeat(129) });
    assert.deepEqual(long.body, { message: 'Password too long', code: 'PASSWORD_TOO_LONG' });
  });

  test('a password made of the user\'s own e-mail or name is too weak for that user only', async () => {
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { ...GUINEVERE, password: HER_PASSWORD }), {
      score: 1,
      feedback: { warning: '', warningKey: '', suggestions: ['Add another word or two. Uncommon words are better.'], suggestionKeys: ['anotherWord'] },
    });
    // From the e-mail alone (another name), and from the name alone (another address).
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: 'G', email: GUINEVERE.email, password: 'guinevereravensworth' }), { score: 1 });
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: GUINEVERE.name, email: freshEmail('g'), password: HER_PASSWORD }), { score: 1 });
    // The address as typed in capitals counts the same.
    await tooWeak(server.db, () => new Browser(server.api).post('/sign-up/email', { name: 'G', email: GUINEVERE.email.toUpperCase(), password: 'Guinevere.Ravensworth' }), { score: 0 });
    assert.deepEqual(users(server.db, GUINEVERE.email), []);
    // Anyone else may use it.
    const other = await signUp(server, { name: 'Someone Else', password: HER_PASSWORD });
    assert.equal(users(server.db, other.email).length, 1);
  });

  test('a strong password: 200, the user and the session exist', async () => {
    const { user, email, browser } = await signUp(server, { name: 'Strong', password: STRONG });
    assert.equal(user.email, email);
    assert.equal(users(server.db, email).length, 1);
    assert.equal((await browser.get('/get-session')).body.user.id, user.id);
    // Score 2 is enough for the default.
    await signUp(server, { name: 'Two', password: 'race-password' });
  });

  test('the estimate is bounded: a 128-character symbol string (zxcvbn\'s slowest kind) is answered quickly', async () => {
    const password = '!@#$%^&*()_+-=[]{}|;:,.<>?/~`'.repeat(5).slice(0, 128);
    const started = Date.now();
    const res = await new Browser(server.api).post('/sign-up/email', { name: 'Symbols', email: freshEmail(), password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});

describe('change-password', () => {
  test('refuses a weak new password (also one built from the user\'s name) and changes nothing', async () => {
    const a = await signUp(server, GUINEVERE);
    const change = (body) => () => a.browser.post('/change-password', body);
    await tooWeak(server.db, change({ currentPassword: STRONG, newPassword: 'password123' }), {
      score: 0,
      message: 'This is a very common password',
      feedback: COMMON_FEEDBACK,
    });
    await tooWeak(server.db, change({ currentPassword: STRONG, newPassword: HER_PASSWORD, revokeOtherSessions: true }), { score: 1 });
    // The policy comes before the current password is checked, as the length rules do.
    await tooWeak(server.db, change({ currentPassword: 'wrong-password', newPassword: 'password123' }), { score: 0, message: null });
    // Still the old password.
    assert.equal((await new Browser(server.api).post('/sign-in/email', { email: a.email, password: STRONG })).status, 200);
    const ok = await a.browser.post('/change-password', { currentPassword: STRONG, newPassword: 'a-much-better-passphrase' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await new Browser(server.api).post('/sign-in/email', { email: a.email, password: 'a-much-better-passphrase' })).status, 200);
  });
});

describe('reset-password', () => {
  async function resetToken(s, email) {
    const count = outboxMails(s.outbox).filter((m) => m.to === email && m.kind === 'reset-password').length;
    assert.equal((await new Browser(s.api).post('/request-password-reset', { email })).status, 200);
    const mail = await waitFor(() => outboxMails(s.outbox).filter((m) => m.to === email && m.kind === 'reset-password')[count], {
      what: `a reset mail to ${email}`,
    });
    return new URL(mail.link).pathname.split('/').pop();
  }

  test('refuses a weak new password without using the token up; a strong one then works', async () => {
    const a = await signUp(server, { name: 'Reset Rita', email: 'rita.resetter@example.com' });
    const token = await resetToken(server, a.email);
    const reset = (newPassword) => () => new Browser(server.api).post('/reset-password', { token, newPassword });
    await tooWeak(server.db, reset('password123'), { score: 0, message: 'This is a very common password', feedback: COMMON_FEEDBACK });
    await tooWeak(server.db, reset('resetter2024'), { score: 1 }); // her own surname
    // A weak password with a dead token: the token is the first problem.
    const dead = await new Browser(server.api).post('/reset-password', { token: 'Q'.repeat(24), newPassword: 'password123' });
    assert.deepEqual(dead.body, { message: 'Invalid token', code: 'INVALID_TOKEN' });
    const ok = await reset('a-much-better-passphrase')();
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await new Browser(server.api).post('/sign-in/email', { email: a.email, password: 'a-much-better-passphrase' })).status, 200);
  });
});

describe('turning the rule off', () => {
  test('minPasswordScore 0: weak passwords of valid length are accepted everywhere; lengths still apply', async () => {
    await withServer({ minPasswordScore: 0, mail: 'outbox' }, async (s) => {
      const a = await signUp(s, { name: 'Weak Walter', password: 'password123' });
      const short = await new Browser(s.api).post('/sign-up/email', { name: 'S', email: freshEmail(), password: 'short' });
      assert.equal(short.body.code, 'PASSWORD_TOO_SHORT');
      assert.equal((await a.browser.post('/change-password', { currentPassword: 'password123', newPassword: '12345678' })).status, 200);
      const token = await (async () => {
        assert.equal((await new Browser(s.api).post('/request-password-reset', { email: a.email })).status, 200);
        const mail = await waitFor(() => outboxMails(s.outbox).find((m) => m.to === a.email && m.kind === 'reset-password'));
        return new URL(mail.link).pathname.split('/').pop();
      })();
      assert.equal((await new Browser(s.api).post('/reset-password', { token, newPassword: 'qwerty2024' })).status, 200);
      assert.equal((await new Browser(s.api).post('/sign-in/email', { email: a.email, password: 'qwerty2024' })).status, 200);
    });
  });

  test('minPasswordScore 4: a score of 3 is refused', async () => {
    await withServer({ minPasswordScore: 4 }, async (s) => {
      await tooWeak(s.db, () => new Browser(s.api).post('/sign-up/email', { name: 'T', email: freshEmail(), password: 'Tr0ub4dor3' }), { score: 3 });
      await signUp(s, { password: 'correct horse battery staple' });
    });
  });

  test('BetterAuth-compatible mode: weak passwords and empty names are accepted, hashes are scrypt', async () => {
    await withServer({ betterAuthCompatible: true }, async (s) => {
      const res = await new Browser(s.api).post('/sign-up/email', { name: '', email: 'compat@example.com', password: 'password123' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.name, '');
      const [{ password }] = sql(s.db, `select password from account where userId = '${res.body.user.id}'`);
      assert.match(password, /^[0-9a-f]{32}:[0-9a-f]{128}$/, "BetterAuth's scrypt format");
      assert.equal((await new Browser(s.api).post('/sign-up/email', { name: 'S', email: freshEmail(), password: 'short' })).body.code, 'PASSWORD_TOO_SHORT');
    });
  });

  test('BetterAuth-compatible mode: explicit settings win over what it implies', async () => {
    await withServer({ betterAuthCompatible: true, minPasswordScore: 2, passwordHash: 'argon2id' }, async (s) => {
      await tooWeak(s.db, () => new Browser(s.api).post('/sign-up/email', { name: 'W', email: freshEmail(), password: 'password123' }), { score: 0, message: null });
      const { user } = await signUp(s, { name: '' });
      const [{ password }] = sql(s.db, `select password from account where userId = '${user.id}'`);
      assert.match(password, /^\$argon2id\$/);
    });
  });
});

describe('configuration', () => {
  const run = (args, { env = {}, input = '' } = {}) => {
    const r = spawnSync(BIN, args, { input, encoding: 'utf8', env: { ...process.env, BETTER_AUTH_SECRET: '', ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const checked = (args, options) => {
    const r = run(['check-config', '--dev', ...args], options);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('check-config shows and validates minPasswordScore (flag, file key, variable) and the mode', () => {
    assert.equal(checked([]).minPasswordScore, 2);
    assert.equal(checked(['--min-password-score', '3']).minPasswordScore, 3);
    assert.equal(checked([], { env: { PORTCULLIS_MIN_PASSWORD_SCORE: '1' } }).minPasswordScore, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'portcullis-score-')), 'config.json');
    writeFileSync(file, JSON.stringify({ minPasswordScore: 4 }));
    assert.equal(checked(['--config', file]).minPasswordScore, 4);
    for (const bad of ['5', '-1', 'two']) {
      const r = run(['check-config', '--dev', '--min-password-score', bad]);
      assert.equal(r.code, 2, `--min-password-score ${bad}`);
      assert.match(r.stderr, /min-password-score|minPasswordScore/);
    }

    const compat = checked(['--better-auth-compatible']);
    assert.equal(compat.betterAuthCompatible, true);
    assert.equal(compat.minPasswordScore, 0);
    assert.equal(compat.allowEmptyName, true);
    assert.equal(compat.passwordHash, 'scrypt');
    const explicit = checked(['--better-auth-compatible', '--password-hash', 'argon2id'], { env: { PORTCULLIS_MIN_PASSWORD_SCORE: '3' } });
    assert.equal(explicit.minPasswordScore, 3);
    assert.equal(explicit.passwordHash, 'argon2id');
    assert.equal(checked([], { env: { PORTCULLIS_BETTER_AUTH_COMPATIBLE: 'true' } }).minPasswordScore, 0);

    const help = run(['--help']).stdout;
    for (const word of ['--min-password-score', 'minPasswordScore', 'PORTCULLIS_MIN_PASSWORD_SCORE', '--better-auth-compatible',
      'betterAuthCompatible', 'PORTCULLIS_BETTER_AUTH_COMPATIBLE', 'PASSWORD_TOO_WEAK', '--allow-weak']) {
      assert.ok(help.includes(word), `--help mentions ${word}`);
    }
  });

  test('the command line applies the rule to user create and set-password; --allow-weak skips it', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'portcullis-cli-score-')), 'cli.db');
    const weak = run(['user', 'create', '--email', 'cli.weak@example.com', '--name', 'Cli Weak', '--database', db], { input: 'password123\n' });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /PASSWORD_TOO_WEAK: This is a very common password \(strength 0, at least 2 is required\)/);
    assert.match(weak.stderr, /Add another word or two/);
    assert.deepEqual(sql(db, 'select email from "user"'), []);
    const mine = run(['user', 'create', '--email', 'cli.weak@example.com', '--name', 'Cli Weak', '--database', db], { input: 'cli.weak2024\n' });
    assert.equal(mine.code, 1, 'the e-mail and name count here too');
    assert.match(mine.stderr, /PASSWORD_TOO_WEAK/);

    const forced = run(['user', 'create', '--email', 'cli.weak@example.com', '--name', 'Cli Weak', '--allow-weak', '--database', db], { input: 'password123\n' });
    assert.equal(forced.code, 0, forced.stderr);
    const short = run(['user', 'create', '--email', 'cli.short@example.com', '--allow-weak', '--database', db], { input: 'short\n' });
    assert.match(short.stderr, /PASSWORD_TOO_SHORT/, '--allow-weak does not skip the length rules');

    const before = dump(db);
    const set = run(['user', 'set-password', '--email', 'cli.weak@example.com', '--database', db], { input: '12345678\n' });
    assert.equal(set.code, 1);
    assert.match(set.stderr, /PASSWORD_TOO_WEAK: This is a top-10 common password/);
    assert.equal(dump(db), before, 'set-password refused: nothing changed');
    assert.equal(run(['user', 'set-password', '--email', 'cli.weak@example.com', '--allow-weak', '--database', db], { input: '12345678\n' }).code, 0);
    assert.equal(run(['user', 'set-password', '--email', 'cli.weak@example.com', '--database', db], { input: `${STRONG}\n` }).code, 0);
    assert.equal(run(['user', 'create', '--email', 'cli.zero@example.com', '--min-password-score', '0', '--database', db], { input: 'password123\n' }).code, 0);
  });
});

describe("BetterAuth's client", () => {
  test('receives PASSWORD_TOO_WEAK with its code, message, score and feedback', async () => {
    const { client } = browserClient(server.url);
    const email = freshEmail('client');
    const weak = await client.signUp.email({ name: 'Client', email, password: 'password123' });
    assert.equal(weak.data, null);
    assert.equal(weak.error.status, 400);
    assert.equal(weak.error.code, 'PASSWORD_TOO_WEAK');
    assert.equal(weak.error.message, 'This is a very common password');
    assert.equal(weak.error.score, 0);
    assert.deepEqual(weak.error.feedback, COMMON_FEEDBACK);
    assert.deepEqual(users(server.db, email), []);

    assert.equal((await client.signUp.email({ name: 'Client', email, password: STRONG })).error, null);
    const change = await client.changePassword({ currentPassword: STRONG, newPassword: 'iloveyou' });
    assert.equal(change.error.code, 'PASSWORD_TOO_WEAK');
    assert.equal(change.error.feedback.warningKey, 'topHundred');
    assert.equal((await client.changePassword({ currentPassword: STRONG, newPassword: 'a-much-better-passphrase' })).error, null);
  });
});

// End to end: the server's own page (web/demo, served at / with --static-dir, what `scripts/run.sh`
// opens) in Debian's headless Chromium: sign up, sign out, a forgotten password by the mailed link,
// sign in with the new one; the second factor, by the app and by a code sent by e-mail.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../support/browser.mjs';
import { Browser, outboxMails, startServer, waitFor } from '../support/server.mjs';
import { totp, wrongCode } from '../support/totp.mjs';

const DEMO = fileURLToPath(new URL('../../web/demo/', import.meta.url));

let server;
let browser;
before(async () => {
  server = await startServer({ staticDir: DEMO, mail: 'outbox', twoFactor: true, twoFactorOtp: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("the server's page: sign up, sign out, reset a forgotten password by the mailed link, sign in", async () => {
  const email = `alan${process.pid}@example.com`;
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);

  const signUp = page.locator('#sign-up');
  await signUp.getByLabel('Name').fill('Alan Turing');
  await signUp.getByLabel('E-mail').fill(email);
  await signUp.getByLabel('Password').fill('enigma-bombe-hut-8-1939');
  await signUp.getByRole('button', { name: 'Sign up' }).click();
  await page.locator('#me-name', { hasText: 'Alan Turing' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in').waitFor();

  await page.getByText('Forgot your password?').click();
  const forgot = page.locator('#forgot');
  await forgot.getByLabel('E-mail').fill(email);
  await forgot.getByRole('button', { name: 'Send the reset link' }).click();
  await forgot.getByRole('status').filter({ hasText: 'If this email exists in our system' }).waitFor();
  const mail = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'reset-password'), { what: 'the reset mail' });

  await page.goto(mail.link); // the server's link, back to this page with the token
  const reset = page.locator('#reset-form');
  await reset.getByLabel('New password').fill('turing-test-imitation-1950');
  await reset.getByRole('button', { name: 'Set the new password' }).click();
  await page.locator('#notice', { hasText: 'Your password is changed' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the token is gone from the address bar');

  const signIn = page.locator('#sign-in');
  await signIn.getByLabel('E-mail').fill(email);
  await signIn.getByLabel('Password').fill('enigma-bombe-hut-8-1939');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await signIn.locator('.error', { hasText: 'Invalid email or password' }).waitFor();
  await signIn.getByLabel('Password').fill('turing-test-imitation-1950');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#me-name', { hasText: 'Alan Turing' }).waitFor();

  // The link worked once.
  await page.goto(mail.link);
  await page.locator('#notice', { hasText: 'This link is invalid or has expired' }).waitFor();
  assert.equal(await page.locator('#reset').isHidden(), true);
  await context.close();
});

/** Opens the server's page in a fresh browser context and submits its sign-in form. */
async function signInOnPage(email, password) {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  const signIn = page.locator('#sign-in');
  await signIn.getByLabel('E-mail').fill(email);
  await signIn.getByLabel('Password').fill(password);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  return { context, page };
}

test("the server's page with --two-factor: after the password, the app's code (a wrong one first)", async () => {
  const email = `grace${process.pid}@example.com`;
  const password = 'cobol-compiler-a-0-1952';
  // The account and its authenticator app, set up through the API (the page has no settings).
  const api = new Browser(server.api);
  assert.equal((await api.post('/sign-up/email', { name: 'Grace Hopper', email, password })).status, 200);
  const enabled = await api.post('/two-factor/enable', { password });
  const code = (offset) => totp(enabled.body.totpURI, offset);
  assert.equal((await api.post('/two-factor/verify-totp', { code: code(0) })).status, 200);

  const { context, page } = await signInOnPage(email, password);
  const codeForm = page.locator('#code-form');
  await codeForm.getByLabel('Code from your authenticator app').fill(wrongCode(code(1)));
  await codeForm.getByRole('button', { name: 'Verify' }).click();
  await codeForm.locator('.error', { hasText: 'Invalid code' }).waitFor();
  await codeForm.getByLabel('Code from your authenticator app').fill(code(1));
  await codeForm.getByRole('button', { name: 'Verify' }).click();
  await page.locator('#me-name', { hasText: 'Grace Hopper' }).waitFor();
  await context.close();
});

test("the server's page with --two-factor-otp: after the password, a code sent by e-mail (a wrong one first)", async () => {
  const email = `katherine${process.pid}@example.com`;
  const password = 'orbital-trajectory-friendship-7';
  // The account, its verified address and e-mailed codes, set up through the API.
  const api = new Browser(server.api);
  assert.equal((await api.post('/sign-up/email', { name: 'Katherine Johnson', email, password })).status, 200);
  assert.equal((await api.post('/send-verification-email', { email })).status, 200);
  const verify = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'verify-email'), { what: 'the verification mail' });
  assert.equal((await api.get(verify.link.slice(server.api.length))).status, 302); // verified, back to /
  assert.deepEqual((await api.post('/two-factor/enable', { password, method: 'otp' })).body, { method: 'otp' });

  const { context, page } = await signInOnPage(email, password);
  const codeForm = page.locator('#code-form');
  await codeForm.getByRole('button', { name: 'Email me a code' }).click();
  await codeForm.getByRole('status').filter({ hasText: 'We sent a 6-digit code to your e-mail address.' }).waitFor();
  const mail = await waitFor(() => outboxMails(server.outbox).find((m) => m.to === email && m.kind === 'two-factor-code'), { what: 'the code' });
  const code = /^\s*(\d{6})\s*$/m.exec(mail.text)[1];
  await codeForm.getByLabel('Code from the e-mail').fill(wrongCode(code));
  await codeForm.getByRole('button', { name: 'Verify' }).click();
  await codeForm.locator('.error', { hasText: 'Invalid code' }).waitFor();
  await codeForm.getByLabel('Code from the e-mail').fill(code);
  await codeForm.getByRole('button', { name: 'Verify' }).click();
  await page.locator('#me-name', { hasText: 'Katherine Johnson' }).waitFor();
  await context.close();
});

// End to end: the example Docusaurus site (built with the local package) and the real server, on
// two origins, in Debian's headless Chromium. By default the site is http://localhost:A and the
// server http://127.0.0.1:B: different sites, so CORS, credentialed fetches and a cross-site
// cookie are real; the server then runs with --cookie-same-site none --cookie-partitioned, which
// Chromium needs for a third-party cookie (see web/README.md). E2E_SERVER_HOST=localhost runs the
// same suite with the server on the site's own host (same site, the default SameSite=Lax cookie).
// Screenshots of every page, light and dark, go to test-output/e2e/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import jsQR from 'jsqr';

import { launchChromium } from '../support/browser.mjs';
import { BIN, Browser, outboxMails, sql, startServer, waitFor } from '../support/server.mjs';
import { totp, wrongCode } from '../support/totp.mjs';
import { buildSite, freePort, installSite, serveSite } from './site.mjs';

const OUT = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));
const SITE_HOST = process.env.E2E_SITE_HOST ?? 'localhost';
const SERVER_HOST = process.env.E2E_SERVER_HOST ?? '127.0.0.1';
const CROSS_SITE = SITE_HOST !== SERVER_HOST;

const NAME = 'Grace Hopper';
const EMAIL = `grace${process.pid}@example.com`;
const PASSWORD = 'cobol-compiler-moth-1947!';
const WEAK = 'password1';
// Strong to the meter, but in the list of breached passwords the server is given (a file of
// Have I Been Pwned's form: SHA-1:count).
const BREACHED = 'harbour-lantern-quietly-1958!';

let server;
let siteURL;
// The main site again, on the server's host (the same built files and port): the same site as the
// server, for the sign-in links (see their tests). siteURL itself when the two share a host.
let sameSiteURL;
// Every built site's origin: a navigation there waits for React's hydration.
const siteOrigins = new Set();
let browser;
let main;
const timings = {};

/**
 * Starts a server with `config` (and mail into an outbox folder) and a build of the site against
 * it, each on a free port: {server, siteURL, sameSiteURL, seconds (the build's), stop()}.
 * `siteEnv`: the site's build variables. The site is served on 127.0.0.1, so that it answers at
 * siteURL (SITE_HOST) and at sameSiteURL (SERVER_HOST: the same site as the server), both trusted.
 */
async function launch(config, siteEnv = {}) {
  const [sitePort, serverPort] = [await freePort(), await freePort()];
  const url = `http://${SITE_HOST}:${sitePort}`;
  const sameSite = `http://${SERVER_HOST}:${sitePort}`;
  const serverURL = `http://${SERVER_HOST}:${serverPort}`;
  const s = await startServer({
    port: serverPort,
    baseURL: serverURL,
    trustedOrigins: [...new Set([url, sameSite])],
    mail: 'outbox', // the links the pages' flows mail
    username: true, // the site is built with the plugin's username: true
    emailOtp: true, // and emailOtp: true (sign-in codes; the forgotten password by a code)
    magicLink: true, // and magicLink: true (sign-in links)
    // and passkey: true; the rp id is the site's host (the server's own, 127.0.0.1 across sites, is
    // an IP address, which browsers refuse as an rp id)
    passkey: true,
    passkeyRpId: SITE_HOST,
    lastLoginMethod: true, // and lastLoginMethod: true ("Last used" on the login page)
    // and organizations: true; the mailed invitations lead to its /accept-invitation page
    organization: true,
    organizationInvitationUrl: `${url}/accept-invitation?id={id}`,
    apiKey: true, // and apiKeys: true (the account page's API keys)
    ...(CROSS_SITE ? { cookieSameSite: 'none', cookiePartitioned: true } : {}),
    ...config,
  });
  let built;
  let served;
  try {
    built = buildSite(serverURL, { env: siteEnv });
    served = await serveSite(built.dir, sitePort);
  } catch (error) {
    await s.stop();
    if (built) rmSync(built.dir, { recursive: true, force: true });
    throw error;
  }
  siteOrigins.add(url).add(sameSite);
  return {
    server: s,
    siteURL: url,
    sameSiteURL: sameSite,
    seconds: built.seconds,
    async stop() {
      await served.close();
      await s.stop();
      rmSync(built.dir, { recursive: true, force: true });
    },
  };
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  installSite();
  // The example site's account page offers a change of address and two-step verification, with
  // codes by e-mail too; its /admin page is for the administrators of the server's --admin, who
  // may sign in as a user (--admin-impersonation); its /organizations page is the server's
  // --organization's (see launch).
  const breachList = join(OUT, 'pwned-passwords.txt');
  writeFileSync(breachList, `${createHash('sha1').update(BREACHED).digest('hex').toUpperCase()}:42\r\n`);
  main = await launch({ changeEmailEnabled: true, twoFactor: true, twoFactorOtp: true, breachedPasswords: breachList, admin: true, adminImpersonation: true });
  ({ server, siteURL, sameSiteURL } = main);
  timings.buildSeconds = main.seconds;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await main?.stop();
  if (Object.keys(timings).length) console.log(`# e2e timings: ${JSON.stringify(timings)}`);
});

/** A new browser profile (cookies are per context) in the given color scheme. */
// React hydrates the site's pages after their load event, and later still on a busy machine. A
// field filled before then shows its text, but React's state never gets it (the form then says
// the field is required), and a link clicked then makes a full page load. So every navigation
// here (goto, reload, waitForURL) also waits until the page's root is hydrated, as a person's
// first keystroke would come after it.
async function hydrated(page) {
  await page.waitForFunction(() => {
    const top = document.querySelector('#__docusaurus > *');
    return top !== null && Object.keys(top).some((k) => k.startsWith('__reactFiber$'));
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
}

function waitingForHydration(page) {
  for (const method of ['goto', 'reload', 'waitForURL']) {
    const original = page[method].bind(page);
    page[method] = async (...args) => {
      const result = await original(...args);
      if (siteOrigins.has(new URL(page.url()).origin)) await hydrated(page);
      return result;
    };
  }
  return page;
}

async function newContext(colorScheme = 'light') {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1100, height: 800 } });
  context.setDefaultTimeout(10_000);
  const newPage = context.newPage.bind(context);
  context.newPage = async () => waitingForHydration(await newPage());
  return context;
}

/**
 * What a page sent to the auth server (serverRequests' list) but the session's reads and the login
 * page's requests of its own for the passkey autofill's options (as it opens, and on the e-mail
 * field's focus once the last one has ended: on sameSiteURL, whose host is not the rp id, the
 * browser refuses it at once).
 */
const sentByPerson = (requests) => requests.filter((r) => !r.startsWith('GET /api/auth/get-session') && r !== 'GET /api/auth/passkey/generate-authenticate-options');

/** Records the requests a page sends to the auth server. */
function serverRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.url().startsWith(server.url.replace('127.0.0.1', SERVER_HOST))) seen.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  return seen;
}

const apiURL = () => `http://${SERVER_HOST}:${new URL(server.url).port}/api/auth`;
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const userButton = (page) => page.locator('.pc-usermenu__button');
const passwordError = (page) => page.locator('[data-testid="pc-signup"] [data-field-error$="-password"]');

async function fillSignUp(page, { name, email, password }) {
  await page.getByLabel('Name', { exact: true }).fill(name); // not "Username (optional)"
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
}

/** Fills the sign-in form of `page` (already open) and sends it. */
async function submitSignIn(page, email, password) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('the example Docusaurus site with the server on another origin', () => {
  let context;
  let page;
  let typed;
  before(async () => {
    context = await newContext();
    page = await context.newPage();
  });
  after(async () => {
    await context.close();
  });

  test('[ASVS 2.1.8, 2.1.11, 2.1.12] a weak password: a low score and feedback as it is typed, and no request', async () => {
    const started = Date.now();
    await page.goto(`${siteURL}/signup`);
    await page.getByLabel('Name', { exact: true }).fill(NAME);
    await page.getByLabel('E-mail').fill(EMAIL);
    const requests = serverRequests(page);
    const meter = page.locator('.pc-meter');
    await page.getByLabel('Password', { exact: true }).pressSequentially(WEAK, { delay: 20 });
    await page.waitForSelector('.pc-meter[data-score]:not([data-score=""])');
    timings.meterReadyMs = Date.now() - started;
    const score = Number(await meter.getAttribute('data-score'));
    assert.ok(score <= 1, `score ${score}`);
    assert.equal(await meter.getAttribute('data-verdict'), 'reject');
    const warning = (await page.locator('.pc-meter__warning').textContent()).trim();
    assert.ok(warning.length > 0, 'zxcvbn-style warning shown');
    assert.ok((await page.locator('.pc-meter__suggestions li').count()) > 0, 'suggestions shown');
    await page.getByLabel('Password', { exact: true }).blur();
    await page.getByRole('button', { name: 'Create account' }).click();
    const shown = (await passwordError(page).textContent()).trim();
    assert.equal(shown, warning, "the field's error is the estimator's warning, as the server words it");
    assert.equal(await page.locator('.pc-meter__warning').count(), 0, 'the meter does not repeat the error');
    assert.ok((await page.locator('.pc-meter__suggestions li').count()) > 0, 'the suggestions stay');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'new-password', 'focus on the first error');
    assert.deepEqual(requests, [], 'nothing sent while typing, nor on a refused submit');
    await shot(page, 'signup-weak-light');
    // [ASVS 2.1.12] The user may look at what they typed, and hide it again.
    const field = page.getByLabel('Password', { exact: true });
    assert.equal(await field.getAttribute('type'), 'password');
    await page.getByLabel('Show password').check();
    assert.equal(await field.getAttribute('type'), 'text');
    assert.equal(await field.inputValue(), WEAK);
    await page.getByLabel('Show password').uncheck();
    assert.equal(await field.getAttribute('type'), 'password');

    typed = { score, warning, shown };
  });

  test("the server refuses the same password with the same words", async () => {
    assert.ok(typed, 'the previous test ran');
    const answer = await page.evaluate(
      async ({ api, body }) => {
        const r = await fetch(`${api}/sign-up/email`, { method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, body: await r.json() };
      },
      { api: apiURL(), body: { name: NAME, email: `other-${EMAIL}`, password: WEAK } },
    );
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'PASSWORD_TOO_WEAK');
    assert.equal(answer.body.score, typed.score);
    assert.equal(answer.body.feedback.warning, typed.warning);
    assert.equal(answer.body.message, typed.shown);
  });

  test('a strong password known from data breaches: the meter accepts it, the server refuses it under the field', async () => {
    await page.getByLabel('Password', { exact: true }).fill(BREACHED);
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await page.getByRole('button', { name: 'Create account' }).click();
    await passwordError(page).filter({ hasText: /\S/ }).waitFor();
    assert.equal(
      (await passwordError(page).textContent()).trim(),
      'The password you entered has been compromised. Please choose a different password.',
    );
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'new-password', 'focus on the password');
    assert.equal(new URL(page.url()).pathname, '/signup');
    await shot(page, 'signup-breached-light');
    // Nothing was made: the next test signs up with the same address.
  });

  test('sign up, then a reload keeps the session', async () => {
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await shot(page, 'signup-strong-light');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), NAME);
    await page.reload();
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), NAME);
    await shot(page, 'home-signed-in-light');
  });

  test('the gated page opens; the user menu works with the keyboard', async () => {
    await page.goto(`${siteURL}/docs/private/handbook`);
    await page.getByRole('heading', { name: "Members' handbook" }).waitFor();
    await userButton(page).focus();
    await page.keyboard.press('Enter');
    await page.locator('.pc-usermenu__panel:not([hidden])').waitFor();
    assert.match(await page.locator('.pc-usermenu__who').textContent(), new RegExp(EMAIL));
    await shot(page, 'gated-menu-open-light');
    await page.keyboard.press('Escape');
    await page.locator('.pc-usermenu__panel[hidden]').waitFor({ state: 'attached' });
  });

  test('sign out: the gated page sends to /login, and signing in brings back', async () => {
    await userButton(page).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/docs/private/handbook')}`);
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await shot(page, 'login-light');

    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL(`${siteURL}/docs/private/handbook`);
    await page.getByRole('heading', { name: "Members' handbook" }).waitFor();
  });

  test('a wrong password shows the server error, focused', async () => {
    const other = await newContext();
    const p = await other.newPage();
    await p.goto(`${siteURL}/login`);
    await submitSignIn(p, EMAIL, 'not-the-password-at-all');
    const alert = p.getByRole('alert');
    await alert.filter({ hasText: 'Invalid email or password' }).waitFor();
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
    await shot(p, 'login-error-light');
    await other.close();
  });

  test('"Keep me signed in": checked, a 7-day cookie; unchecked, one that ends with the browser', async () => {
    const sessionCookie = async (ctx) => (await ctx.cookies()).find((c) => c.name.endsWith('better-auth.session_token'));
    for (const keep of [true, false]) {
      const other = await newContext();
      const p = await other.newPage();
      await p.goto(`${siteURL}/login`);
      await p.getByLabel('E-mail').fill(EMAIL);
      await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
      const box = p.getByLabel('Keep me signed in');
      assert.equal(await box.isChecked(), true, 'checked at first');
      if (!keep) await box.uncheck();
      await p.getByRole('button', { name: 'Sign in', exact: true }).click();
      await p.waitForURL(`${siteURL}/`);
      await userButton(p).waitFor();
      const cookie = await sessionCookie(other);
      assert.ok(cookie, 'a session cookie');
      if (keep) assert.ok(cookie.expires > Date.now() / 1000 + 6 * 86400, `expires ${cookie.expires}`);
      else assert.equal(cookie.expires, -1, 'a cookie for this browser session only');
      await other.close();
    }
  });

  test('two tabs share the session: signing out in one signs out the other', async () => {
    const second = await context.newPage();
    await second.goto(`${siteURL}/docs/private/handbook`);
    await second.getByRole('heading', { name: "Members' handbook" }).waitFor();
    await page.goto(`${siteURL}/docs/intro`);
    await userButton(page).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await second.waitForURL(/\/login\?redirect=/);
    await submitSignIn(second, EMAIL, PASSWORD);
    await second.waitForURL(`${siteURL}/docs/private/handbook`);
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), NAME);
    await second.close();
  });
});

/** Creates an account through the API (the page's own forms are tested above); `more`: e.g. {username}. */
async function createAccount(name, email, password, more = {}) {
  const r = await fetch(`${server.api}/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: siteURL },
    body: JSON.stringify({ name, email, password, ...more }),
  });
  assert.equal(r.status, 200, await r.text());
}

/** A new browser profile signed in as `email` through the login page. */
async function signedIn(email, password) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${siteURL}/login`);
  await submitSignIn(page, email, password);
  await page.waitForURL(`${siteURL}/`);
  await userButton(page).waitFor();
  return { context, page };
}

/** The `n`-th mail of `kind` to `to` (0: the first), once the server has written it. */
const mailTo = (to, kind, n = 0) =>
  waitFor(() => outboxMails(server.outbox).filter((m) => m.to === to && m.kind === kind)[n], { what: `${kind} mail ${n} to ${to}` });

/** The `n`-th code of two-step verification mailed to `to`: the six digits on their own line. */
const mailedCode = async (to, n = 0) => /^\s*(\d{6})\s*$/m.exec((await mailTo(to, 'two-factor-code', n)).text)[1];

/** The `n`-th code of the server's --email-otp of `kind` mailed to `to`: the only run of six digits in its text. */
const mailedOtp = async (to, kind, n = 0) => /(?<!\d)(\d{6})(?!\d)/.exec((await mailTo(to, kind, n)).text)[1];
const mailedSignInCode = (to, n) => mailedOtp(to, 'email-otp-sign-in', n);
const mailedResetCode = (to, n) => mailedOtp(to, 'email-otp-reset-password', n);

describe('a forgotten password, on the site', () => {
  const name = 'Ada Lovelace';
  const email = `ada${process.pid}@example.com`;
  const old = 'analytical-engine-note-G';
  const renewed = 'bernoulli-numbers-1843!';
  const codeField = (page) => page.getByLabel('Code from the e-mail');
  const codeError = (page) => page.locator('[data-testid="pc-forgot"] [data-field-error$="-otp"]');

  test('[ASVS 2.5.1, 2.5.6] "Forgot your password?" mails a code (the plugin\'s emailOtp); the page takes it with the new password, which signs in; the old one and every session end', async () => {
    await createAccount(name, email, old);
    const laptop = await signedIn(email, old);

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${siteURL}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${siteURL}/forgot-password`);
    const status = page.getByRole('status');
    await status.filter({ hasText: 'We will e-mail you a 6-digit code to set a new password with.' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send the code' }).click();
    await status.filter({ hasText: `If ${email} has an account, we have sent it a 6-digit code. Enter it with your new password.` }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'one-time-code', 'the focus goes to the code');
    assert.equal(await codeField(page).getAttribute('inputmode'), 'numeric');
    await shot(page, 'forgot-password-code-light');
    const first = await mailedResetCode(email);

    // A weak password is refused in the page, and never sent.
    const field = page.getByLabel('New password', { exact: true });
    const requests = serverRequests(page);
    await codeField(page).fill(first);
    await field.fill(WEAK);
    await page.waitForSelector('.pc-meter[data-verdict="reject"]');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    assert.ok((await page.locator('[data-testid="pc-forgot"] [data-field-error$="-password"]').textContent()).trim().length > 0, 'the weak password is refused in the page');
    assert.deepEqual(requests.filter((r) => !r.startsWith('GET /api/auth/get-session')), [], 'and never sent');

    // A wrong code: the server's words under the code.
    await field.fill(renewed);
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await codeField(page).fill(wrongCode(first));
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await codeError(page).filter({ hasText: 'Invalid OTP' }).waitFor();
    // A new code replaces the first.
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await status.filter({ hasText: `We have sent a new code to ${email}; the one before no longer works.` }).waitFor();
    const second = await mailedResetCode(email, 1);
    await codeField(page).fill(first);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await codeError(page).filter({ hasText: 'Invalid OTP' }).waitFor();
    await codeField(page).fill(second);
    await shot(page, 'reset-password-code-light');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await status.filter({ hasText: 'Your password is changed' }).waitFor();

    // The laptop's session ended with the reset.
    await laptop.page.reload();
    await laptop.page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();
    await laptop.context.close();

    // The old password no longer signs in; the new one does.
    await page.locator('[data-testid="pc-forgot"]').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${siteURL}/login`);
    await submitSignIn(page, email, old);
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(renewed);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
    await context.close();
  });

  test("[ASVS 2.5.6] the reset page, where a server's mailed link leads: the new password signs in; the link works once", async () => {
    const linkEmail = `ada-link${process.pid}@example.com`;
    await createAccount(name, linkEmail, old);
    // The site's own page mails codes (above); a link to its reset page comes from a request made
    // elsewhere, e.g. another app of the same server.
    const asked = await fetch(`${server.api}/request-password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteURL },
      body: JSON.stringify({ email: linkEmail, redirectTo: `${siteURL}/reset-password` }),
    });
    assert.equal(asked.status, 200, await asked.text());
    const mail = await mailTo(linkEmail, 'reset-password');

    const context = await newContext();
    const page = await context.newPage();
    const status = page.getByRole('status');
    // The server's link: a redirect to the site's page, with the token, which the page then takes
    // out of the address bar (and the history).
    const landing = page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(`${siteURL}/reset-password?token=`));
    await page.goto(mail.link);
    assert.match((await landing).url(), /\?token=[A-Za-z0-9]+$/);
    await page.waitForURL(`${siteURL}/reset-password`);
    const field = page.getByLabel('New password', { exact: true });
    const requests = serverRequests(page);
    await field.fill(WEAK);
    await page.waitForSelector('.pc-meter[data-verdict="reject"]');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    assert.ok((await page.locator('[data-testid="pc-reset"] [data-field-error$="-newPassword"]').textContent()).trim().length > 0, 'the weak password is refused in the page');
    assert.deepEqual(requests.filter((r) => !r.startsWith('GET /api/auth/get-session')), [], 'and never sent');
    await field.fill(renewed);
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await shot(page, 'reset-password-light');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await status.filter({ hasText: 'Your password is changed' }).waitFor();

    // The link worked once: followed again, the page says it is invalid and offers a new one.
    await page.goto(mail.link);
    await page.waitForURL(`${siteURL}/reset-password`);
    await status.filter({ hasText: 'This link is invalid or has expired' }).waitFor();
    await page.getByRole('link', { name: 'Send a new link' }).waitFor();

    await page.goto(`${siteURL}/login`);
    await submitSignIn(page, linkEmail, renewed);
    await page.waitForURL(`${siteURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
    await context.close();
  });
});

describe("sign-in by a code sent by e-mail, on the site (the server's --email-otp)", () => {
  const codeStep = (page) => page.locator('[data-testid="pc-email-signin"]');
  const codeError = (page) => codeStep(page).locator('[data-field-error$="-otp"]');
  const codeField = (page) => codeStep(page).getByLabel('Code from the e-mail');

  /** Opens /login, types `typed` as the address, and asks for a code; resolves to the code step's page. */
  async function askForCode(typed) {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${siteURL}/login`);
    if (typed) await page.getByLabel('E-mail').fill(typed);
    await page.getByRole('button', { name: 'E-mail me a sign-in code' }).click();
    await codeStep(page).getByRole('status').filter({ hasText: 'We will e-mail you a 6-digit code that signs you in, without your password.' }).waitFor();
    return { context, page };
  }

  test('an account signs in with the mailed code: a wrong one, "Send a new code", too many wrong ones, then the right one', async () => {
    const name = 'Radia Perlman';
    const email = `radia${process.pid}@example.com`;
    await createAccount(name, email, 'spanning-tree-protocol-1985');
    const { context, page } = await askForCode(email);
    const step = codeStep(page);
    // The address typed in the sign-in form is kept; the focus is on it.
    assert.equal(await step.getByLabel('E-mail').inputValue(), email);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'email');
    await shot(page, 'login-email-code-light');
    await step.getByRole('button', { name: 'Send the code' }).click();
    await step.getByRole('status').filter({ hasText: `We have sent a 6-digit code to ${email}. Enter it to sign in` }).waitFor();
    // The code's field: the code offered from the mail (one-time-code), digits on a phone's keyboard.
    assert.equal(await codeField(page).getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await codeField(page).getAttribute('inputmode'), 'numeric');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'one-time-code', 'the focus goes to the code');
    assert.equal(await step.getByLabel('Keep me signed in').isChecked(), true);
    const first = await mailedSignInCode(email);

    // Not six digits: said in the page, nothing sent.
    const requests = serverRequests(page);
    await codeField(page).fill('12345');
    await step.getByRole('button', { name: 'Sign in', exact: true }).click();
    await codeError(page).filter({ hasText: 'Enter the 6 digits of the code in the e-mail.' }).waitFor();
    assert.deepEqual(requests.filter((r) => !r.startsWith('GET /api/auth/get-session')), []);
    // A wrong code: the server's words under the field, focused.
    const wrong = ['000000', '111111', '222222', '333333'].filter((c) => c !== first);
    await codeField(page).fill(wrong[0]);
    await step.getByRole('button', { name: 'Sign in', exact: true }).click();
    await codeError(page).filter({ hasText: 'Invalid OTP' }).waitFor();
    assert.equal(await codeField(page).getAttribute('aria-invalid'), 'true');
    await shot(page, 'login-email-code-wrong-light');
    // Two more wrong ones (typing clears the error; the server's answer brings it back): then even
    // the right code is refused, and the page says to send a new one.
    for (const code of wrong.slice(1, 3)) {
      await codeField(page).fill(code);
      await codeError(page).filter({ hasText: 'Invalid OTP' }).waitFor({ state: 'hidden' });
      await step.getByRole('button', { name: 'Sign in', exact: true }).click();
      await codeError(page).filter({ hasText: 'Invalid OTP' }).waitFor();
    }
    await codeField(page).fill(first);
    await step.getByRole('button', { name: 'Sign in', exact: true }).click();
    await codeError(page).filter({ hasText: 'Too many attempts. Send a new code.' }).waitFor();
    await step.getByRole('button', { name: 'Send a new code' }).click();
    await step.getByRole('status').filter({ hasText: `We have sent a new code to ${email}; the one before no longer works.` }).waitFor();
    assert.equal(await codeField(page).inputValue(), '', 'the field is emptied for the new code');
    await codeField(page).fill(await mailedSignInCode(email, 1));
    await step.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
    assert.equal(outboxMails(server.outbox).filter((m) => m.to === email && m.kind === 'email-otp-sign-in').length, 2, 'a code per send, no more');
    // The code proved the mailbox: the account page asks for no verification.
    await page.goto(`${siteURL}/account`);
    await page.locator('[data-testid="pc-profile"]').waitFor();
    assert.equal(await page.locator('[data-testid="pc-verify-email"]').count(), 0);
    await context.close();
  });

  test('a new address: the code makes the account and signs in; "Use another e-mail address" and "Sign in with a password instead" go back', async () => {
    const email = `new-by-code${process.pid}@example.com`;
    const { context, page } = await askForCode('');
    const step = codeStep(page);
    // Back to the password, and to the code again.
    await step.getByRole('button', { name: 'Sign in with a password instead' }).click();
    await page.getByRole('button', { name: 'E-mail me a sign-in code' }).click();
    // Another address first, then the right one.
    await codeStep(page).getByLabel('E-mail').fill(`typo-${email}`);
    await codeStep(page).getByRole('button', { name: 'Send the code' }).click();
    await codeField(page).waitFor();
    await codeStep(page).getByRole('button', { name: 'Use another e-mail address' }).click();
    await codeStep(page).getByLabel('E-mail').fill(email);
    await codeStep(page).getByRole('button', { name: 'Send the code' }).click();
    await codeStep(page).getByRole('status').filter({ hasText: `We have sent a 6-digit code to ${email}.` }).waitFor();
    await codeField(page).fill(await mailedSignInCode(email));
    await codeStep(page).getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${siteURL}/`);
    // An account without a name: the menu shows the address.
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), email);
    await context.close();
  });

  test('an account with two-step verification: the code, then the authenticator app\'s code', async () => {
    const name = 'Adele Goldberg';
    const email = `adele${process.pid}@example.com`;
    const password = 'smalltalk-eighty-xerox-parc';
    await createAccount(name, email, password);
    // The address verified and an authenticator app added, through the API.
    const api = new Browser(server.api, { origin: siteURL });
    assert.equal((await api.post('/sign-in/email', { email, password })).status, 200);
    assert.equal((await api.post('/send-verification-email', { email })).status, 200);
    assert.equal((await fetch((await mailTo(email, 'verify-email')).link, { redirect: 'manual' })).status, 302);
    const enabled = await api.post('/two-factor/enable', { password });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal((await api.post('/two-factor/verify-totp', { code: totp(enabled.body.totpURI) })).status, 200);

    const { context, page } = await askForCode(email);
    await codeStep(page).getByRole('button', { name: 'Send the code' }).click();
    await codeField(page).fill(await mailedSignInCode(email));
    await codeStep(page).getByRole('button', { name: 'Sign in', exact: true }).click();
    const second = page.locator('[data-testid="pc-second-factor"]');
    await second.getByLabel('Code from your authenticator app').fill(totp(enabled.body.totpURI, 1));
    await shot(page, 'login-email-code-two-factor-light');
    await second.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
    await context.close();
  });
});

describe('"Last used" on the login page (the server\'s --last-login-method)', () => {
  // The server's cookie names the method; the page reads it where it shares the server's host
  // (sameSiteURL), not across hosts (siteURL), where it has no such cookie to read.
  test('after a sign-in with the password and a sign-out, the login page marks "Sign in" as last used', async () => {
    const email = `roberta${process.pid}@example.com`;
    await createAccount('Roberta Williams', email, 'mystery-house-adventure-1980');
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${sameSiteURL}/login`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.locator('.pc-last-used').count(), 0, 'no sign-in yet in this browser');
    await submitSignIn(page, email, 'mystery-house-adventure-1980');
    await userButton(page).click();
    await page.getByTestId('pc-usermenu').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto(`${sameSiteURL}/login`);
    const badge = page.locator('.pc-last-used');
    await badge.waitFor();
    assert.equal(await badge.count(), 1);
    assert.equal((await badge.textContent()).trim(), 'Last used');
    const button = page.getByRole('button', { name: 'Sign in', exact: true });
    assert.equal(await button.getAttribute('aria-describedby'), await badge.getAttribute('id'));
    await page.goto(`${siteURL}/login`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.locator('.pc-last-used').count(), 0, 'another host reads no cookie of the server');
    await context.close();
  });
});

describe("sign-in by a link sent by e-mail, on the site (the server's --magic-link)", () => {
  // The browser opens the mailed link on the server's origin, which sets the session cookie there,
  // as a first party: the site's fetches carry it only when the site is the same site as the server
  // (across sites, Chromium keeps the partitioned cookie for the server's own top-level site). So
  // these tests use the site at sameSiteURL: the same build, on the server's host.
  let site;
  before(() => {
    site = sameSiteURL;
  });
  const linkStep = (page) => page.locator('[data-testid="pc-link-signin"]');
  const mailedLink = async (to, n = 0) => (await mailTo(to, 'magic-link', n)).link;
  const menuName = async (page) => (await page.locator('.pc-usermenu__name').textContent()).trim();

  /** Opens `path` (the login page, or a gated page that sends there) and asks for a link for `email`. */
  async function askForLink(path, email) {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${site}${path}`);
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await linkStep(page).getByRole('status').filter({ hasText: 'We will e-mail you a link that signs you in, without your password.' }).waitFor();
    await linkStep(page).getByLabel('E-mail').fill(email);
    await linkStep(page).getByRole('button', { name: 'Send the link' }).click();
    await linkStep(page).getByRole('status').filter({ hasText: `Check your inbox: we have sent a sign-in link to ${email}.` }).waitFor();
    return { context, page };
  }

  test('a person asks for a link on the site, opens it from the mail and lands signed in, on the gated page they came for', async () => {
    const name = 'Evelyn Berezin';
    const email = `evelyn${process.pid}@example.com`;
    await createAccount(name, email, 'word-processor-data-secretary-1969');
    const context = await newContext();
    const page = await context.newPage();
    // The gated page sends to the login page (?redirect= back); the address typed there is kept.
    const gated = '/docs/private/handbook';
    await page.goto(`${site}${gated}`);
    await page.waitForURL(`${site}/login?redirect=${encodeURIComponent(gated)}`);
    await page.getByLabel('E-mail').fill(email);
    const requests = serverRequests(page);
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    const step = linkStep(page);
    await step.getByRole('status').filter({ hasText: 'We will e-mail you a link that signs you in, without your password.' }).waitFor();
    assert.equal(await step.getByLabel('E-mail').inputValue(), email);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'email', 'the focus is on the address');
    assert.deepEqual(sentByPerson(requests), [], 'nothing sent yet');
    await shot(page, 'login-email-link-light');
    await step.getByRole('button', { name: 'Send the link' }).click();
    await step.getByRole('status').filter({ hasText: `Check your inbox: we have sent a sign-in link to ${email}. Open it in this browser` }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Send the link again', 'the focus goes to "Send the link again"');
    await shot(page, 'login-email-link-sent-light');
    const first = await mailedLink(email);
    // The link comes back to the login page (keeping ?redirect=), which finishes it.
    const params = new URL(first).searchParams;
    assert.equal(params.get('callbackURL'), `${site}/login?redirect=${encodeURIComponent(gated)}`);
    assert.equal(params.get('errorCallbackURL'), `${site}/login?redirect=${encodeURIComponent(gated)}`);

    // "Send the link again": another mail.
    await step.getByRole('button', { name: 'Send the link again' }).click();
    await step.getByRole('status').filter({ hasText: `Check your inbox: we have sent a new sign-in link to ${email}.` }).waitFor();
    const second = await mailedLink(email, 1);
    assert.notEqual(second, first);
    assert.deepEqual(sentByPerson(requests), ['POST /api/auth/sign-in/magic-link', 'POST /api/auth/sign-in/magic-link']);

    // Opened from the mail, in this browser: signed in, on the gated page.
    await page.goto(second);
    await page.waitForURL(`${site}${gated}`);
    await page.getByRole('heading', { name: "Members' handbook" }).waitFor();
    assert.equal(await menuName(page), name);
    await page.reload();
    assert.equal(await menuName(page), name, 'the session stays');
    await context.close();
  });

  test('a new address gets an account; the link, opened again, says on the sign-in page that it was used; a new one works', async () => {
    const email = `new-by-link${process.pid}@example.com`;
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${site}/login`);
    // Back to the password, and to the link again; another address first, then the right one.
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await linkStep(page).getByRole('button', { name: 'Sign in with a password instead' }).click();
    await page.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await linkStep(page).getByLabel('E-mail').fill(`typo-${email}`);
    await linkStep(page).getByRole('button', { name: 'Send the link' }).click();
    await linkStep(page).getByRole('button', { name: 'Use another e-mail address' }).click();
    assert.equal(await linkStep(page).getByLabel('E-mail').inputValue(), `typo-${email}`, 'the address, to correct');
    await linkStep(page).getByLabel('E-mail').fill(email);
    await linkStep(page).getByRole('button', { name: 'Send the link' }).click();
    await linkStep(page).getByRole('status').filter({ hasText: `Check your inbox: we have sent a sign-in link to ${email}.` }).waitFor();
    const link = await mailedLink(email);
    await page.goto(link);
    await page.waitForURL(`${site}/`);
    // An account without a name: the menu shows the address.
    assert.equal(await menuName(page), email);
    await context.close();

    // The same link again (another browser): the sign-in page says why, the query taken out.
    const other = await newContext();
    const again = await other.newPage();
    const landing = again.waitForRequest((r) => r.isNavigationRequest() && r.url() === `${site}/login?error=INVALID_TOKEN`);
    await again.goto(link);
    await landing;
    await again.waitForURL(`${site}/login`);
    const said = again.locator('[data-testid="pc-signin"]').getByRole('status');
    await said.filter({ hasText: 'This sign-in link has expired or was already used: ask for a new one.' }).waitFor();
    await shot(again, 'login-email-link-used-light');
    assert.equal(await again.locator('.pc-usermenu__link', { hasText: 'Sign in' }).count() > 0, true, 'signed out');
    // A new link, from there.
    await again.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await linkStep(again).getByLabel('E-mail').fill(email);
    await linkStep(again).getByRole('button', { name: 'Send the link' }).click();
    await linkStep(again).getByRole('status').filter({ hasText: 'Check your inbox' }).waitFor();
    await again.goto(await mailedLink(email, 1));
    await again.waitForURL(`${site}/`);
    assert.equal(await menuName(again), email);
    await other.close();
  });

  test("a banned user's link: the sign-in page says so", async () => {
    const email = `banned-link${process.pid}@example.com`;
    await createAccount('Kevin Mitnick', email, 'condor-ghost-in-the-wires');
    const { context, page } = await askForLink('/login', email);
    const link = await mailedLink(email);
    sql(server.db, `update "user" set banned = 1 where email = '${email}'`);
    await page.goto(link);
    await page.waitForURL(`${site}/login`);
    await page.locator('[data-testid="pc-signin"]').getByRole('status').filter({ hasText: 'You have been banned from this application.' }).waitFor();
    assert.equal(await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).count() > 0, true, 'signed out');
    await context.close();
  });

  test("an account with an authenticator app: the link leads to the two-step verification's step, whose code signs in", async () => {
    const name = 'Sophie Wilson';
    const email = `sophie${process.pid}@example.com`;
    const password = 'acorn-risc-machine-bbc-1981';
    await createAccount(name, email, password);
    const api = new Browser(server.api, { origin: siteURL });
    assert.equal((await api.post('/sign-in/email', { email, password })).status, 200);
    const enabled = await api.post('/two-factor/enable', { password });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    assert.equal((await api.post('/two-factor/verify-totp', { code: totp(enabled.body.totpURI) })).status, 200);

    const { context, page } = await askForLink('/login', email);
    const link = await mailedLink(email);
    const landing = page.waitForRequest((r) => r.isNavigationRequest() && r.url() === `${site}/login?twoFactorRedirect=true`);
    await page.goto(link);
    await landing;
    await page.waitForURL(`${site}/login`);
    const second = page.locator('[data-testid="pc-second-factor"]');
    await second.getByRole('status').filter({ hasText: 'enter the 6-digit code your authenticator app shows' }).waitFor();
    assert.equal(await page.locator('[data-testid="pc-signin"]').count(), 0, 'the step at once, no password form');
    assert.equal(await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).count() > 0, true, 'no session yet');
    await shot(page, 'login-email-link-two-factor-light');
    await second.getByLabel('Code from your authenticator app').fill(wrongCode(totp(enabled.body.totpURI, 1)));
    await second.getByRole('button', { name: 'Verify' }).click();
    await second.locator('[data-field-error$="-code"]').filter({ hasText: /\S/ }).waitFor();
    await second.getByLabel('Code from your authenticator app').fill(totp(enabled.body.totpURI, 1));
    await second.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${site}/`);
    assert.equal(await menuName(page), name);
    await context.close();
  });
});

describe("passkeys, on the site (the server's --passkey)", () => {
  // Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain) stands in for the
  // device's own (Touch ID, Windows Hello, ...): a platform authenticator holding discoverable
  // credentials, which verifies the user (a PIN or a biometric) unless told otherwise. It belongs
  // to the page's tab, and keeps its credentials across navigations. `credentials`: passkeys to
  // hold from the start (another authenticator's, as WebAuthn.getCredentials gives them).
  //
  // The site's login page also offers the passkeys in its e-mail field's autofill (the plugin's
  // passkeyAutofill, on by default), and this authenticator answers such a request AT ONCE when it
  // holds a passkey of the site (a person would pick it in the field's suggestions): opening the
  // login page then signs in without a click. An authenticator added after the page opened does
  // not answer the request the page made then, which waits.
  async function virtualAuthenticator(page, options = {}, credentials = []) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true, ...options },
    });
    for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    return {
      credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
      // The user fails (or cancels) the device's check: the browser's ceremony ends with NotAllowedError.
      setUserVerified: (isUserVerified) => cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified }),
    };
  }
  const section = (page) => page.locator('[data-testid="pc-passkeys"]');
  const passkeys = (page) => section(page).locator('[data-testid="pc-passkey"]');
  const menuName = async (page) => (await page.locator('.pc-usermenu__name').textContent()).trim();
  const focused = (page) => page.evaluate(() => document.activeElement?.textContent ?? document.activeElement?.value ?? null);
  const passkeyButton = (page) => page.getByRole('button', { name: 'Sign in with a passkey' });
  const emailField = (page) => page.locator('[data-testid="pc-signin"] input[name="email"]');
  const signInAlert = (page) => page.locator('[data-testid="pc-signin"]').getByRole('alert');
  const OPTIONS = 'GET /api/auth/passkey/generate-authenticate-options';
  const VERIFY = 'POST /api/auth/passkey/verify-authentication';
  const passkeyRequests = (requests) => requests.filter((r) => r.includes('/passkey/'));
  // A browser without passkeys in its autofill (isConditionalMediationAvailable false, as in
  // browsers before conditional mediation): the login page has the button only. The tests of the
  // button run so, as the autofill would sign in before the button could be clicked (above).
  const withoutAutofill = (context) =>
    context.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
  async function signOut(page) {
    await userButton(page).click();
    await page.getByTestId('pc-usermenu').getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
  }
  const apiPasskeys = (email) =>
    sql(server.db, `SELECT p.* FROM passkey p JOIN "user" u ON u.id = p."userId" WHERE u.email = '${email}' ORDER BY p."createdAt"`);

  test('sign up, add a passkey on the account page, sign out, sign in with it; rename it, delete it: then it signs in no more', async () => {
    const name = 'Joan Clarke';
    const email = `joan${process.pid}@example.com`;
    const context = await newContext();
    const page = await context.newPage();
    const authenticator = await virtualAuthenticator(page);
    await page.goto(`${siteURL}/signup`);
    await fillSignUp(page, { name, email, password: 'banburismus-hut-eight-1941' });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();

    // The account page: none yet; "Add a passkey" with a name.
    await page.goto(`${siteURL}/account`);
    const settings = section(page);
    await settings.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await settings.getByText('You have no passkeys yet.').waitFor();
    const requests = serverRequests(page);
    await settings.getByLabel('Name (optional)').fill('Laptop');
    await settings.getByRole('button', { name: 'Add a passkey' }).click();
    await settings.getByRole('status').filter({ hasText: 'Passkey “Laptop” added. You can now sign in with it.' }).waitFor();
    assert.deepEqual(requests.filter((r) => r.includes('/passkey/')), [
      'GET /api/auth/passkey/generate-register-options',
      'POST /api/auth/passkey/verify-registration',
      'GET /api/auth/passkey/list-user-passkeys',
    ]);
    assert.equal(await settings.getByLabel('Name (optional)').inputValue(), '', 'the field is emptied');
    await passkeys(page).first().waitFor();
    assert.equal(await passkeys(page).count(), 1);
    const row = passkeys(page).first();
    assert.equal((await row.locator('.pc-passkey__name').textContent()).trim(), 'Laptop');
    assert.equal((await row.locator('.pc-passkey__detail').textContent()).trim(), `added ${await page.evaluate(() => new Date().toLocaleDateString())} · on one device`);
    const [credential] = await authenticator.credentials();
    assert.equal(credential.rpId, 'localhost');
    assert.equal(credential.isResidentCredential, true);
    const [stored] = apiPasskeys(email);
    assert.equal(stored.name, 'Laptop');
    assert.equal(stored.credentialID, Buffer.from(credential.credentialId, 'base64').toString('base64url'));
    assert.equal(stored.deviceType, 'singleDevice');
    assert.equal(stored.transports, 'internal');
    assert.equal(stored.counter, 1);
    await shot(page, 'account-passkeys-light');

    // Signed out (on the home page: the account page would send to the login page), opening the
    // login page signs in with the passkey, through the e-mail field's autofill: no address, no
    // password, no click. Once: the options, then the assertion.
    await page.goto(`${siteURL}/`);
    await signOut(page);
    const signIn = serverRequests(page);
    await page.goto(`${siteURL}/login`);
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();
    assert.equal(await menuName(page), name);
    assert.deepEqual(passkeyRequests(signIn), [OPTIONS, VERIFY]);
    await page.reload();
    assert.equal(await menuName(page), name, 'the session stays');
    assert.ok((await authenticator.credentials())[0].signCount >= 2, 'the authenticator signed');
    assert.equal(apiPasskeys(email)[0].counter, (await authenticator.credentials())[0].signCount);

    // Rename: the field in place, the focus in it, with the name; then back on "Rename".
    await page.goto(`${siteURL}/account`);
    await row.getByRole('button', { name: 'Rename Laptop' }).click();
    const rename = row.locator('[data-testid="pc-passkey-rename"]');
    assert.equal(await row.getByRole('button', { name: 'Rename Laptop' }).getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.value), 'Laptop', 'the focus is in the field');
    await rename.getByLabel('Name').fill('   ');
    await rename.getByRole('button', { name: 'Save' }).click();
    await rename.locator('[data-field-error$="-name"]').filter({ hasText: 'Name is required' }).waitFor();
    // Escape leaves it as it was.
    await rename.getByLabel('Name').press('Escape');
    await rename.waitFor({ state: 'detached' });
    assert.equal(await focused(page), 'Rename');
    await row.getByRole('button', { name: 'Rename Laptop' }).click();
    await rename.getByLabel('Name').fill('Work laptop');
    await rename.getByRole('button', { name: 'Save' }).click();
    await settings.getByRole('status').filter({ hasText: 'Passkey renamed to “Work laptop”.' }).waitFor();
    assert.equal((await row.locator('.pc-passkey__name').textContent()).trim(), 'Work laptop');
    assert.equal(await focused(page), 'Rename', 'the focus is back on "Rename"');
    assert.equal(apiPasskeys(email)[0].name, 'Work laptop');

    // Delete: asks first, the focus on "Cancel"; Cancel keeps it, then the deletion.
    await row.getByRole('button', { name: 'Delete Work laptop' }).click();
    const confirm = row.getByRole('group', { name: 'Delete Work laptop' });
    await confirm.getByText('Delete “Work laptop”? You can no longer sign in with it').waitFor();
    assert.equal(await focused(page), 'Cancel');
    await shot(page, 'account-passkey-delete-light');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await passkeys(page).count(), 1);
    assert.equal(await focused(page), 'Delete…');
    await row.getByRole('button', { name: 'Delete Work laptop' }).click();
    await confirm.getByRole('button', { name: 'Delete Work laptop' }).click();
    await settings.getByRole('status').filter({ hasText: 'Passkey “Work laptop” deleted.' }).waitFor();
    await settings.getByText('You have no passkeys yet.').waitFor();
    assert.equal(await passkeys(page).count(), 0);
    assert.deepEqual(apiPasskeys(email), []);

    // The device still offers it; the server no longer knows it: the autofill's failure is said
    // in the form's alert (focused), without a click, and nothing more is asked (an authenticator
    // that answers at once would otherwise be asked again and again); the field's next focus asks
    // once more.
    await page.goto(`${siteURL}/`);
    await signOut(page);
    const refused = serverRequests(page);
    await page.goto(`${siteURL}/login`);
    await signInAlert(page).filter({ hasText: 'This passkey is no longer registered with your account.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'the alert has the focus');
    assert.deepEqual(passkeyRequests(refused), [OPTIONS, VERIFY]);
    const again = page.waitForResponse((r) => r.url().endsWith('/passkey/verify-authentication'));
    await emailField(page).focus();
    assert.equal((await again).status(), 401);
    assert.deepEqual(passkeyRequests(refused), [OPTIONS, VERIFY, OPTIONS, VERIFY]);
    await signInAlert(page).filter({ hasText: 'This passkey is no longer registered with your account.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'email', 'the focus stays in the field');
    await context.close();
  });

  test('a prompt that ends without a passkey (the user fails or cancels the check; no passkey on the device): said, and the form still works', async () => {
    const email = `alan-kay${process.pid}@example.com`;
    const password = 'dynabook-smalltalk-xerox-1972';
    await createAccount('Alan Kay', email, password);
    const { context, page } = await signedIn(email, password);
    await withoutAutofill(context); // the button's prompt (see withoutAutofill)
    const authenticator = await virtualAuthenticator(page);

    // Adding: the device's check fails (the user cancels the fingerprint prompt).
    await page.goto(`${siteURL}/account`);
    await authenticator.setUserVerified(false);
    await section(page).getByRole('button', { name: 'Add a passkey' }).click();
    await section(page).getByRole('alert').filter({ hasText: 'No passkey was added: the prompt was closed.' }).waitFor();
    assert.deepEqual(apiPasskeys(email), []);
    assert.deepEqual(await authenticator.credentials(), []);
    // Then it works; the same device a second time is refused by the browser.
    await authenticator.setUserVerified(true);
    await section(page).getByRole('button', { name: 'Add a passkey' }).click();
    await section(page).getByRole('status').filter({ hasText: 'Passkey added.' }).waitFor();
    assert.equal((await passkeys(page).locator('.pc-passkey__name').textContent()).trim(), 'Passkey', 'an unnamed one');
    await section(page).getByRole('button', { name: 'Add a passkey' }).click();
    await section(page).getByRole('alert').filter({ hasText: 'This device or security key already holds a passkey for your account.' }).waitFor();
    assert.equal(apiPasskeys(email).length, 1);

    // Signing in: the check fails.
    await signOut(page);
    await page.goto(`${siteURL}/login`);
    await authenticator.setUserVerified(false);
    const requests = serverRequests(page);
    await passkeyButton(page).click();
    const alert = page.locator('[data-testid="pc-signin"]').getByRole('alert');
    await alert.filter({ hasText: 'No passkey was used: the prompt was closed, or this device has no passkey for this site.' }).waitFor();
    assert.deepEqual(requests.filter((r) => r.includes('/passkey/')), ['GET /api/auth/passkey/generate-authenticate-options'], 'nothing to verify');
    assert.equal(await passkeyButton(page).isEnabled(), true);
    assert.equal(await emailField(page).getAttribute('autocomplete'), 'username', 'no passkeys in the autofill');
    await shot(page, 'login-passkey-cancelled-light');
    // Then with the check passed: signed in.
    await authenticator.setUserVerified(true);
    await passkeyButton(page).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal(await menuName(page), 'Alan Kay');
    await context.close();

    // Another browser (with the autofill: the e-mail field's autocomplete says so), whose device
    // holds no passkey of the site: the button says the same message.
    const other = await newContext();
    const fresh = await other.newPage();
    await virtualAuthenticator(fresh);
    const asked = serverRequests(fresh);
    await fresh.goto(`${siteURL}/login`);
    await fresh.locator('[data-testid="pc-signin"] input[name="email"][autocomplete="username webauthn"]').waitFor();
    await passkeyButton(fresh).waitFor();
    await shot(fresh, 'login-passkey-light');
    await passkeyButton(fresh).click();
    await signInAlert(fresh).filter({ hasText: 'No passkey was used' }).waitFor();
    assert.ok(!passkeyRequests(asked).includes(VERIFY), 'nothing to verify');
    // The password still signs in from here.
    await submitSignIn(fresh, email, password);
    await fresh.waitForURL(`${siteURL}/`);
    await other.close();
  });

  test("the autofill's request waits while no passkey is picked; the button's prompt cancels it without a word and says its own failure; the field's next focus asks again", async () => {
    const name = 'Mary Allen Wilkes';
    const email = `wilkes${process.pid}@example.com`;
    const password = 'linc-console-home-computer-1965';
    await createAccount(name, email, password);
    // A passkey made in a first browser...
    const { context: first, page: made } = await signedIn(email, password);
    const device = await virtualAuthenticator(made);
    await made.goto(`${siteURL}/account`);
    await section(made).getByRole('button', { name: 'Add a passkey' }).click();
    await section(made).getByRole('status').filter({ hasText: 'Passkey added.' }).waitFor();
    const credentials = await device.credentials();
    await first.close();

    // ...is on this browser's authenticator only once the login page is open: the autofill's
    // request, made as the page opened, waits (as for a person who picks nothing).
    const context = await newContext();
    const page = await context.newPage();
    const requests = serverRequests(page);
    await page.goto(`${siteURL}/login`);
    await emailField(page).and(page.locator('[autocomplete="username webauthn"]')).waitFor();
    await waitFor(() => requests.includes(OPTIONS), { what: "the autofill's options" });
    // The user fails the device's check from the start: the authenticator may answer the waiting
    // autofill request as soon as it is added (Chromium's virtual one answers at once), which then
    // ends without a word instead of signing in.
    const authenticator = await virtualAuthenticator(page, { isUserVerified: false }, credentials);

    // The button's prompt cancels the autofill's request, if it still waits (one ceremony at a
    // time), which says nothing; the check fails: the button's message, the button usable.
    await passkeyButton(page).click();
    await signInAlert(page).filter({ hasText: 'No passkey was used: the prompt was closed, or this device has no passkey for this site.' }).waitFor();
    assert.deepEqual(passkeyRequests(requests), [OPTIONS, OPTIONS], "the autofill's options and the button's; nothing verified");
    assert.equal(await passkeyButton(page).isEnabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'the alert has the focus');

    // Not asked again by itself: on the field's next focus, and the device picks the passkey.
    await authenticator.setUserVerified(true);
    await emailField(page).focus();
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();
    assert.equal(await menuName(page), name);
    assert.deepEqual(passkeyRequests(requests), [OPTIONS, OPTIONS, OPTIONS, VERIFY]);
    await context.close();
  });

  test("the autofill's request is aborted when the form leaves the password step and when the page goes; back at the password step, a new one", async () => {
    const context = await newContext();
    // Each autofill request the page makes, and whether it was aborted (the browser's own wait
    // for a pick is not seen from outside).
    await context.addInitScript(() => {
      window.autofillRequests = [];
      const get = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = (options) => {
        if (options?.mediation === 'conditional') {
          const seen = { aborted: false };
          window.autofillRequests.push(seen);
          options.signal?.addEventListener('abort', () => (seen.aborted = true));
        }
        return get(options);
      };
    });
    const page = await context.newPage();
    const requests = serverRequests(page);
    await page.goto(`${siteURL}/login`);
    const state = () => page.evaluate(() => window.autofillRequests.map((r) => r.aborted));
    await page.waitForFunction(() => window.autofillRequests.length === 1);
    assert.deepEqual(await state(), [false], 'it waits');
    // A code by e-mail: the request is aborted.
    await page.getByRole('button', { name: 'E-mail me a sign-in code' }).click();
    await page.waitForFunction(() => window.autofillRequests[0].aborted);
    // Back to the password: a new one (the first field has the focus: one request, not two).
    await page.getByRole('button', { name: 'Sign in with a password instead' }).click();
    await page.waitForFunction(() => window.autofillRequests.length === 2);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'username webauthn');
    // The page goes (a link of the site's, no reload): aborted too.
    await page.getByRole('link', { name: 'Create one' }).click();
    await page.waitForURL(`${siteURL}/signup`);
    await page.waitForFunction(() => window.autofillRequests[1].aborted);
    assert.deepEqual(await state(), [true, true]);
    assert.deepEqual(passkeyRequests(requests), [OPTIONS, OPTIONS], 'nothing verified');
    await context.close();
  });

  test("an account with an authenticator app: a passkey that verified the user signs in at once; one that did not leads to the app's step", async () => {
    const name = 'Lynn Conway';
    const email = `lynn${process.pid}@example.com`;
    const password = 'vlsi-design-mead-conway-1980';
    await createAccount(name, email, password);
    const api = new Browser(server.api, { origin: siteURL });
    assert.equal((await api.post('/sign-in/email', { email, password })).status, 200);
    const enabled = await api.post('/two-factor/enable', { password });
    assert.equal((await api.post('/two-factor/verify-totp', { code: totp(enabled.body.totpURI) })).status, 200);

    const context = await newContext();
    await withoutAutofill(context); // the button's prompt (see withoutAutofill)
    const page = await context.newPage();
    await virtualAuthenticator(page);
    await page.goto(`${siteURL}/login`);
    await submitSignIn(page, email, password);
    const step = page.locator('[data-testid="pc-second-factor"]');
    await step.getByLabel('Code from your authenticator app').fill(totp(enabled.body.totpURI, 1));
    await step.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${siteURL}/`);
    await page.goto(`${siteURL}/account`);
    await section(page).getByLabel('Name (optional)').fill('This computer');
    await section(page).getByRole('button', { name: 'Add a passkey' }).click();
    await section(page).getByRole('status').filter({ hasText: 'Passkey “This computer” added.' }).waitFor();

    // The device verified the user (its PIN, a fingerprint): the passkey is both factors.
    await signOut(page);
    await page.goto(`${siteURL}/login`);
    await passkeyButton(page).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal(await menuName(page), name);

    // An authenticator that only saw the user present (no PIN, no biometric: here Chromium's, asked
    // to skip the check, the page's request's userVerification turned to "discouraged"): one
    // factor, so the server asks for the second, and the form shows its step.
    await signOut(page);
    await page.goto(`${siteURL}/login`);
    await page.evaluate(() => {
      const get = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = (options) => get({ ...options, publicKey: { ...options.publicKey, userVerification: 'discouraged' } });
    });
    await passkeyButton(page).click();
    const second = page.locator('[data-testid="pc-second-factor"]');
    await second.getByRole('status').filter({ hasText: 'enter the 6-digit code your authenticator app shows' }).waitFor();
    assert.equal(await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).count() > 0, true, 'no session yet');
    await shot(page, 'login-passkey-two-factor-light');
    // (The app's codes of now and the next 30 seconds are used: a backup code.)
    await second.getByRole('button', { name: 'Use a backup code instead' }).click();
    await second.getByLabel('Backup code').fill(enabled.body.backupCodes[0]);
    await second.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${siteURL}/`);
    assert.equal(await menuName(page), name);
    await context.close();
  });
});

describe("usernames, on the site (the server's --username)", () => {
  const name = 'Kathleen Booth';
  const email = `kathleen${process.pid}@example.com`;
  const password = 'assembly-language-arc-1947';
  const handle = `Kathleen.B${process.pid}`; // as typed: stored lower-cased, shown so
  const renamed = `K_Booth.${process.pid}`;
  const taken = `andrew.b${process.pid}`; // another user's
  let context;
  let page;
  before(async () => {
    context = await newContext();
    page = await context.newPage();
  });
  after(async () => {
    await context.close();
  });

  /** The usernames the page asks the server about (is-username-available), in order. */
  function askedUsernames(p) {
    const asked = [];
    p.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/auth/is-username-available')) asked.push(JSON.parse(r.postData()).username);
    });
    return asked;
  }

  test('sign up with a username: once the typing pauses, one question, and "Username is available."', async () => {
    await page.goto(`${siteURL}/signup`);
    const form = page.getByTestId('pc-signup');
    await form.getByLabel('Name', { exact: true }).fill(name);
    const asked = askedUsernames(page);
    const field = form.getByLabel('Username (optional)');
    await field.pressSequentially(handle, { delay: 30 });
    await form.getByRole('status').filter({ hasText: 'Username is available.' }).waitFor();
    // Asked once the typing pauses (once here, unless the machine stalled over the pause), and last
    // about the whole username, as the server stores it.
    assert.equal(asked.at(-1), handle.toLowerCase(), JSON.stringify(asked));
    assert.ok(asked.length <= 2 && asked.length < handle.length, `not at every key: ${JSON.stringify(asked)}`);
    const questions = asked.length;
    await shot(page, 'signup-username-available-light');
    await form.getByLabel('E-mail').fill(email);
    await form.getByLabel('Password', { exact: true }).fill(password);
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
    assert.equal(asked.length, questions, 'no more questions');
  });

  test('a second sign-up with the same username in another case: taken, said under the field, and nothing is sent', async () => {
    const other = await newContext();
    const p = await other.newPage();
    await p.goto(`${siteURL}/signup`);
    const form = p.getByTestId('pc-signup');
    const requests = serverRequests(p);
    await fillSignUp(p, { name: 'Andrew Booth', email: `andrew${process.pid}@example.com`, password: 'magnetic-drum-memory-1947' });
    const field = form.getByLabel('Username (optional)');
    await field.fill(handle.toUpperCase());
    const error = form.locator('[data-field-error$="-username"]');
    await error.filter({ hasText: 'Username is already taken. Please try another.' }).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await form.getByRole('status').filter({ hasText: 'available' }).count(), 0);
    await shot(p, 'signup-username-taken-light');
    await p.waitForSelector('.pc-meter[data-verdict="accept"]');
    await form.getByRole('button', { name: 'Create account' }).click();
    await p.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username');
    assert.deepEqual(requests.filter((r) => r.startsWith('POST')), ['POST /api/auth/is-username-available'], 'the question, and no sign-up');
    // One the rules refuse: said once the field is left, and never asked about.
    await field.fill('k b');
    await field.blur();
    await error.filter({ hasText: 'Username is invalid' }).waitFor();
    assert.deepEqual(requests.filter((r) => r.startsWith('POST')), ['POST /api/auth/is-username-available']);
    await other.close();
  });

  test('sign out, then sign in with the username in any case; a wrong password says "Invalid username or password"', async () => {
    await userButton(page).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).first().click();
    await page.waitForURL(`${siteURL}/login`);
    const field = page.getByLabel('E-mail or username');
    assert.equal(await field.getAttribute('type'), 'text');
    await submitSignIn(page, handle.toUpperCase(), 'not-the-password-at-all');
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert');
    await shot(page, 'login-username-error-light');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${siteURL}/`);
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), name);
  });

  test('change the username on the account page: taken and invalid under the field, then saved; the new one signs in', async () => {
    await createAccount('Andrew Booth', `andrew${process.pid}@example.com`, 'magnetic-drum-memory-1947', { username: taken });
    await page.goto(`${siteURL}/account`);
    const profile = page.getByTestId('pc-profile');
    const field = profile.getByLabel('Username', { exact: true });
    const error = profile.locator('[data-field-error$="-username"]');
    await page.waitForFunction((v) => document.querySelector('[data-testid="pc-profile"] input[name="username"]')?.value === v, handle);
    // Shown as typed at sign-up; the user's own, in another case, is no question.
    const asked = askedUsernames(page);
    await field.fill(taken.toUpperCase());
    await error.filter({ hasText: 'Username is already taken. Please try another.' }).waitFor();
    await profile.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'username');
    await field.fill('kb');
    await field.blur();
    await error.filter({ hasText: 'Username is too short' }).waitFor();
    await field.fill(renamed);
    await profile.getByRole('status').filter({ hasText: 'Username is available.' }).waitFor();
    assert.deepEqual(asked, [taken, renamed.toLowerCase()]);
    await shot(page, 'account-username-light');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await error.textContent(), '');
    await page.reload();
    await page.waitForFunction((v) => document.querySelector('[data-testid="pc-profile"] input[name="username"]')?.value === v, renamed);

    // Elsewhere: the old username no longer signs in, the new one does (any case).
    const other = await newContext();
    const p = await other.newPage();
    await p.goto(`${siteURL}/login`);
    await submitSignIn(p, handle, password);
    await p.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    await p.getByLabel('E-mail or username').fill(renamed.toLowerCase());
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.waitForURL(`${siteURL}/`);
    assert.equal((await p.locator('.pc-usermenu__name').textContent()).trim(), name);
    await other.close();
  });
});

describe('the account page', () => {
  const name = 'Edsger Dijkstra';
  let email = `edsger${process.pid}@example.com`; // changed by the e-mail test
  const first = 'shortest-path-semaphore-59';
  const second = 'goto-considered-harmful-68';

  test('signed out, it sends to the login page and back', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${siteURL}/account`);
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/account')}`);
    await context.close();
  });

  test('[ASVS 3.3.4] the signed-in devices: this one first, and another one signed out from here', async () => {
    await createAccount(name, email, first);
    const phone = await signedIn(email, first);
    const { context, page } = await signedIn(email, first);
    await userButton(page).click();
    await page.locator('.pc-usermenu__panel:not([hidden])').getByRole('link', { name: 'Account' }).click();
    await page.waitForURL(`${siteURL}/account`);
    // Three: this browser, the phone, and the sign-up's session (made by Node's fetch).
    const sessions = page.locator('[data-testid="pc-sessions"]');
    const rows = sessions.locator('.pc-session');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal(await rows.first().getAttribute('data-current'), 'true');
    assert.match(await rows.first().textContent(), /^Chrome on LinuxThis device127\.0\.0\.1 · signed in /);
    assert.deepEqual(
      (await rows.locator('strong').allTextContents()).slice(1).sort(),
      ['Chrome on Linux', 'Unknown device'],
    );
    await shot(page, 'account-light');

    // The phone, by its button; then the rest at once.
    await sessions.getByRole('button', { name: 'Sign out: Chrome on Linux' }).click();
    await rows.nth(2).waitFor({ state: 'detached' });
    assert.deepEqual(await rows.locator('strong').allTextContents(), ['Chrome on Linux', 'Unknown device']);
    await sessions.getByRole('button', { name: 'Sign out of all other devices' }).click();
    await sessions.getByText('No other device is signed in.').waitFor();
    assert.equal(await rows.count(), 1);
    await phone.page.reload();
    await phone.page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();
    await phone.context.close();
    await context.close();
  });

  test('signed in more than a day ago: the device list asks to sign in again (the server lists sessions to a fresh one only)', async () => {
    const { context, page } = await signedIn(email, first);
    const dayAndMinute = new Date(Date.now() - 86_460_000).toISOString();
    sql(server.db, `update session set createdAt = '${dayAndMinute}' where userId = (select id from "user" where email = '${email}')`);
    // The server's session cache (--session-cache-ttl, 5 s) may still hold the session as it was
    // read before the edit: the page is opened again until the list has the database's answer.
    const sessions = page.locator('[data-testid="pc-sessions"]');
    const alert = sessions.getByRole('alert').filter({ hasText: 'For your security, sign in again to see the devices signed in to your account.' });
    await waitFor(
      async () => {
        await page.goto(`${siteURL}/account`);
        await page.locator('[data-testid="pc-sessions"][aria-busy="false"]').waitFor(); // its answer came
        return alert.isVisible();
      },
      { timeout: 15_000, interval: 250, what: 'SESSION_NOT_FRESH in the list' },
    );
    assert.equal(await sessions.locator('.pc-session').count(), 0);
    // Its button signs out; the account page sends to the sign-in page, and back once signed in.
    await sessions.getByRole('button', { name: 'Sign out, then sign in again' }).click();
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/account')}`);
    await submitSignIn(page, email, first);
    await page.waitForURL(`${siteURL}/account`);
    await sessions.locator('.pc-session[data-current="true"]').waitFor();
    await context.close();
  });

  test('verify the address from the page, and change the name', async () => {
    const { context, page } = await signedIn(email, first);
    await page.goto(`${siteURL}/account`);
    const notice = page.locator('[data-testid="pc-verify-email"]');
    await notice.getByText(`Your e-mail address ${email} is not verified yet.`).waitFor();
    await notice.getByRole('button', { name: 'Send the verification link' }).click();
    await notice.getByRole('status').filter({ hasText: 'Sent: check your e-mail.' }).waitFor();
    const mail = await mailTo(email, 'verify-email');
    assert.equal(new URL(mail.link).searchParams.get('callbackURL'), `${siteURL}/account`);
    await page.goto(mail.link);
    await page.waitForURL(`${siteURL}/account`);
    await page.locator('[data-testid="pc-profile"]').waitFor();
    assert.equal(await notice.count(), 0, 'verified: the notice is gone');

    const profile = page.locator('[data-testid="pc-profile"]');
    assert.equal(await profile.getByLabel('Name', { exact: true }).inputValue(), name);
    await profile.getByLabel('Name', { exact: true }).fill('   ');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.locator('[data-field-error$="-name"]').filter({ hasText: 'Name is required' }).waitFor();
    await profile.getByLabel('Name', { exact: true }).fill('E. W. Dijkstra');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.locator('.pc-usermenu__name', { hasText: 'E. W. Dijkstra' }).waitFor();
    await context.close();
  });

  test('[ASVS 2.1.5, 2.1.6] change the password: the current one is checked, the new one is measured', async () => {
    const { context, page } = await signedIn(email, first);
    await page.goto(`${siteURL}/account`);
    const form = page.locator('[data-testid="pc-change-password"]');
    await form.getByLabel('Current password').fill('not-my-password-at-all');
    await form.getByLabel('New password', { exact: true }).fill(second);
    await page.waitForSelector('[data-testid="pc-change-password"] .pc-meter[data-verdict="accept"]');
    await form.getByRole('button', { name: 'Change password' }).click();
    const currentError = form.locator('[data-field-error$="-currentPassword"]');
    await currentError.filter({ hasText: 'Invalid password' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'current-password');

    await form.getByLabel('Current password').fill(first);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
    assert.equal(await form.getByLabel('Current password').inputValue(), '', 'the fields are emptied');
    // This browser stays signed in (with a new session), and the new password signs in elsewhere.
    await page.reload();
    await page.locator('.pc-account__who').filter({ hasText: email }).waitFor();
    const elsewhere = await signedIn(email, second);
    await elsewhere.context.close();
    await context.close();
  });

  test('change the e-mail address: confirmed from the current one, then verified at the new one', async () => {
    const { context, page } = await signedIn(email, second);
    await page.goto(`${siteURL}/account`);
    const form = page.locator('[data-testid="pc-change-email"]');
    const field = form.getByLabel('New e-mail address');
    await field.fill(email.toUpperCase());
    await form.getByRole('button', { name: 'Change e-mail address' }).click();
    await form.locator('[data-field-error$="-newEmail"]').filter({ hasText: 'Email is the same' }).waitFor();

    const renamed = `ewd${process.pid}@example.org`;
    await field.fill(renamed);
    await form.getByRole('button', { name: 'Change e-mail address' }).click();
    await form.getByRole('status').filter({ hasText: 'Check your e-mail: follow the link we have sent' }).waitFor();
    // The address is verified (an earlier test), so the current one confirms first.
    const confirmation = await mailTo(email, 'change-email-confirmation');
    assert.equal(new URL(confirmation.link).searchParams.get('callbackURL'), `${siteURL}/account`);
    await page.goto(confirmation.link);
    await page.waitForURL(`${siteURL}/account`);
    await page.locator('.pc-account__who').filter({ hasText: email }).waitFor();
    const verification = await mailTo(renamed, 'change-email');
    await page.goto(verification.link);
    await page.waitForURL(`${siteURL}/account`);
    await page.locator('.pc-account__who').filter({ hasText: renamed }).waitFor();
    assert.equal(await page.locator('[data-testid="pc-verify-email"]').count(), 0, 'the new address is verified');
    await shot(page, 'account-email-changed-light');
    email = renamed;
    await context.close();
  });

  test('delete the account: after its password, then signed out and gone', async () => {
    const { context, page } = await signedIn(email, second);
    await page.goto(`${siteURL}/account`);
    const form = page.locator('[data-testid="pc-delete-account"]');
    await form.getByLabel('Password', { exact: true }).fill(first);
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await form.locator('[data-field-error$="-password"]').filter({ hasText: 'Invalid password' }).waitFor();
    await form.getByLabel('Password', { exact: true }).fill(second);
    await form.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(`${siteURL}/`);
    await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();

    await page.goto(`${siteURL}/login`);
    await submitSignIn(page, email, second);
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();
    await context.close();
  });
});

describe('two-step verification, on the site', () => {
  const name = 'Barbara Liskov';
  const email = `barbara${process.pid}@example.com`;
  const password = 'substitution-principle-1987';

  test('[ASVS 2.8.1, 2.6.1] turn it on from the account page; sign-in then asks for the code (or a backup code); turn it off', async () => {
    await createAccount(name, email, password);
    const { context, page } = await signedIn(email, password);
    await page.goto(`${siteURL}/account`);
    const section = page.locator('[data-testid="pc-two-factor"]');
    await section.locator('[data-testid="pc-2fa-enable"]').getByLabel('Current password').fill(password);
    await section.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const key = await section.locator('[data-testid="pc-setup-key"]').textContent();
    const backupCodes = await section.locator('[data-testid="pc-backup-codes"] li').allTextContents();
    assert.equal(backupCodes.length, 10);
    const href = await section.getByRole('link', { name: 'Open in an authenticator app' }).getAttribute('href');
    assert.match(href, /^otpauth:\/\/totp\//);
    // The QR code, as a phone would read it: drawn on a canvas in the page, decoded here (jsQR).
    await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const drawn = await page.evaluate(async () => {
      const svg = document.querySelector('[data-testid="pc-qr"]');
      const image = new Image();
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
      await image.decode();
      const size = 400;
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const context = canvas.getContext('2d');
      context.imageSmoothingEnabled = false;
      context.drawImage(image, 0, 0, size, size);
      return { size, pixels: Array.from(context.getImageData(0, 0, size, size).data) };
    });
    assert.equal(jsQR(Uint8ClampedArray.from(drawn.pixels), drawn.size, drawn.size)?.data, href, 'the QR code holds the otpauth:// URI');
    await shot(page, 'account-two-factor-setup');
    await section.getByLabel('Enter the code the app shows, to finish').fill(totp(key));
    await section.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await section.getByRole('status').filter({ hasText: 'Two-step verification is on.' }).waitFor();
    assert.equal(await section.getAttribute('data-enabled'), 'true');

    // Another browser: the password, then the code step; a wrong code, then the app's.
    const phone = await newContext();
    const other = await phone.newPage();
    await other.goto(`${siteURL}/login`);
    await submitSignIn(other, email, password);
    const step = other.locator('[data-testid="pc-second-factor"]');
    await step.getByLabel('Code from your authenticator app').fill(wrongCode(totp(key, 1)));
    await step.getByRole('button', { name: 'Verify' }).click();
    await step.locator('[data-field-error$="-code"]').filter({ hasText: 'Invalid code' }).waitFor();
    await shot(other, 'login-two-factor');
    await step.getByLabel('Code from your authenticator app').fill(totp(key, 1));
    await step.getByRole('button', { name: 'Verify' }).click();
    await other.waitForURL(`${siteURL}/`);
    await userButton(other).waitFor();
    await phone.close();

    // A third browser, with a backup code instead.
    const tablet = await newContext();
    const third = await tablet.newPage();
    await third.goto(`${siteURL}/login`);
    await submitSignIn(third, email, password);
    await third.getByRole('button', { name: 'Use a backup code instead' }).click();
    await third.getByLabel('Backup code').fill(backupCodes[0]);
    await third.getByRole('button', { name: 'Verify' }).click();
    await third.waitForURL(`${siteURL}/`);
    await userButton(third).waitFor();
    await tablet.close();

    // A fourth: the server has codes by e-mail (--two-factor-otp), but this user chose the app
    // alone, so the mailbox is not offered as a way past it.
    const laptop = await newContext();
    const fourth = await laptop.newPage();
    await fourth.goto(`${siteURL}/login`);
    await submitSignIn(fourth, email, password);
    const appStep = fourth.locator('[data-testid="pc-second-factor"]');
    await appStep.getByLabel('Code from your authenticator app').waitFor();
    assert.equal(await appStep.getByRole('button', { name: 'Email me a code' }).count(), 0);
    await laptop.close();

    // Off again, with the password: the next sign-in asks for nothing more.
    await page.reload();
    await section.locator('[data-testid="pc-2fa-disable"]').getByLabel('Current password').fill(password);
    await section.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await section.getByRole('status').filter({ hasText: 'Two-step verification is off.' }).waitFor();
    await context.close();
    const later = await signedIn(email, password);
    await later.context.close();
  });
});

describe('two-step verification by codes sent by e-mail, on the site', () => {
  const name = 'Frances Allen';
  const email = `frances${process.pid}@example.com`;
  const password = 'optimizing-compilers-ptran-2006';

  test('turned on from the account page (once the address is verified); sign-in mails a code: a wrong one, a new one, signed in', async () => {
    await createAccount(name, email, password);
    const { context, page } = await signedIn(email, password);
    await page.goto(`${siteURL}/account`);
    const section = page.locator('[data-testid="pc-two-factor"]');
    const enable = section.locator('[data-testid="pc-2fa-enable"]');
    const turnOn = async () => {
      await enable.getByLabel('Use codes sent by e-mail').check();
      await enable.getByLabel('Current password').fill(password);
      await enable.getByRole('button', { name: 'Turn on two-step verification' }).click();
    };
    // Not before the address is verified.
    await turnOn();
    await enable.getByRole('alert').filter({ hasText: 'Verify your e-mail address first: codes are only sent to a verified address.' }).waitFor();
    await shot(page, 'account-two-factor-otp-unverified');
    assert.equal(await section.getAttribute('data-enabled'), 'false');
    const notice = page.locator('[data-testid="pc-verify-email"]');
    await notice.getByRole('button', { name: 'Send the verification link' }).click();
    await notice.getByRole('status').filter({ hasText: 'Sent: check your e-mail.' }).waitFor();
    await page.goto((await mailTo(email, 'verify-email')).link);
    await page.waitForURL(`${siteURL}/account`);
    await page.locator('[data-testid="pc-profile"]').waitFor();
    assert.equal(await notice.count(), 0, 'verified');

    // On at once: no app, no backup codes.
    await turnOn();
    await section.getByRole('status').filter({ hasText: 'Two-step verification is on: each sign-in asks for a code sent to your e-mail address.' }).waitFor();
    await page.locator('[data-testid="pc-two-factor"][data-enabled="true"]').waitFor();
    assert.equal(await section.locator('[data-testid="pc-setup-key"], [data-testid="pc-backup-codes"]').count(), 0);
    await shot(page, 'account-two-factor-otp');

    // Signed out, then in again: the code step mails a code at once (the only method).
    await userButton(page).click();
    await page.getByTestId('pc-usermenu').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/account')}`);
    await submitSignIn(page, email, password);
    const step = page.locator('[data-testid="pc-second-factor"]');
    await step.getByRole('status').filter({ hasText: 'We sent a 6-digit code to your e-mail address.' }).waitFor();
    const first = await mailedCode(email);
    await shot(page, 'login-two-factor-otp');
    await step.getByLabel('Code from the e-mail').fill(wrongCode(first));
    await step.getByRole('button', { name: 'Verify' }).click();
    await step.locator('[data-field-error$="-code"]').filter({ hasText: 'Invalid code' }).waitFor();
    // A new code replaces the first.
    await step.getByRole('button', { name: 'Send a new code' }).click();
    await step.getByRole('status').filter({ hasText: 'We sent a new 6-digit code to your e-mail address' }).waitFor();
    await step.getByLabel('Code from the e-mail').fill(await mailedCode(email, 1));
    await step.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${siteURL}/account`);
    await page.locator('[data-testid="pc-two-factor"][data-enabled="true"]').waitFor();
    assert.equal(outboxMails(server.outbox).filter((m) => m.to === email && m.kind === 'two-factor-code').length, 2, 'a code per send, no more');
    // No app, so no backup codes to renew: the page offers to add an app instead, and then the
    // backup codes come with it, and sign-in takes either method.
    const addApp = section.locator('[data-testid="pc-2fa-add-app"]');
    await addApp.waitFor();
    assert.equal(await section.locator('[data-testid="pc-2fa-codes"]').count(), 0);
    await addApp.getByLabel('Current password').fill(password);
    await addApp.getByRole('button', { name: 'Add an authenticator app' }).click();
    const key = await section.locator('[data-testid="pc-setup-key"]').textContent();
    assert.equal((await section.locator('[data-testid="pc-backup-codes"] li').allTextContents()).length, 10);
    await section.getByLabel('Enter the code the app shows, to finish').fill(totp(key));
    await section.getByRole('button', { name: 'Add an authenticator app' }).click();
    await section.getByRole('status').filter({ hasText: 'Your authenticator app is added' }).waitFor();
    await section.locator('[data-testid="pc-2fa-codes"]').waitFor();
    assert.equal(await addApp.count(), 0);
    await shot(page, 'account-two-factor-otp-app-added');
    const methods = await page.evaluate(async (api) => (await fetch(`${api}/two-factor/methods`, { credentials: 'include' })).json(), apiURL());
    assert.deepEqual(methods, { methods: ['totp', 'otp'] });

    // Off, with the password: the next sign-in asks for nothing more.
    await section.locator('[data-testid="pc-2fa-disable"]').getByLabel('Current password').fill(password);
    await section.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await section.getByRole('status').filter({ hasText: 'Two-step verification is off.' }).waitFor();
    await context.close();
    const later = await signedIn(email, password);
    await later.context.close();
  });
});

describe("the administration page (the server's --admin)", () => {
  const admin = { name: 'Margaret Hamilton', email: `margaret${process.pid}@example.com`, password: 'apollo-guidance-computer-1969' };
  const member = { name: 'Dennis Ritchie', email: `dennis${process.pid}@example.com`, password: 'unix-and-the-c-language-72' };
  const reason = 'Spamming the forum';
  const BANNED = 'You have been banned from this application. Please contact support if you believe this is an error.';

  before(async () => {
    await createAccount(admin.name, admin.email, admin.password);
    await createAccount(member.name, member.email, member.password);
    // The first administrator, as the docs say: the command line, on the server's database.
    execFileSync(BIN, ['user', 'set-role', '--email', admin.email, '--role', 'admin', '--database', server.db]);
  });

  /** The administration page of `page` (signed in as an administrator), its users found by `search` in `field`. */
  async function findUsers(page, search, field = 'E-mail') {
    const users = page.getByTestId('pc-admin-users');
    await users.getByLabel('Search users').fill(search);
    await users.getByLabel('Search by').selectOption({ label: field });
    await users.getByRole('button', { name: 'Search', exact: true }).click();
    return users;
  }
  const row = (users, email) => users.locator('tbody .pc-admin__row', { has: users.page().getByRole('rowheader', { name: email }) });
  const caption = (users, text) => users.locator('caption').filter({ hasText: new RegExp(`^${text}$`) });
  const done = (users, text) => users.getByRole('status').filter({ hasText: text }).waitFor();

  test('a visitor is asked to sign in; signed in, a user who is not an administrator is told so', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${siteURL}/admin`);
    const users = page.getByTestId('pc-admin-users');
    await users.getByRole('status').filter({ hasText: 'Sign in as an administrator to manage the users.' }).waitFor();
    await users.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/admin')}`);
    await submitSignIn(page, member.email, member.password);
    await page.waitForURL(`${siteURL}/admin`);
    await users.getByRole('status').filter({ hasText: 'You are not an administrator.' }).waitFor();
    assert.equal(await page.locator('table').count(), 0, 'no table of users');
    await shot(page, 'admin-not-administrator-light');
    await context.close();
  });

  test('an administrator finds a user by searching and bans them with a reason: their sign-in shows the banned message; unbanned, it works', async () => {
    const { context, page } = await signedIn(admin.email, admin.password);
    const victim = await signedIn(member.email, member.password);
    await page.locator('.navbar').getByRole('link', { name: 'Admin', exact: true }).click();
    await page.waitForURL(`${siteURL}/admin`);
    const users = await findUsers(page, `dennis${process.pid}`);
    await caption(users, '1 user').waitFor();
    const found = row(users, member.email);
    assert.deepEqual(await found.locator('td').allTextContents(), [member.name, 'user', 'No', 'No', await page.evaluate(() => new Date().toLocaleDateString()), 'Manage']);

    await users.getByRole('button', { name: `Manage ${member.email}` }).click();
    const panel = page.getByRole('region', { name: `Manage ${member.email}` });
    await panel.getByLabel('Reason').fill(reason);
    await panel.getByLabel('Duration').selectOption({ label: '1 day' });
    await panel.getByRole('button', { name: 'Ban', exact: true }).click();
    await done(users, `${member.email} is banned and signed out everywhere.`);
    await users.locator('tbody .pc-admin__row[data-banned="true"]').waitFor();
    const banned = await found.locator('.pc-admin__ban-state').textContent();
    assert.match(banned, new RegExp(`^Banned: ${reason}until .*\\d`), banned);
    await shot(page, 'admin-banned-light');

    // The ban ended the member's session; their sign-in is refused with the server's words.
    await victim.page.reload();
    await victim.page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();
    await victim.page.goto(`${siteURL}/login`);
    await submitSignIn(victim.page, member.email, member.password);
    await victim.page.getByRole('alert').filter({ hasText: BANNED }).waitFor();
    assert.equal(new URL(victim.page.url()).pathname, '/login');
    await shot(victim.page, 'login-banned-light');

    await panel.getByRole('button', { name: 'Unban' }).click();
    await done(users, `${member.email} is no longer banned.`);
    await users.locator('tbody .pc-admin__row[data-banned="false"]').waitFor();
    assert.equal(await found.locator('.pc-admin__ban-state').textContent(), 'No');
    await victim.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await victim.page.waitForURL(`${siteURL}/`);
    assert.equal((await victim.page.locator('.pc-usermenu__name').textContent()).trim(), member.name);
    await victim.context.close();
    await context.close();
  });

  test("an administrator changes a user's role, signs them out everywhere, sets their password, creates a user and removes one", async () => {
    const { context, page } = await signedIn(admin.email, admin.password);
    const victim = await signedIn(member.email, member.password);
    await page.goto(`${siteURL}/admin`);
    const users = await findUsers(page, 'Dennis Ritchie', 'Name');
    await caption(users, '1 user').waitFor();
    const found = row(users, member.email);
    await users.getByRole('button', { name: `Manage ${member.email}` }).click();
    const panel = page.getByRole('region', { name: `Manage ${member.email}` });

    await panel.getByRole('button', { name: 'Make admin' }).click();
    await done(users, `${member.email} is now an administrator.`);
    assert.equal(await found.locator('.pc-admin__role').textContent(), 'admin');
    await panel.getByRole('button', { name: 'Make user' }).click();
    await done(users, `${member.email} is now a user.`);
    assert.equal(await found.locator('.pc-admin__role').textContent(), 'user');

    await panel.getByRole('button', { name: 'Sign out everywhere' }).click();
    await done(users, `${member.email} is signed out everywhere.`);
    await victim.page.reload();
    await victim.page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();
    await victim.context.close();

    // A weak password: the server's warning under the field, and its suggestions.
    const passwordField = panel.getByLabel('New password', { exact: true });
    await passwordField.fill(WEAK);
    await panel.getByRole('button', { name: 'Set password' }).click();
    const passwordError = panel.locator('[data-field-error$="-newPassword"]');
    await passwordError.filter({ hasText: /\S/ }).waitFor();
    assert.ok((await panel.locator('.pc-admin__suggestions li').count()) > 0, 'the suggestions');
    const renewed = 'b-language-successor-1972';
    await passwordField.fill(renewed);
    await panel.getByRole('button', { name: 'Set password' }).click();
    await done(users, `The password of ${member.email} is set; they are signed out everywhere.`);
    const again = await signedIn(member.email, renewed);
    await again.context.close();

    // A new user: a weak password refused with the feedback, then created; found, then removed.
    const create = page.getByTestId('pc-admin-create');
    const newcomer = `ken${process.pid}@example.com`;
    await create.getByLabel('Name').fill('Ken Thompson');
    await create.getByLabel('E-mail').fill(newcomer);
    await create.getByLabel('Password', { exact: true }).fill(WEAK);
    await create.getByRole('button', { name: 'Create user' }).click();
    await create.locator('[data-field-error$="-password"]').filter({ hasText: /\S/ }).waitFor();
    assert.ok((await create.locator('.pc-admin__suggestions li').count()) > 0, 'the suggestions');
    await create.getByLabel('Password', { exact: true }).fill('regular-expressions-qed-1968');
    await create.getByLabel('Mark the address as verified').check();
    await create.getByRole('button', { name: 'Create user' }).click();
    await create.getByRole('status').filter({ hasText: `${newcomer} is created.` }).waitFor();
    await shot(page, 'admin-light');

    await findUsers(page, newcomer);
    await caption(users, '1 user').waitFor();
    assert.deepEqual(await row(users, newcomer).locator('td').allTextContents(), ['Ken Thompson', 'user', 'Yes', 'No', await page.evaluate(() => new Date().toLocaleDateString()), 'Manage']);
    await users.getByRole('button', { name: `Manage ${newcomer}` }).click();
    const newPanel = page.getByRole('region', { name: `Manage ${newcomer}` });
    await newPanel.getByRole('button', { name: 'Remove user…' }).click();
    await newPanel.getByText(`This deletes ${newcomer}, with their sessions. It cannot be undone.`).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel'); // the focus, away from the danger
    await newPanel.getByRole('button', { name: `Remove ${newcomer}` }).click();
    await done(users, `${newcomer} is removed.`);
    await caption(users, '0 users').waitFor();
    await users.getByText('No users found.').waitFor();

    // The administrator's own row: no ban, no removal.
    await findUsers(page, admin.email);
    await caption(users, '1 user').waitFor();
    assert.match(await row(users, admin.email).locator('th').textContent(), /you$/);
    await users.getByRole('button', { name: `Manage ${admin.email}` }).click();
    const own = page.getByRole('region', { name: `Manage ${admin.email}` });
    await own.getByRole('button', { name: 'Make user' }).waitFor();
    assert.equal(await own.getByRole('button', { name: /^Ban$|^Remove|^Sign in as/ }).count(), 0);
    await context.close();
  });

  test('an administrator signs in as a user: the bar on every page, the account page as the user sees it; "Stop impersonating" brings the administrator back to /admin', async () => {
    const { context, page } = await signedIn(admin.email, admin.password);
    await page.goto(`${siteURL}/admin`);
    const users = await findUsers(page, member.email);
    await caption(users, '1 user').waitFor();
    await users.getByRole('button', { name: `Manage ${member.email}` }).click();
    const panel = page.getByRole('region', { name: `Manage ${member.email}` });
    const bar = page.getByRole('region', { name: 'Impersonation' });
    assert.equal(await bar.count(), 0, 'no bar before');

    // A confirmation first (the focus on "Cancel"); then the user's account page.
    await panel.getByRole('button', { name: 'Sign in as this user…' }).click();
    await panel.getByText(`You will be signed in as ${member.email}, to see the site as they see it`).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
    await panel.getByRole('button', { name: `Sign in as ${member.email}` }).click();
    await page.waitForURL(`${siteURL}/account`);
    const says = `You are signed in as ${member.name}, ${member.email} (impersonation).`;
    await bar.getByRole('status').filter({ hasText: says }).waitFor();
    await page.getByTestId('pc-change-email').getByText(member.email, { exact: true }).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), member.name);
    assert.equal(await page.getByTestId('pc-profile').getByLabel('Name', { exact: true }).inputValue(), member.name);
    await shot(page, 'impersonation-account-light');

    // Every page has the bar (the router's navigation): /admin, which is not the user's to see,
    // and the home page.
    await page.locator('.navbar').getByRole('link', { name: 'Admin', exact: true }).click();
    await page.waitForURL(`${siteURL}/admin`);
    await users.getByRole('status').filter({ hasText: 'You are not an administrator.' }).waitFor();
    await bar.getByRole('status').filter({ hasText: says }).waitFor();
    await page.locator('.navbar__brand').click();
    await page.waitForURL(`${siteURL}/`);
    await bar.getByRole('status').filter({ hasText: says }).waitFor();
    await shot(page, 'impersonation-home-light');

    // Back: the administrator's own session, on /admin.
    await bar.getByRole('button', { name: 'Stop impersonating' }).click();
    await page.waitForURL(`${siteURL}/admin`);
    await users.locator('caption').filter({ hasText: /^\d+ users?$/ }).waitFor();
    await userButton(page).waitFor();
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), admin.name);
    assert.equal(await bar.count(), 0, 'no bar after');

    // Again, but the administrator's own session ends meanwhile (signed out everywhere from
    // elsewhere): stopping ends the impersonation all the same, signed out, and says so.
    await findUsers(page, member.email);
    await caption(users, '1 user').waitFor();
    await users.getByRole('button', { name: `Manage ${member.email}` }).click();
    await panel.getByRole('button', { name: 'Sign in as this user…' }).click();
    await panel.getByRole('button', { name: `Sign in as ${member.email}` }).click();
    await page.waitForURL(`${siteURL}/account`);
    await bar.getByRole('status').filter({ hasText: says }).waitFor();
    const signIn = await fetch(`${server.api}/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteURL },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    assert.equal(signIn.status, 200);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const revoked = await fetch(`${server.api}/revoke-sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteURL, cookie },
      body: '{}',
    });
    assert.equal(revoked.status, 200, await revoked.text());
    await bar.getByRole('button', { name: 'Stop impersonating' }).click();
    await bar.getByRole('alert').filter({ hasText: 'Your administrator session has ended; sign in again.' }).waitFor();
    // Signed out: the account page sends to the sign-in page, the message stays.
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent('/account')}`);
    await page.locator('.pc-usermenu__link', { hasText: 'Sign in' }).waitFor();
    await bar.getByRole('alert').filter({ hasText: 'Your administrator session has ended; sign in again.' }).waitFor();
    assert.equal(await bar.getByRole('button', { name: 'Stop impersonating' }).count(), 0);
    await shot(page, 'impersonation-ended-light');
    await context.close();
  });
});

describe("organizations, on the site (the server's --organization)", () => {
  const owner = { name: 'Barbara Liskov', email: `liskov-org${process.pid}@example.com`, password: 'abstraction-and-substitution-1987' };
  const invitee = { name: 'Frances Allen', email: `allen-org${process.pid}@example.com`, password: 'optimizing-compilers-ptran-2006' };
  const organization = `Programming Methodology ${process.pid}`;
  let owners; // the owner's browser, {context, page}

  before(async () => {
    await createAccount(owner.name, owner.email, owner.password);
    await createAccount(invitee.name, invitee.email, invitee.password);
    // The server wants the invited address verified before it shows or accepts an invitation.
    sql(server.db, `update "user" set emailVerified = 1 where email = '${invitee.email}'`);
  });
  after(async () => {
    await owners?.context.close();
  });

  test('an owner creates an organization on /organizations (the slug made from the name; a taken one said under it) and invites a verified user as admin', async () => {
    owners = await signedIn(owner.email, owner.password);
    const { page } = owners;
    await userButton(page).click();
    await page.getByRole('link', { name: 'Organizations', exact: true }).click();
    await page.waitForURL(`${siteURL}/organizations`);
    const orgs = page.getByTestId('pc-organizations');
    await orgs.getByText('You are not a member of any organization yet.').waitFor();

    const create = page.getByTestId('pc-org-create');
    await create.getByLabel('Name').fill(organization);
    assert.equal(await create.getByLabel('Slug').inputValue(), `programming-methodology-${process.pid}`);
    await create.getByRole('button', { name: 'Create the organization' }).click();
    await orgs.getByRole('status').filter({ hasText: `${organization} is created: you are its owner, and it is your active organization.` }).waitFor();
    const active = page.getByTestId('pc-org-active');
    await active.getByRole('heading', { name: organization }).waitFor();
    await active.getByText('Your role: owner').waitFor();
    assert.deepEqual(await orgs.locator('[data-testid="pc-org"][data-active="true"] .pc-org__name').allTextContents(), [organization]);
    // The same name again: its slug is taken (check-slug), said under the field; nothing is made.
    await create.getByLabel('Name').fill(organization);
    await create.getByRole('button', { name: 'Create the organization' }).click();
    await create.locator('[data-field-error$="-slug"]').filter({ hasText: 'Organization slug already taken' }).waitFor();
    assert.equal(await orgs.getByTestId('pc-org').count(), 1);

    const invite = page.getByTestId('pc-org-invite');
    await invite.getByLabel('E-mail').fill(invitee.email);
    assert.deepEqual(await invite.getByLabel('Role').locator('option').allTextContents(), ['member', 'admin', 'owner'], 'an owner may invite owners');
    await invite.getByLabel('Role').selectOption('admin');
    await invite.getByRole('button', { name: 'Send the invitation' }).click();
    await orgs.getByRole('status').filter({ hasText: `We have sent an invitation to ${invitee.email}.` }).waitFor();
    await active.locator('.pc-orgs__invitations li').filter({ hasText: invitee.email }).filter({ hasText: 'as admin' }).waitFor();
    await shot(page, 'organizations-owner-light');
  });

  test('the invitee opens the mailed link, signs in from it, sees the organization and accepts: on /organizations it is active, their role admin', async () => {
    const mail = await mailTo(invitee.email, 'organization-invitation');
    const link = new URL(mail.link);
    assert.equal(`${link.origin}${link.pathname}`, `${siteURL}/accept-invitation`);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(mail.link);
    const card = page.getByTestId('pc-invitation');
    await card.getByRole('status').filter({ hasText: 'To see this invitation, sign in with the e-mail address it was sent to.' }).waitFor();
    await card.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${siteURL}/login?redirect=${encodeURIComponent(link.pathname + link.search)}`);
    await submitSignIn(page, invitee.email, invitee.password);
    await page.waitForURL(mail.link);
    await card.getByText(`${owner.email} invited you to join ${organization} as admin.`).waitFor();
    await shot(page, 'accept-invitation-light');
    await card.getByRole('button', { name: 'Accept' }).click();
    await card.getByRole('status').filter({ hasText: `You are now a member of ${organization}, your active organization.` }).waitFor();
    await card.getByRole('link', { name: 'Go to your organizations' }).click();
    await page.waitForURL(`${siteURL}/organizations`);
    const orgs = page.getByTestId('pc-organizations');
    await orgs.locator('[data-testid="pc-org"][data-active="true"]').filter({ hasText: organization }).waitFor();
    const active = page.getByTestId('pc-org-active');
    await active.getByText('Your role: admin').waitFor();
    // An admin invites (not owners) and may not delete the organization, nor touch its owner.
    assert.deepEqual(await page.getByTestId('pc-org-invite').getByLabel('Role').locator('option').allTextContents(), ['member', 'admin']);
    assert.equal(await active.getByRole('button', { name: /^Delete/ }).count(), 0);
    assert.equal(await active.getByLabel(`Role of ${owner.email}`, { exact: true }).count(), 0);
    await shot(page, 'organizations-admin-light');
    await context.close();
  });

  test('the owner sees the new member, admin, and no invitation waiting; the last owner cannot leave: the server says why', async () => {
    const { page } = owners;
    await page.reload();
    const active = page.getByTestId('pc-org-active');
    const row = active.locator('tr.pc-org-member', { has: page.getByRole('rowheader', { name: invitee.email }) });
    await row.waitFor();
    assert.deepEqual([await row.locator('td').first().textContent(), await row.locator('.pc-org-member__role').textContent()], [invitee.name, 'admin']);
    assert.equal(await active.getByLabel(`Role of ${invitee.email}`, { exact: true }).inputValue(), 'admin');
    await active.getByText('No invitation is waiting for an answer.').waitFor();

    await active.getByRole('button', { name: 'Leave the organization…' }).click();
    await active.getByRole('button', { name: `Leave ${organization}` }).click();
    await page.getByTestId('pc-organizations').getByRole('alert').filter({ hasText: 'You cannot leave the organization as the only owner' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert', null, { timeout: 2000 });
    await shot(page, 'organizations-members-light');
  });
});

describe("API keys, on the account page (the server's --api-key)", () => {
  const person = { name: 'Margaret Hamilton', email: `hamilton-keys${process.pid}@example.com`, password: 'apollo-guidance-computer-1969' };
  // What a program with the key gets from get-session: [status, the user's e-mail or the code].
  const useKey = async (key) => {
    const r = await fetch(`${server.api}/get-session`, { headers: { 'x-api-key': key } });
    const body = await r.json().catch(() => null);
    return [r.status, body?.user?.email ?? body?.code ?? null];
  };

  test('a key made on the account page is shown once and copied; a program signs in with it; disabled it is refused; deleted after a confirmation', async () => {
    await createAccount(person.name, person.email, person.password);
    const { context, page } = await signedIn(person.email, person.password);
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: siteURL });
      await page.goto(`${siteURL}/account`);
      const keys = page.getByTestId('pc-api-keys');
      await keys.getByRole('heading', { name: 'API keys' }).waitFor();
      await keys.getByText('You have no API keys yet.').waitFor();
      const create = keys.getByTestId('pc-api-key-create');
      await create.getByLabel('Name').fill('Flight software CI');
      await create.getByLabel('Expires').selectOption({ label: 'In 365 days' });
      await create.getByRole('button', { name: 'Create the key' }).click();
      const made = keys.getByRole('region', { name: 'Your new API key' });
      await made.getByText('you will not see it again', { exact: false }).waitFor();
      const key = await made.getByRole('textbox').inputValue();
      assert.match(key, /^[A-Za-z]{64}$/);
      await made.getByRole('button', { name: 'Copy the new API key' }).click();
      await made.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
      const row = keys.getByTestId('pc-api-key');
      assert.equal(await row.locator('.pc-api-key__start').textContent(), `${key.slice(0, 6)}…`);
      await shot(page, 'api-keys-new-light');

      // A program (a backend) asks the server whose key it is.
      assert.deepEqual(await useKey(key), [200, person.email]);
      await made.getByRole('button', { name: 'Done: hide the new API key' }).click();
      await page.reload();
      await row.locator('.pc-session__detail', { hasText: 'last used' }).waitFor();
      assert.equal(await keys.getByRole('region', { name: 'Your new API key' }).count(), 0, 'never shown again');

      await keys.getByRole('button', { name: 'Disable Flight software CI' }).click();
      await row.getByText('Disabled', { exact: true }).waitFor();
      assert.deepEqual(await useKey(key), [401, 'KEY_DISABLED']);
      await shot(page, 'api-keys-light');

      await row.getByRole('button', { name: 'Delete Flight software CI', expanded: false }).click();
      await keys.getByRole('group', { name: 'Delete Flight software CI' }).getByRole('button', { name: 'Delete Flight software CI' }).click();
      await keys.getByRole('status').filter({ hasText: 'API key “Flight software CI” deleted.' }).waitFor();
      assert.deepEqual(await useKey(key), [401, 'INVALID_API_KEY']);
    } finally {
      await context.close();
    }
  });
});

describe('a server that wants the address verified first (its own server and build of the site)', () => {
  let launched;
  let strict;
  let strictURL;
  before(async () => {
    launched = await launch({ requireEmailVerification: true });
    ({ server: strict, siteURL: strictURL } = launched);
  });
  after(async () => {
    await launched?.stop();
  });

  test('sign-up says a link was mailed; sign-in before it mails another; the link leads back to sign in', async () => {
    const email = `barbara${process.pid}@example.com`;
    const password = 'liskov-substitution-1987';
    const verifyMail = (n) =>
      waitFor(() => outboxMails(strict.outbox).filter((m) => m.to === email && m.kind === 'verify-email')[n], { what: `verification mail ${n}` });
    const landing = `${strictURL}/login?verified=1`;

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${strictURL}/signup`);
    await fillSignUp(page, { name: 'Barbara Liskov', email, password });
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').filter({ hasText: `We have sent a link to ${email}. Follow it to verify your address, then sign in.` }).waitFor();
    assert.equal(page.url(), `${strictURL}/signup`, 'the page stays, signed out');
    const first = await verifyMail(0);
    assert.equal(new URL(first.link).searchParams.get('callbackURL'), landing);
    await shot(page, 'signup-verify-light');

    await page.goto(`${strictURL}/login`);
    await submitSignIn(page, email, password);
    await page.getByRole('alert').filter({ hasText: 'Your e-mail address is not verified yet. We have sent you a new link' }).waitFor();
    const second = await verifyMail(1);
    assert.equal(new URL(second.link).searchParams.get('callbackURL'), landing);

    // A wrong link lands on the sign-in page with the server's error; the right one, verified.
    const wrong = new URL(second.link);
    wrong.searchParams.set('token', 'x'.repeat(32));
    await page.goto(wrong.href);
    await page.getByRole('status').filter({ hasText: 'This verification link is invalid or has expired' }).waitFor();
    await page.goto(second.link);
    await page.waitForURL(landing);
    await page.getByRole('status').filter({ hasText: 'Your e-mail address is verified. You can sign in.' }).waitFor();
    await submitSignIn(page, email, password);
    await page.waitForURL(`${strictURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), 'Barbara Liskov');
    await context.close();
  });
});

describe("a server that mails verification codes instead of links (--email-otp-verification; its own server and build of the site)", () => {
  let launched;
  let coded;
  let codedURL;
  before(async () => {
    launched = await launch({ requireEmailVerification: true, emailOtpVerification: true }, { EXAMPLE_EMAIL_OTP_VERIFICATION: '1' });
    ({ server: coded, siteURL: codedURL } = launched);
  });
  after(async () => {
    await launched?.stop();
  });
  const mails = (email, kind) => outboxMails(coded.outbox).filter((m) => m.to === email && m.kind === kind);
  const verificationCode = async (email, n) =>
    /(?<!\d)(\d{6})(?!\d)/.exec((await waitFor(() => mails(email, 'email-otp-verification')[n], { what: `verification code ${n} to ${email}` })).text)[1];

  test('sign-up asks for the mailed code: a wrong one, then the right one verifies the address; then sign in', async () => {
    const email = `mary${process.pid}@example.com`;
    const password = 'flow-matic-compiler-1955';
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${codedURL}/signup`);
    await fillSignUp(page, { name: 'Mary Keller', email, password });
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await page.getByRole('button', { name: 'Create account' }).click();
    const step = page.locator('[data-testid="pc-verify-code"]');
    await step.getByRole('status').filter({ hasText: `We have sent a 6-digit code to ${email}. Enter it to verify your address.` }).waitFor();
    const field = step.getByLabel('Code from the e-mail');
    assert.equal(await field.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await field.getAttribute('inputmode'), 'numeric');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('autocomplete')), 'one-time-code', 'the focus goes to the code');
    const code = await verificationCode(email, 0);
    assert.equal(mails(email, 'verify-email').length, 0, 'a code, no link');
    await field.fill(wrongCode(code));
    await step.getByRole('button', { name: 'Verify' }).click();
    await step.locator('[data-field-error$="-otp"]').filter({ hasText: 'Invalid OTP' }).waitFor();
    await shot(page, 'signup-verify-code-light');
    await field.fill(code);
    await step.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('status').filter({ hasText: 'Your e-mail address is verified. You can sign in.' }).waitFor();
    assert.equal(page.url(), `${codedURL}/signup`, 'the page stays, signed out');
    await page.locator('[data-testid="pc-signup"]').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${codedURL}/login`);
    await submitSignIn(page, email, password);
    await page.waitForURL(`${codedURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), 'Mary Keller');
    await context.close();
  });

  test('a sign-in before the address is verified asks for the code the server has mailed, then signs in', async () => {
    const email = `jean${process.pid}@example.com`;
    const password = 'eniac-trajectory-tables-46';
    const up = await fetch(`${coded.api}/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: codedURL },
      body: JSON.stringify({ name: 'Jean Bartik', email, password }),
    });
    assert.equal(up.status, 200, await up.text());
    await verificationCode(email, 0); // the sign-up's, which the sign-in's replaces

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${codedURL}/login`);
    await submitSignIn(page, email, password);
    const step = page.locator('[data-testid="pc-verify-code"]');
    await step.getByRole('status').filter({ hasText: 'Your e-mail address is not verified yet. We have sent a 6-digit code to it' }).waitFor();
    await shot(page, 'login-verify-code-light');
    await step.getByLabel('Code from the e-mail').fill(await verificationCode(email, 1));
    await step.getByRole('button', { name: 'Verify' }).click();
    // Verified, then signed in with the password typed.
    await page.waitForURL(`${codedURL}/`);
    assert.equal((await page.locator('.pc-usermenu__name').textContent()).trim(), 'Jean Bartik');
    await context.close();
  });
});

describe("the account page verifies the address by a mailed code (--email-otp-verification, no verification required; its own server and build)", () => {
  let launched;
  let coded;
  let codedURL;
  before(async () => {
    launched = await launch({ emailOtpVerification: true }, { EXAMPLE_EMAIL_OTP_VERIFICATION: '1' });
    ({ server: coded, siteURL: codedURL } = launched);
  });
  after(async () => {
    await launched?.stop();
  });

  test('"Send a verification code", the code, then "Your e-mail address is verified."', async () => {
    const email = `annie${process.pid}@example.com`;
    const password = 'lunar-orbiter-centaur-1963';
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${codedURL}/signup`);
    await fillSignUp(page, { name: 'Annie Easley', email, password });
    await page.waitForSelector('.pc-meter[data-verdict="accept"]');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${codedURL}/`);
    await page.goto(`${codedURL}/account`);
    const notice = page.locator('[data-testid="pc-verify-email"]');
    await notice.filter({ hasText: `Your e-mail address ${email} is not verified yet.` }).waitFor();
    await notice.getByRole('button', { name: 'Send a verification code' }).click();
    await notice.getByRole('status').filter({ hasText: `We have sent a 6-digit code to ${email}. Enter it to verify your address.` }).waitFor();
    const mail = await waitFor(() => outboxMails(coded.outbox).find((m) => m.to === email && m.kind === 'email-otp-verification'), { what: 'the code' });
    const code = /(?<!\d)(\d{6})(?!\d)/.exec(mail.text)[1];
    const field = notice.getByLabel('Code from the e-mail');
    await field.fill(wrongCode(code));
    await notice.getByRole('button', { name: 'Verify' }).click();
    await notice.locator('[data-field-error$="-otp"]').filter({ hasText: 'Invalid OTP' }).waitFor();
    await shot(page, 'account-verify-code-light');
    await field.fill(code);
    await notice.getByRole('button', { name: 'Verify' }).click();
    await notice.getByRole('status').filter({ hasText: 'Your e-mail address is verified.' }).waitFor();
    // The session says so too: after a reload, no notice.
    await page.reload();
    await page.locator('[data-testid="pc-profile"]').waitFor();
    assert.equal(await notice.count(), 0);
    await context.close();
  });
});

describe("the meter's verdict equals the server's", () => {
  const passwords = [
    'password',
    'password1',
    'Password123',
    'qwertyuiop',
    'iloveyou2024',
    '1234567890',
    'aaaaaaaaaaaa',
    'abcdefghijkl',
    'Tr0ub4dor&3',
    'correct horse battery staple',
    'monkey-dragon',
    'Summer2024!',
    'short1!',
    'grace.hopper',
    'gracehopper1947',
    'vX9#qL2$wB7!',
    'zebra-quartz-lamp-77',
    'p@ssw0rd!',
  ];

  test(`${passwords.length} passwords: accept or reject alike in the browser and on the server`, async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${siteURL}/signup`);
    const api = apiURL();
    const mismatches = [];
    for (const [i, password] of passwords.entries()) {
      const email = `verdict${process.pid}-${i}@example.com`;
      await fillSignUp(page, { name: NAME, email, password });
      await page.waitForSelector('.pc-meter[data-verdict]');
      const browserVerdict = await page.locator('.pc-meter').getAttribute('data-verdict');
      const answer = await page.evaluate(
        async ({ api, body }) => {
          const r = await fetch(`${api}/sign-up/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, credentials: 'omit', body: JSON.stringify(body) });
          return { status: r.status, code: (await r.json()).code };
        },
        { api, body: { name: NAME, email, password } },
      );
      const serverVerdict = answer.status === 200 ? 'accept' : 'reject';
      if (answer.status !== 200) assert.match(answer.code, /^PASSWORD_TOO_/, `${password}: ${JSON.stringify(answer)}`);
      if (browserVerdict !== serverVerdict) mismatches.push({ password, browserVerdict, server: answer });
    }
    assert.deepEqual(mismatches, []);
    await context.close();
  });
});

describe('screenshots, light and dark', () => {
  test('every page in both schemes', async () => {
    for (const scheme of ['light', 'dark']) {
      const context = await newContext(scheme);
      const page = await context.newPage();
      for (const [name, path] of [
        ['home', '/'],
        ['docs', '/docs/intro'],
        ['login', '/login'],
        ['signup', '/signup'],
        ['forgot-password', '/forgot-password'],
        ['reset-password-invalid', '/reset-password?error=INVALID_TOKEN'],
        ['admin-signed-out', '/admin'],
        ['accept-invitation-signed-out', '/accept-invitation?id=none'],
      ]) {
        await page.goto(siteURL + path);
        await page.locator('.pc-usermenu').first().waitFor();
        if (name === 'signup') {
          await fillSignUp(page, { name: 'Ann', email: 'ann@example', password: 'monkey12' });
          await page.getByLabel('E-mail').blur();
          await page.waitForSelector('.pc-meter[data-score]:not([data-score=""])');
        }
        assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), scheme);
        await shot(page, `${name}-${scheme}`);
      }
      // Signed in: the gated page and the open user menu.
      await page.goto(`${siteURL}/login?redirect=${encodeURIComponent('/docs/private/handbook')}`);
      await submitSignIn(page, EMAIL, PASSWORD);
      await page.getByRole('heading', { name: "Members' handbook" }).waitFor();
      await userButton(page).click();
      await shot(page, `gated-signed-in-${scheme}`);
      // A phone: the navbar's items move to the sidebar menu.
      await page.setViewportSize({ width: 390, height: 800 });
      await page.locator('.navbar__toggle').click();
      await page.locator('.navbar-sidebar .pc-usermenu__button').waitFor();
      await page.waitForTimeout(500); // the sidebar's slide-in
      await page.locator('.navbar-sidebar__back').click(); // from the docs' menu to the main one
      await page.locator('.navbar-sidebar .pc-usermenu__button').waitFor({ state: 'visible' });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(OUT, `mobile-menu-${scheme}.png`) });
      await page.setViewportSize({ width: 1100, height: 800 });
      await page.goto(`${siteURL}/account`);
      await page.locator('[data-testid="pc-sessions"][aria-busy="false"]').waitFor();
      await page.locator('[data-testid="pc-passkeys"][aria-busy="false"]').waitFor();
      await page.locator('[data-testid="pc-api-keys"][aria-busy="false"]').waitFor();
      await shot(page, `account-${scheme}`);
      await page.goto(`${siteURL}/organizations`);
      await page.getByTestId('pc-org-create').waitFor();
      await shot(page, `organizations-${scheme}`);
      await context.close();
    }
  });
});

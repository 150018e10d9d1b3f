// Mail over SMTP for real: the server sends a password-reset link through a local SMTP sink
// (tests/mail/smtp_sink.py, Debian's aiosmtpd) with STARTTLS and authentication required.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Browser, startServer } from '../support/server.mjs';

const SINK = fileURLToPath(new URL('../mail/smtp_sink.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'portcullis-smtp-'));
const mailDir = join(dir, 'mail');
let sink;
let sinkPort;

before(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  execFileSync('mkdir', ['-p', mailDir]);
  sink = spawn('/usr/bin/python3', [SINK, '--port', '0', '--dir', mailDir, '--tls-cert', join(dir, 'cert.pem'),
    '--tls-key', join(dir, 'key.pem'), '--auth', 'mailer:mail-secret'], { stdio: ['pipe', 'pipe', 'inherit'] });
  sinkPort = await new Promise((resolve, reject) => {
    sink.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
    createInterface({ input: sink.stdout }).on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
});
after(() => {
  sink?.kill();
});

async function waitForFile(path, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no ${path} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a password reset link arrives over SMTP with STARTTLS and AUTH, and works', async () => {
  const server = await startServer(
    { mail: 'smtp', smtpHost: 'localhost', smtpPort: sinkPort, smtpTls: 'starttls', smtpCaFile: join(dir, 'cert.pem'),
      smtpUser: 'mailer', smtpFrom: 'Portcullis <no-reply@example.com>', appName: 'Docs' },
    { env: { PORTCULLIS_SMTP_PASSWORD: 'mail-secret' } },
  );
  try {
    const browser = new Browser(server.api);
    assert.equal((await browser.post('/sign-up/email', { name: 'Mia', email: 'mia@example.com', password: 'old-password-1' })).status, 200);
    const res = await browser.post('/request-password-reset', { email: 'mia@example.com', redirectTo: '/reset' });
    assert.equal(res.status, 200);
    await waitForFile(join(mailDir, '1.json'));
    const mail = JSON.parse(readFileSync(join(mailDir, '1.json'), 'utf8'));
    assert.equal(mail.login, 'mailer');
    assert.deepEqual(mail.rcpt_tos, ['mia@example.com']);
    assert.equal(mail.mail_from, 'no-reply@example.com');
    assert.match(mail.subject, /Reset your Docs password/);
    const link = /(http:\/\/\S+\/reset-password\/[A-Za-z0-9]{24}\?callbackURL=%2Freset)/.exec(mail.text)?.[1];
    assert.ok(link, mail.text);
    const redirect = await fetch(link, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    const token = new URL(redirect.headers.get('location'), server.url).searchParams.get('token');
    const reset = await new Browser(server.api).post('/reset-password', { token, newPassword: 'new-password-2' });
    assert.equal(reset.status, 200);
    assert.equal((await new Browser(server.api).post('/sign-in/email', { email: 'mia@example.com', password: 'new-password-2' })).status, 200);
    assert.ok(!server.logs.join('\n').includes('mail-secret'), 'the SMTP password never reaches the log');
  } finally {
    await server.stop();
  }
});

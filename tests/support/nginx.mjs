// Debian's nginx for the tests, run as the current user from a temporary folder, serving one of
// the deployment files of integrations/deploy/nginx with its addresses rewritten to loopback ports
// and a self-signed certificate (made with openssl). Nothing else of the file is changed, so the
// tests exercise the configuration a deployment copies.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { waitFor } from './server.mjs';

const DEPLOY = fileURLToPath(new URL('../../integrations/deploy/nginx/', import.meta.url));
export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/**
 * Starts nginx with integrations/deploy/nginx/<file>. `ports` = {http, https} to listen on (on
 * 127.0.0.1), `upstreams` = {portcullis: 'host:port', portcullis_api: 'host:port'}, `root` = the
 * site folder. Resolves to {https, http, cert (PEM, for a client's CA list), dir, stop()}.
 */
export async function startNginx(file, { ports, upstreams, root }) {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-nginx-'));
  // Run as root, nginx's workers are `nobody`: they must be able to enter the folder.
  chmodSync(dir, 0o755);
  for (const d of ['logs', 'tmp']) mkdirSync(join(dir, d), { mode: 0o777 });
  const key = join(dir, 'key.pem');
  const crt = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=example.com', '-addext', 'subjectAltName=DNS:example.com,DNS:docs.example.com,DNS:auth.example.com,DNS:api.example.com,IP:127.0.0.1',
    '-keyout', key, '-out', crt,
  ], { stdio: 'ignore' });

  let site = readFileSync(join(DEPLOY, file), 'utf8');
  const rewrite = (from, to) => {
    if (!site.includes(from)) throw new Error(`${file}: expected "${from}"`);
    site = site.split(from).join(to);
  };
  rewrite('server 127.0.0.1:4000;', `server ${upstreams.portcullis};`);
  rewrite('server 127.0.0.1:8000;', `server ${upstreams.portcullis_api};`);
  rewrite('    listen 80;\n', `    listen 127.0.0.1:${ports.http};\n`);
  rewrite('    listen [::]:80;\n', '');
  site = site.replace(/    listen 443 ssl http2;[^\n]*\n/g, `    listen 127.0.0.1:${ports.https} ssl http2;\n`);
  rewrite('    listen [::]:443 ssl http2;\n', '');
  rewrite('/etc/letsencrypt/live/example.com/fullchain.pem', crt);
  rewrite('/etc/letsencrypt/live/example.com/privkey.pem', key);
  if (site.includes('root /var/www/docs;')) rewrite('root /var/www/docs;', `root ${root};`);
  writeFileSync(join(dir, 'site.conf'), site);

  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include /etc/nginx/mime.types;
  include ${dir}/site.conf;
}
`);
  execFileSync(NGINX, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code) => (exited = code));
  const https = `https://127.0.0.1:${ports.https}`;
  const cert = readFileSync(crt, 'utf8');
  await waitFor(
    () => {
      if (exited !== null) throw new Error(`nginx exited with ${exited}: ${output}`);
      return fetch(`http://127.0.0.1:${ports.http}/`, { redirect: 'manual' }).then(() => true, () => false);
    },
    { timeout: 10000, what: 'nginx to listen' },
  );
  return {
    https,
    http: `http://127.0.0.1:${ports.http}`,
    cert,
    dir,
    async stop() {
      if (exited === null) {
        const done = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT'); // graceful: finish requests in flight
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The example FastAPI app of integrations/fastapi, served by Debian's uvicorn under
// /usr/bin/python3 (the interpreter that sees Debian's python3-fastapi).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { freePort, waitFor } from './server.mjs';

export { freePort };

export const APP_DIR = fileURLToPath(new URL('../../integrations/fastapi/', import.meta.url));

/** Starts the example app with uvicorn; resolves to {url, stop()}. */
export async function startApi(authUrl, { timeout = 1, env = {}, args = [] } = {}) {
  const port = await freePort();
  let output = '';
  const child = spawn(
    '/usr/bin/python3',
    ['-m', 'uvicorn', 'example.app:app', '--host', '127.0.0.1', '--port', String(port), '--no-access-log', ...args],
    {
      cwd: APP_DIR,
      env: { ...process.env, PYTHONPATH: APP_DIR, PORTCULLIS_URL: authUrl, PORTCULLIS_TIMEOUT: String(timeout), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited !== null) throw new Error(`uvicorn exited with ${exited}: ${output}`);
      return fetch(`${url}/api/hello`).then(() => true, () => false);
    },
    { timeout: 15000, what: 'uvicorn to answer' },
  );
  return {
    url,
    get output() {
      return output;
    },
    async stop() {
      if (exited !== null) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    },
  };
}


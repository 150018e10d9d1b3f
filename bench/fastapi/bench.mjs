// The cost of knowing who is calling, measured side by side in one run on loopback:
//   1. GET /get-session on the Portcullis server itself (what the dependency asks),
//   2. a FastAPI route without auth (uvicorn + FastAPI's own cost: the baseline),
//   3. the same app's route behind `Depends(auth.current_user)` (the dependency: 2 + 1 + httpx).
//   4. the same with the dependency's optional cache (cache_ttl=5).
//   5. the same route in JWT mode (jwt=True), called with the server's JWT (its --jwt, GET /token)
//      as `Authorization: Bearer`: verified in the app with the cached key set, the server not asked.
// Sequential requests on one keep-alive connection each: latencies, not throughput. The rows run
// one after another (5,000 requests of a few milliseconds at most per row: about a minute).
//
//   node bench/fastapi/bench.mjs [--requests N] [--no-readme]
//
// Needs the release build (build/release/native-server/portcullis) and Debian's python3-fastapi,
// python3-uvicorn, python3-httpx, python3-jwt, python3-cryptography. Rewrites the section between <!-- fastapi:begin --> and
// <!-- fastapi:end --> in bench/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';

import { freePort, startApi } from '../../tests/support/fastapi.mjs';
import { Browser, startServer } from '../../tests/support/server.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('--requests', 5000);
const WARMUP = Math.min(500, REQUESTS);
const README = fileURLToPath(new URL('../README.md', import.meta.url));

function get(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

async function measure(name, url, headers) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < WARMUP; i++) await get(url, headers, agent);
  const times = new Float64Array(REQUESTS);
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    const status = await get(url, headers, agent);
    times[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    if (status !== 200) throw new Error(`${name}: HTTP ${status}`);
  }
  agent.destroy();
  times.sort();
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { name, median: at(0.5), p99: at(0.99), max: times[times.length - 1] };
}

const started = new Date();
// Tokens valid for an hour: longer than the run.
const server = await startServer({ port: await freePort(), accessLog: false, jwt: true, jwtExpiresIn: 3600 });
const [api, cached, jwtApi] = await Promise.all([
  startApi(server.api),
  startApi(server.api, { env: { PORTCULLIS_CACHE_TTL: '5' } }),
  startApi(server.api, { env: { PORTCULLIS_JWT: '1' } }),
]);
try {
  const browser = new Browser(server.api);
  const res = await browser.post('/sign-up/email', { name: 'Bench User', email: 'bench@example.com', password: 'bench-Marking-2026!' });
  if (res.status !== 200) throw new Error(`sign-up: ${res.status}`);
  const cookie = browser.cookieHeader();
  const token = await browser.get('/token');
  if (token.status !== 200) throw new Error(`token: ${token.status}`);
  const authorization = `Bearer ${token.body.token}`;
  const load0 = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const rows = [
    await measure('Portcullis GET /get-session (direct)', `${server.api}/get-session`, { cookie }),
    await measure('FastAPI route, no auth (baseline)', `${api.url}/api/hello`, {}),
    await measure('FastAPI route with Depends(auth.current_user)', `${api.url}/api/me`, { cookie }),
    await measure('the same with cache_ttl=5 (revocation seen up to 5 s late)', `${cached.url}/api/me`, { cookie }),
    await measure('the same with a JWT, jwt=True (verified locally; valid until exp after sign-out)', `${jwtApi.url}/api/me`, { authorization }),
  ];
  const load1 = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const ms = (x) => `${x.toFixed(3)} ms`;
  const table = [
    '| path | median | p99 | max |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${ms(r.median)} | ${ms(r.p99)} | ${ms(r.max)} |`),
  ];
  const added = rows[2].median - rows[1].median;
  const addedJwt = rows[4].median - rows[1].median;
  const text = [
    '<!-- fastapi:begin -->',
    '## FastAPI: who is calling',
    '',
    `Written by \`node bench/fastapi/bench.mjs\` on ${started.toISOString().slice(0, 10)}: ${REQUESTS.toLocaleString('en')} sequential requests per row on one keep-alive connection, after ${WARMUP} untimed; every request answered 200. Load average ${load0} at start, ${load1} at the end (${os.cpus().length} cores).`,
    '',
    ...table,
    '',
    `The dependency adds ${ms(added)} to a FastAPI request at the median (${(rows[2].median / rows[1].median).toFixed(2)}× the route without auth); the server's own get-session is ${ms(rows[0].median)} of that. No cache (cache_ttl=0): every request asks the server, so a revoked session is refused at once.`,
    '',
    `With a JWT (jwt=True) the dependency adds ${ms(addedJwt)} instead (${(rows[4].median / rows[1].median).toFixed(2)}× the route without auth): the session path takes ${(rows[2].median / rows[4].median).toFixed(2)}× as long as the JWT path at the median. The JWT path asks the server nothing (the key set was fetched once, during the untimed requests); the price is that a token stays valid until its exp after sign-out, revocation or a ban.`,
    '<!-- fastapi:end -->',
  ].join('\n');
  console.log(text);
  if (!process.argv.includes('--no-readme')) {
    const readme = readFileSync(README, 'utf8');
    const re = /<!-- fastapi:begin -->[\s\S]*<!-- fastapi:end -->/;
    writeFileSync(README, re.test(readme) ? readme.replace(re, text) : `${readme.trimEnd()}\n\n${text}\n`);
  }
} finally {
  await Promise.all([api.stop(), cached.stop(), jwtApi.stop()]);
  await server.stop();
}

// BetterAuth's own password hash (hashPassword from better-auth/crypto: node:crypto scrypt,
// N=16384 r=16 p=1 dkLen=64, on libuv's thread pool), CONCURRENCY chains of N hashes each.
// Prints one JSON line like hashtime.c: every hash's time in ms, the wall time, peak RSS (VmHWM)
// and the RSS before hashing, in KiB.
//   node hashtime-node.mjs CONCURRENCY N
import { readFileSync } from 'node:fs';

import { hashPassword } from 'better-auth/crypto';

const [concurrency, n] = process.argv.slice(2).map(Number);
const status = (key) => Number(readFileSync('/proc/self/status', 'utf8').match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
const rss0 = status('VmRSS');
const times = [];
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await hashPassword('Xk3-pq9Lm2-Vz8Rt5Ws1');
    times.push(performance.now() - t);
  }
}));
const wall = performance.now() - t0;
console.log(JSON.stringify({ alg: 'betterauth-scrypt', threads: concurrency, wall_ms: wall, rss_before_kib: rss0, hwm_kib: status('VmHWM'), times_ms: times }));

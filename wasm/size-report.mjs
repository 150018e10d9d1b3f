// Prints the raw and gzip -9 size of each file given, and their total: what a browser downloads.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

let raw = 0;
let gz = 0;
for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const z = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
  raw += bytes.length;
  gz += z;
  console.log(`  ${basename(file).padEnd(24)} ${String(bytes.length).padStart(8)} B   gzip -9 ${String(z).padStart(7)} B`);
}
console.log(`  ${'total'.padEnd(24)} ${String(raw).padStart(8)} B   gzip -9 ${String(gz).padStart(7)} B (${(gz / 1024).toFixed(1)} KiB)`);

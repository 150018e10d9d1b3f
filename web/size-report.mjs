// Prints what the npm package's web parts weigh: each file raw, minified (terser, when installed)
// and gzip -9 of the minified text, and the wasm core's files; then the packed tarball's size.
//   node web/size-report.mjs        (npm run size:web)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const repo = fileURLToPath(new URL('../', import.meta.url));
const gz = (bytes) => gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;

let minify = null;
try {
  ({ minify } = await import('terser'));
} catch {
  /* sizes without minification */
}

const groups = {
  'eager (every page that uses the components)': ['web/client/index.js', 'web/react/index.js', 'web/react/styles.css', 'wasm/index.js'],
  'lazy: validation (first render in the browser)': ['dist/portcullis-core.mjs', 'dist/portcullis-core.wasm'],
  'lazy: strength meter (once the sign-up form is used)': ['dist/portcullis-dictionary.bin'],
};

const row = (name, raw, min, z) =>
  console.log(`  ${name.padEnd(34)} ${String(raw).padStart(8)} B  min ${String(min).padStart(8)} B  gzip ${String(z).padStart(7)} B`);

let total = 0;
for (const [title, files] of Object.entries(groups)) {
  console.log(title);
  let sum = 0;
  for (const file of files) {
    const path = join(repo, file);
    if (!existsSync(path)) {
      console.log(`  ${file.padEnd(34)} (missing: build the wasm first)`);
      continue;
    }
    const bytes = readFileSync(path);
    let min = bytes;
    if (minify && /\.m?js$/.test(file)) {
      const out = await minify(bytes.toString('utf8'), { module: true, compress: true, mangle: true });
      min = Buffer.from(out.code);
    }
    const z = gz(min);
    sum += z;
    row(file, bytes.length, min.length, z);
  }
  console.log(`  ${'subtotal (gzip)'.padEnd(34)} ${(sum / 1024).toFixed(1)} KiB`);
  total += sum;
}
console.log(`all of it, gzip: ${(total / 1024).toFixed(1)} KiB`);

try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  console.log(`npm package tarball: ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${packed.files.length} files`);
} catch (error) {
  console.log(`npm pack --dry-run failed: ${error.message}`);
}

// Prints the raw and gzip -9 size of each file given, and their total: what a browser downloads
// for the strength meter (the loader, the glue, the wasm and the dictionary). Files whose name ends
// in .bin are fetched only for strength; the validation-only download (the others) is shown apart.
// The files after `--meter` are another download, shown as its own block: the meter-only entry's
// (portcullis/meter).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const line = (name, raw, gz, note = '') =>
  console.log(`  ${name.padEnd(28)} ${String(raw).padStart(8)} B   gzip -9 ${String(gz).padStart(7)} B${note}`);
const sum = (list) => list.reduce((a, s) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });

function report(files) {
  const sizes = files.map((file) => {
    const bytes = readFileSync(file);
    return { name: basename(file), raw: bytes.length, gz: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
  });
  for (const s of sizes) line(s.name, s.raw, s.gz);
  const lazy = sizes.filter((s) => s.name.endsWith('.bin'));
  if (lazy.length > 0 && lazy.length < sizes.length) {
    const eager = sum(sizes.filter((s) => !s.name.endsWith('.bin')));
    line('without the .bin', eager.raw, eager.gz, ` (${(eager.gz / 1024).toFixed(1)} KiB)`);
  }
  const total = sum(sizes);
  line('total', total.raw, total.gz, ` (${(total.gz / 1024).toFixed(1)} KiB)`);
}

const args = process.argv.slice(2);
const split = args.indexOf('--meter');
report(split < 0 ? args : args.slice(0, split));
if (split >= 0) {
  console.log('  meter only (portcullis/meter):');
  report(args.slice(split + 1));
}

// Placeholder: being written. Writes the C++ source that embeds zxcvbn's lists.
import { writeFileSync } from 'node:fs';
const out = process.argv[process.argv.indexOf('--out') + 1];
writeFileSync(out, '// generated placeholder\n');

// Fails when the gzipped JavaScript of the build exceeds the budget of issue 6 (300 KB in total).
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 300 * 1024;
const assets = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'assets');
let files;
try {
  files = readdirSync(assets).filter((name) => name.endsWith('.js'));
} catch {
  console.error(`size: no build at ${assets} (run npm run build)`);
  process.exit(2);
}
let total = 0;
for (const name of files) {
  const gz = gzipSync(readFileSync(join(assets, name)), { level: 9 }).length;
  total += gz;
  console.log(`size: ${name} ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const verdict = total < BUDGET_BYTES ? 'within' : 'OVER';
console.log(`size: total ${(total / 1024).toFixed(1)} KB gzipped, ${verdict} the budget of ${BUDGET_BYTES / 1024} KB`);
process.exit(total < BUDGET_BYTES ? 0 : 1);

/**
 * Run before `npm run test:shared`: its suites read the public corpora and tau2-bench data in the
 * folder `shared` beside the checkout. When that is missing, say so in one sentence and fail.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/scripts/ -> the checkout -> its parent.
const shared = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');
const needed = ['corpora', join('data', 'tau2-retail')].map((p) => join(shared, p));
const missing = needed.filter((p) => !existsSync(p));
if (missing.length) {
  process.stderr.write(`npm run test:shared reads the public tool corpora and tau2-bench data in ${shared} (corpora/ and data/tau2-retail/), and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing; put that folder beside the checkout, or run npm test, which needs only the project's own fixtures.\n`);
  process.exit(1);
}

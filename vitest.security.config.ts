import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:security`: the probes of test/security alone, at full size (issue 12's figures:
 * 2,000 calls with 1 MB arguments). `npm test` runs the same files with shorter soak loops.
 */
export default defineConfig({
  test: { ...base.test, include: ['test/security/**/*.test.ts'], exclude: configDefaults.exclude, testTimeout: 60_000, env: { ENVSCALE_SOAK_CALLS: '2000' } },
});

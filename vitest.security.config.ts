import { defineConfig } from 'vitest/config';

/**
 * `npm run test:security`: the probes of test/security alone, at full size (issue 12's figures).
 * `npm test` runs the same files with smaller soak loops.
 */
export default defineConfig({
  test: {
    include: ['test/security/**/*.test.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    env: { ENVSCALE_SOAK_CALLS: '2000' },
  },
});

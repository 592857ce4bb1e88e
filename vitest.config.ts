import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites that read ../shared (public corpora, benchmark data) run with `npm run test:shared`.
    exclude: [...configDefaults.exclude, 'test/shared/**'],
    // Suites spawn servers and processes; two workers match the machines this runs on.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});

import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites that read ../shared (public corpora, benchmark data) run with `npm run test:shared`;
    // browser tests (a real Chromium) with `npm run test:ui`.
    exclude: [...configDefaults.exclude, 'test/shared/**', 'test/browser/**'],
    // Suites spawn servers and processes; two workers match the machines this runs on.
    maxWorkers: 2,
    // Many suites spawn the built CLI and servers: on a loaded 2-core machine one such test can take
    // tens of seconds. A time-out only catches hangs here; speed is measured in benchmarks.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

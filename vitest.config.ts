import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Browser tests (a real Chromium) run with their own command: npm run test:ui.
    exclude: [...configDefaults.exclude, 'test/browser/**'],
    // Suites spawn servers and processes; two workers match the machines this runs on.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});

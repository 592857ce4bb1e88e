import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Suites spawn servers and processes; two workers match the machines this runs on.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});

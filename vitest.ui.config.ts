import { defineConfig } from 'vitest/config';

/** `npm run test:ui`: the viewer driven in a real headless Chromium (Debian's, at /usr/bin/chromium or $CHROMIUM). */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    // One browser and one viewer at a time: the machines have two cores.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});

import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:shared`: the suites that read the public corpora and tau2-bench data in ../shared.
 * Their set-up imports whole data sets (tau2's 1000 orders, thousands of tools), slow on a busy machine.
 */
export default defineConfig({ test: { ...base.test, include: ['test/shared/**/*.test.ts'], exclude: configDefaults.exclude, testTimeout: 180_000, hookTimeout: 180_000 } });

import { resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/mcp.js';

/**
 * The public corpora and benchmark data these suites read, beside the checkout (other people's
 * data: read in place, never copied into the project). `npm run test:shared` checks it is there.
 */
export const SHARED = resolve(REPO_ROOT, '..', 'shared');
export const CORPORA = resolve(SHARED, 'corpora');
export const TAU2_RETAIL = resolve(SHARED, 'data', 'tau2-retail');

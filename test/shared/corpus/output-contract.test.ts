import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/corpus/ingest.js';
import { CORPORA } from '../paths.js';

describe('output contracts of the shared corpora', () => {
  it('are kept for every OpenAPI operation that declares a JSON success response, and for BFCL responses', () => {
    const { tools } = ingest([resolve(CORPORA, 'openapi-extra')]);
    // The set's README counts 1,092 operations with a JSON success-response schema.
    expect(tools.filter((t) => t.outputSchema).length).toBe(1092);
    const bfcl = ingest([resolve(CORPORA, 'bfcl_multi_turn_classes.json')]).tools;
    expect(bfcl.filter((t) => t.outputSchema).length).toBeGreaterThanOrEqual(160);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/graph/partition.js';
import { runPartition } from '../../src/graph/run.js';
import { UserError } from '../../src/util/errors.js';

describe('partition input', () => {
  it('rejects a file that is not a corpus with one sentence naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-partition-'));
    const bad = join(dir, 'tools.json');
    writeFileSync(bad, '[{"name": "x"}]');
    const run = () => runPartition(bad, { out: join(dir, 'plan.json'), ...DEFAULT_SETTINGS });
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toThrow(/tools\.json is not an envscale corpus.*envscale ingest/);
  });
});

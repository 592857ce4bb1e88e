import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../../src/graph/partition.js';
import { synthesizeOffline } from '../../../src/synth/pipeline.js';
import { plannedJobs } from '../../../src/synth/planned-tools.js';
import { CORPORA } from '../paths.js';

describe('rule-based synthesis on real tool collections', () => {
  it('verifies at least 90% of the tau-bench and tau2-bench tools', () => {
    const { tools } = ingest([join(CORPORA, 'tau_bench_tools.json'), join(CORPORA, 'tau2_bench_tools.json')]);
    const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
    const jobs = plannedJobs(plan.domains, tools);
    const outcomes = jobs.map((j) => synthesizeOffline(j.planned, j.tools, 1));
    const verdicts = outcomes.flatMap((o) => o.verdicts);
    expect(verdicts.length).toBe(plan.domains.reduce((n, d) => n + d.tools.length, 0));
    expect(verdicts.filter((v) => v.ok).length / verdicts.length).toBeGreaterThanOrEqual(0.9);
    const writes = verdicts.filter((v) => v.kind === 'write');
    expect(writes.length).toBeGreaterThan(10);
  });

  it('serves a variant kept for its name under the name its source gives it', () => {
    const { tools } = ingest([join(CORPORA, 'tau_bench_tools.json'), join(CORPORA, 'tau2_bench_tools.json')]);
    const { plan } = partitionTools(tools, DEFAULT_SETTINGS);
    const corpus = new Map(tools.map((t) => [t.name, t]));
    let renamed = 0;
    for (const { planned, tools: domainTools } of plannedJobs(plan.domains, tools)) {
      const names = domainTools.map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
      planned.tools.forEach((name, k) => {
        const source = corpus.get(name)!.variantOf;
        if (source === undefined || planned.tools.includes(source)) return expect(names[k]).toBe(name);
        expect(names[k]).toBe(source);
        renamed++;
      });
    }
    expect(renamed).toBeGreaterThan(0);
  });
});

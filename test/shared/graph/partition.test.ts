import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIngest } from '../../../src/corpus/run.js';
import { ingest } from '../../../src/corpus/ingest.js';
import { balancedSample, plainFormAri, scoreAgainstLabels, stripClass } from '../../../src/graph/evaluate.js';
import { DEFAULT_WEIGHTS, PARAM_NAME_WEIGHTS, PLAIN_WEIGHTS, toolTerms } from '../../../src/graph/features.js';
import { edgeRecall, exactSpace, sparseSpace, topNeighbours } from '../../../src/graph/neighbours.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../../src/graph/partition.js';
import { runPartition, type PartitionCommandOptions } from '../../../src/graph/run.js';
import { sparseDot, tfidf } from '../../../src/graph/vectors.js';
import { PartitionPlan } from '../../../src/spec/plan.js';
import type { ToolSpec } from '../../../src/spec/tool.js';
import { CORPORA } from '../paths.js';

const corpora = CORPORA;
const multiTurn = ingest([join(corpora, 'bfcl_multi_turn_classes.json')]).tools;

const cli = (extra: Partial<PartitionCommandOptions> = {}): PartitionCommandOptions => ({ out: '', ...DEFAULT_SETTINGS, ...extra });

describe('partition', () => {
  it('is deterministic: same corpus and seed, same plan and graph files byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-partition-'));
    const corpus = join(dir, 'corpus.json');
    runIngest([join(corpora, 'bfcl_multi_turn_classes.json'), join(corpora, 'tau_bench_tools.json')], { out: corpus });
    await runPartition(corpus, cli({ out: join(dir, 'a.json'), graph: join(dir, 'a.gexf') }));
    await runPartition(corpus, cli({ out: join(dir, 'b.json'), graph: join(dir, 'b.gexf') }));
    const a = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(a);
    expect(readFileSync(join(dir, 'b.gexf'), 'utf8')).toBe(readFileSync(join(dir, 'a.gexf'), 'utf8'));
    const plan = PartitionPlan.parse(JSON.parse(a));
    const listed = [...plan.domains.flatMap((d) => [...d.tools, ...d.variants.map((v) => v.tool)]), ...plan.isolated].sort();
    expect(listed).toEqual(JSON.parse(readFileSync(corpus, 'utf8')).tools.map((t: ToolSpec) => t.name).sort());
    expect(readFileSync(join(dir, 'a.gexf'), 'utf8')).toMatch(/<node id="0" label="[^"]+"><attvalues><attvalue for="domain"/);
  });

  it('records whether tools were moved by centroid, and moves none with refine off', async () => {
    // Without their class sentence and source, so that every tool is placed on its own.
    const stripped = multiTurn.map(stripClass);
    const on = partitionTools(stripped, DEFAULT_SETTINGS).plan;
    expect(on.settings.refine).toBe(true);
    expect(on.stats.regrouped + on.stats.moved).toBeGreaterThan(0);
    const off = partitionTools(stripped, { ...DEFAULT_SETTINGS, refine: false }).plan;
    expect(off.settings.refine).toBe(false);
    expect([off.stats.regrouped, off.stats.moved]).toEqual([0, 0]);
    // Plans written before the step parse as unrefined.
    const { refine: _, ...older } = on.settings;
    expect(PartitionPlan.parse({ ...on, settings: older }).settings.refine).toBe(false);
  });

  it('keeps one variant of a name per domain and lists the others with it, unless told to keep them', () => {
    const tau = ingest([join(corpora, 'tau_bench_tools.json'), join(corpora, 'tau2_bench_tools.json')]).tools;
    const byName = new Map(tau.map((t) => [t.name, t]));
    const { plan } = partitionTools(tau, DEFAULT_SETTINGS);
    expect(plan.stats.variants).toBeGreaterThan(20);
    for (const d of plan.domains) {
      const names = d.tools.map((t) => byName.get(t)!.variantOf ?? t);
      expect(new Set(names).size).toBe(names.length);
      for (const v of d.variants) {
        expect(d.tools).toContain(v.of);
        expect(byName.get(v.tool)!.variantOf ?? v.tool).toBe(byName.get(v.of)!.variantOf ?? v.of);
      }
    }
    // Variants whose kept tool is isolated are listed as isolated too.
    const listed = plan.domains.reduce((n, d) => n + d.variants.length, 0);
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThanOrEqual(plan.stats.variants);
    const kept = partitionTools(tau, { ...DEFAULT_SETTINGS, keepVariants: true }).plan;
    expect(kept.stats.variants).toBe(0);
    expect(kept.domains.every((d) => d.variants.length === 0)).toBe(true);
  });

  it('a different seed may change communities but keeps every tool exactly once', () => {
    const { plan } = partitionTools(multiTurn, { ...DEFAULT_SETTINGS, seed: 7 });
    const names = [...plan.domains.flatMap((d) => [...d.tools, ...d.variants.map((v) => v.tool)]), ...plan.isolated];
    expect(new Set(names).size).toBe(multiTurn.length);
    expect(names.length).toBe(multiTurn.length);
  });

  it('recovers the BFCL multi-turn classes, far above the plain form on parameter names', () => {
    const { plan, communities } = partitionTools(multiTurn, DEFAULT_SETTINGS);
    expect(scoreAgainstLabels(multiTurn, plan, communities).domainAri).toBeGreaterThan(0.85);
    expect(plainFormAri(multiTurn, PARAM_NAME_WEIGHTS)).toBeLessThan(0.4);
    expect(plan.domains.every((d) => /^[a-z0-9][a-z0-9_-]{0,63}$/.test(d.name))).toBe(true);
    expect(plan.domains.find((d) => d.tools.includes('cat'))!.terms).toContain('file');
  });

  it('recovers OpenAPI specs pooled together, well above the plain form with the same text', () => {
    const pooled = balancedSample(ingest([join(corpora, 'openapi')]).tools, DEFAULT_SETTINGS.maxSize, 1);
    const { plan, communities } = partitionTools(pooled, DEFAULT_SETTINGS);
    const ours = scoreAgainstLabels(pooled, plan, communities);
    expect(ours.domainAri).toBeGreaterThan(0.8);
    expect(ours.communityAri - plainFormAri(pooled, PLAIN_WEIGHTS)).toBeGreaterThan(0.1);
  });

  it('splits communities above maxSize and reports it', () => {
    const { plan } = partitionTools(multiTurn, { ...DEFAULT_SETTINGS, maxSize: 8 });
    expect(plan.stats.oversizeSplit).toBeGreaterThan(0);
    expect(Math.max(...plan.domains.map((d) => d.tools.length))).toBeLessThanOrEqual(8);
  });
});

describe('approximate neighbours', () => {
  it('find at least 95% of the exact edges above the threshold on real tools', () => {
    const tools = ingest([join(corpora, 'bfcl_functions.json')]).tools.slice(0, 600);
    const { vectors } = tfidf(tools.map((t) => toolTerms(t, DEFAULT_WEIGHTS)));
    const { k, threshold } = DEFAULT_SETTINGS;
    const approx = topNeighbours(sparseSpace(vectors, threshold), k, threshold);
    const exact = topNeighbours(exactSpace(vectors.length, (i, j) => sparseDot(vectors[i], vectors[j])), k, threshold);
    const [found, total] = edgeRecall(exact, approx);
    expect(total).toBeGreaterThan(500);
    expect(found / total).toBeGreaterThanOrEqual(0.95);
  });
});

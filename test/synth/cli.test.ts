import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ingest } from '../../src/corpus/ingest.js';
import { DEFAULT_SETTINGS, partitionTools } from '../../src/graph/partition.js';
import { synthesizeOffline } from '../../src/synth/pipeline.js';
import { plannedJobs } from '../../src/synth/planned-tools.js';
import { runSynthesize, runVerify } from '../../src/synth/run.js';
import { UserError } from '../../src/util/errors.js';
import { CLI } from '../helpers/mcp.js';
import { CORPORA, folderBytes, SHOP_TOOLS_FILE, tempDir, writePlan } from './helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function shopPlan(): string {
  const dir = tempDir('plan');
  dirs.push(dir);
  return writePlan(dir, [SHOP_TOOLS_FILE]);
}

describe('synthesize and verify commands', () => {
  it('writes one verified folder per planned domain and prints a summary table', async () => {
    const plan = shopPlan();
    const out = join(tempDir('out'), 'generated');
    dirs.push(out);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const outcomes = await runSynthesize(plan, { out, seed: 1, workers: 1 });
      expect(readdirSync(out).sort()).toEqual(outcomes.map((o) => o.name).sort());
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/\| domain +\| spec by \| tools \| verified \| dropped \|/);
      expect(printed).toMatch(/ \| rules +\| +\d+ \| /);
      expect(printed).toMatch(/(\d+) of \1 tools verified \(100\.0%\) in (\d+) of \2 domains written\./);
      log.mockClear();
      expect(await runVerify(outcomes.map((o) => join(out, o.name)))).toBe(true);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/\| create_order +\| write \| ok +\|/);
    } finally {
      log.mockRestore();
    }
  });

  it('refuses bad input with one sentence and writes nothing', async () => {
    const plan = shopPlan();
    const out = join(tempDir('none'), 'generated');
    dirs.push(out);
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => runSynthesize(join(plan, '..', 'missing.json'), { out, seed: 1 }), /missing\.json does not exist\.$/],
      [() => runSynthesize(plan, { out, seed: 1, only: ['no_such_domain'] }), /has no domain named no_such_domain; its domains include /],
      [() => runSynthesize(plan, { out, seed: 1, corpus: SHOP_TOOLS_FILE }), /is not an envscale corpus/],
      [() => runSynthesize(plan, { out, seed: 1, refineEdges: true }), /^--refine-edges asks a model to review dependencies; use it with --llm --model <name>\.$/],
      [() => runSynthesize(plan, { out, seed: 1, llm: true }), /^--llm needs --model <name>, the model that writes the domain specs\.$/],
    ];
    for (const [run, message] of attempts) {
      let error: unknown;
      try {
        await run();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe.runIf(existsSync(CORPORA))('synthesize on worker threads (built CLI)', () => {
  it('writes the same folders byte for byte with 1 or 2 workers', () => {
    const dir = tempDir('workers');
    dirs.push(dir);
    const plan = writePlan(dir, [join(CORPORA, 'tau_bench_tools.json'), join(CORPORA, 'tau2_bench_tools.json')]);
    const run = (workers: number) => {
      const out = join(dir, `out-${workers}`);
      execFileSync(process.execPath, [CLI, 'synthesize', plan, '--out', out, '--workers', String(workers)], { stdio: 'pipe' });
      return folderBytes(out);
    };
    const one = run(1);
    expect(one.size).toBeGreaterThan(8);
    expect(run(2)).toEqual(one);
  });
});

describe.runIf(existsSync(CORPORA))('rule-based synthesis on real tool collections', () => {
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

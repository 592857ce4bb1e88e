import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runSynthesize, runVerify } from '../../src/synth/run.js';
import { UserError } from '../../src/util/errors.js';
import { CLI, REPO_ROOT } from '../helpers/mcp.js';
import { folderBytes, MCP_SERVERS_FILE, SHOP_TOOLS_FILE, shopDomain, tempDir, writePlan } from './helpers.js';
import { synthesizeAll } from '../../src/synth/parallel.js';
import type { ToolSpec } from '../../src/spec/tool.js';

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

describe('failure isolation', () => {
  it('synthesizes tools and parameters named like Object members (constructor, toString)', async () => {
    const dir = tempDir('mcp');
    dirs.push(dir);
    const plan = writePlan(dir, [MCP_SERVERS_FILE]);
    const out = join(dir, 'out');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const outcomes = await runSynthesize(plan, { out, seed: 1, workers: 1 });
      expect(outcomes.every((o) => o.spec && !o.domainError)).toBe(true);
      expect(readdirSync(out).sort()).toEqual(outcomes.map((o) => o.name).sort());
    } finally {
      log.mockRestore();
    }
  });

  it('reports a domain that cannot be synthesized with its reason and still synthesizes the others', async () => {
    const { planned, tools } = shopDomain();
    const broken = { ...tools[0], name: undefined } as unknown as ToolSpec;
    const jobs = [
      { planned: { ...planned, name: 'broken', tools: [tools[0].name] }, tools: [broken] },
      { planned, tools },
    ];
    const seen: string[] = [];
    const outcomes = await synthesizeAll(jobs, 1, 1, (o) => seen.push(o.name));
    expect(seen).toEqual(['broken', 'shop']);
    expect(outcomes[0].spec).toBeUndefined();
    expect(outcomes[0]).toMatchObject({ name: 'broken', domainError: expect.stringMatching(/^internal error: /) });
    expect(outcomes[0].verdicts).toEqual([expect.objectContaining({ ok: false, code: 'internal error' })]);
    expect(outcomes[1].spec?.tools.length).toBe(tools.length);
  });
});

describe('synthesize on worker threads (built CLI)', () => {
  it('writes the same folders byte for byte with 1 or 2 workers', () => {
    const dir = tempDir('workers');
    dirs.push(dir);
    const plan = writePlan(dir, [join(REPO_ROOT, 'fixtures', 'demo', 'corpus')]);
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

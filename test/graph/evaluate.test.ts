import { describe, expect, it } from 'vitest';
import { scoreAgainstLabels, withLoneTools } from '../../src/graph/evaluate.js';
import type { PartitionPlan } from '../../src/spec/plan.js';
import type { ToolSpec } from '../../src/spec/tool.js';

const tool = (name: string, group: string): ToolSpec => ({ name, description: name, parameters: { type: 'object', properties: {} }, source: `${group}.json`, group });
/** A plan with just what scoring reads: domains (name, tools, variants) and the size cap. */
const planOf = (domains: Record<string, string[]>, isolated: string[] = []) =>
  ({ settings: { maxSize: 40 }, domains: Object.entries(domains).map(([name, tools]) => ({ name, tools, variants: [] })), isolated }) as unknown as PartitionPlan;

describe('scores against labels', () => {
  // Two weather servers (one job), a notes server, and lone tools: a weather one, a clock and a dice roller.
  const tools = [
    tool('w1', 'weather-a'), tool('w2', 'weather-a'), tool('f1', 'weather-b'), tool('f2', 'weather-b'),
    tool('n1', 'notes'), tool('n2', 'notes'), tool('n3', 'notes'),
    tool('quick', 'weather-c'), tool('clock', 'time'), tool('dice', 'dice'),
  ];
  const jobs = { 'weather-a': 'weather', 'weather-b': 'weather', 'weather-c': 'weather' };

  it('counts purity by source over the sources of two or more tools, a merge of one job as pure', () => {
    // The lone weather tool joins the weather domain, the clock and dice join notes.
    const plan = planOf({ weather: ['w1', 'w2', 'f1', 'f2', 'quick'], notes: ['n1', 'n2', 'n3', 'clock', 'dice'] });
    const s = scoreAgainstLabels(tools, plan, [], jobs);
    expect(s.sourcePurity).toBe(1);
    // By label over every tool: weather-b's 2, the lone weather tool, the clock and the dice count as impure.
    expect(s.domainPurity).toBeCloseTo(5 / 10, 9);
    // Without the jobs, the weather merge mixes two sources.
    expect(scoreAgainstLabels(tools, plan, []).sourcePurity).toBeCloseTo(5 / 7, 9);
    expect(s.keptWhole).toBe(1);
    expect(s.keptWholeOf).toBe(3);
    // Lone tools: the weather one is with its job; the clock and the dice (no other tool has their job) are not alone.
    expect([s.loneOf, s.loneWithJob]).toEqual([3, 1 / 3]);
  });

  it('counts a lone tool whose job no other tool has as placed only when it is alone', () => {
    const plan = planOf({ weather: ['w1', 'w2', 'f1', 'f2'], notes: ['n1', 'n2', 'n3'], misc: ['clock', 'dice'] }, ['quick']);
    const s = scoreAgainstLabels(tools, plan, [], jobs);
    // The weather tool is isolated while its job has a domain; the clock and dice share a domain of two jobs.
    expect(s.loneWithJob).toBe(0);
    const alone = scoreAgainstLabels(tools, planOf({ weather: ['w1', 'w2', 'f1', 'f2', 'quick'], notes: ['n1', 'n2', 'n3'], clock: ['clock'] }, ['dice']), [], jobs);
    expect(alone.loneWithJob).toBe(1);
    // A set without lone tools scores 1 over none.
    expect(scoreAgainstLabels(tools.slice(0, 7), plan, [], jobs)).toMatchObject({ loneWithJob: 1, loneOf: 0 });
  });

  it('adds lone tools as sources and labels of their own, their label kept as their job', () => {
    const set = withLoneTools({ name: 'x', tools: tools.slice(0, 7), headline: 'domains', jobs }, 'x + lone', [tool('g1', 'geo'), tool('g2', 'geo')]);
    expect(set.tools.slice(7).map((t) => [t.name, t.group, t.source])).toEqual([['g1', 'lone 0', 'lone-0'], ['g2', 'lone 1', 'lone-1']]);
    expect(set.jobs).toMatchObject({ ...jobs, 'lone 0': 'job geo', 'lone 1': 'job geo' });
    // Two lone tools of one job together: both with their job.
    const s = scoreAgainstLabels(set.tools, planOf({ a: ['w1', 'w2', 'f1', 'f2'], b: ['n1', 'n2', 'n3'], geo: ['g1', 'g2'] }), [], set.jobs);
    expect([s.loneOf, s.loneWithJob, s.sourcePurity]).toEqual([2, 1, 1]);
  });
});

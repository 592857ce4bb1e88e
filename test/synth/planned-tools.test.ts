import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/corpus/ingest.js';
import { assignNames } from '../../src/corpus/names.js';
import type { PlannedDomain } from '../../src/spec/plan.js';
import type { ToolSpec } from '../../src/spec/tool.js';
import { plannedJobs, withoutAnnotations } from '../../src/synth/planned-tools.js';
import { REPO_ROOT } from '../helpers/mcp.js';

const planned = (name: string, tools: string[]): PlannedDomain => ({ name, terms: [], community: 0, tools, variants: [] });

describe('the tools a planned domain serves', () => {
  it('leave header parameters (credentials, transport) out of the interface', () => {
    const tools = ingest([resolve(REPO_ROOT, 'fixtures/corpus/collections/shop.swagger.json')]).tools;
    const order = tools.find((t) => t.name === 'createOrder')!;
    expect(order.parameters.properties).toHaveProperty('Idempotency-Key');
    const [job] = plannedJobs([planned('shop', tools.map((t) => t.name))], tools);
    const served = job.tools.find((t) => t.name === 'createOrder')!;
    expect(served.parameters.properties).not.toHaveProperty('Idempotency-Key');
    expect(Object.keys(served.parameters.properties!)).toEqual(Object.keys(order.parameters.properties!).filter((p) => p !== 'Idempotency-Key'));
    expect(JSON.stringify(order.parameters)).toContain('"x-in"');
    expect(JSON.stringify(served.parameters)).not.toContain('"x-in"');
  });

  it('drop annotation keywords at any depth, and keep properties whatever their names', () => {
    const schema = {
      type: 'object',
      'x-bfcl-type': 'dict',
      properties: { 'x-rate': { type: 'number', 'x-in': 'query' }, tags: { type: 'array', items: { type: 'string', 'x-tag': 1 } } },
      anyOf: [{ required: ['x-rate'], 'x-note': 'n' }],
    };
    expect(withoutAnnotations(schema)).toEqual({
      type: 'object',
      properties: { 'x-rate': { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
      anyOf: [{ required: ['x-rate'] }],
    });
  });

  it('give a kept variant its source name back where the domain has it free', () => {
    const tool = (name: string, description: string): ToolSpec => ({ name, description, parameters: { type: 'object', properties: {} }, source: 's' });
    const { tools } = assignNames([tool('search', 'A'), tool('search', 'B'), tool('search', 'C'), tool('book', 'D')]);
    expect(tools.map((t) => t.name)).toEqual(['search', 'search_2', 'search_3', 'book']);
    const jobs = plannedJobs([planned('a', ['search_2', 'book']), planned('b', ['search', 'search_3'])], tools);
    expect(jobs[0].tools.map((t) => t.name)).toEqual(['search', 'book']);
    // `search` is taken in b (kept variants, --keep-variants): the suffix stays.
    expect(jobs[1].tools.map((t) => t.name)).toEqual(['search', 'search_3']);
    expect(jobs.flatMap((j) => j.tools).some((t) => 'variantOf' in t)).toBe(false);
  });
});

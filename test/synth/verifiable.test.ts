import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Domain } from '../../src/env/domain.js';
import { synthesizeOffline } from '../../src/synth/pipeline.js';
import { plannedJobs } from '../../src/synth/planned-tools.js';
import { satisfiableSchema } from '../../src/synth/satisfiable.js';
import { domainFidelity } from '../../src/synth/fidelity.js';
import type { ToolSpec } from '../../src/spec/tool.js';

/** Tool shapes from real specs that used to fail verification, each as small as it can be. */

const tool = (name: string, description: string, parameters: Record<string, unknown>, outputSchema?: ToolSpec['outputSchema']): ToolSpec => ({
  name,
  description,
  parameters: { ...parameters, type: 'object' },
  source: `inline#${name}`,
  ...(outputSchema ? { outputSchema } : {}),
});

function synthesize(tools: ToolSpec[]) {
  const [job] = plannedJobs([{ name: 'notes', terms: ['note'], community: 0, tools: tools.map((t) => t.name), variants: [] }], tools);
  return { job, outcome: synthesizeOffline(job.planned, job.tools, 1) };
}

const note = { type: 'object', title: 'Note', properties: { note_id: { type: 'string' }, name: { type: 'string' }, text: { type: 'string' } } };

describe('schemas that refuse every value', () => {
  it('are made satisfiable: nullable without a type, additionalProperties false beside allOf', () => {
    const ajv = new Ajv({ strict: false });
    expect(satisfiableSchema({ properties: { note: { nullable: true, description: 'anything' } } })).toEqual({ properties: { note: { description: 'anything' } } });
    // The members' properties join the node's, so the keyword still refuses other keys.
    const extended = satisfiableSchema({ type: 'object', additionalProperties: false, allOf: [{ properties: { a: { type: 'string' } } }, { allOf: [{ properties: { b: { type: 'integer' } } }] }], required: ['c'] });
    expect(ajv.validate(extended, { a: 'x', b: 1, c: true })).toBe(true);
    expect(ajv.validate(extended, { a: 'x', c: 1, d: 2 })).toBe(false);
    // A member whose properties are unknown (cut at a cycle) leaves the object open.
    const open = satisfiableSchema({ type: 'object', additionalProperties: false, required: ['line1'], allOf: [{ description: 'nested schema omitted' }] });
    expect(open).not.toHaveProperty('additionalProperties');
    // Schemas without the mistakes come back equal.
    expect(satisfiableSchema(note)).toEqual(note);
  });

  it('no longer stop a tool: its parameters load and a call built from the schema is accepted', () => {
    const address = { type: 'object', additionalProperties: false, required: ['address_line1', 'city'], allOf: [{ type: 'object', description: 'A mailing address (nested schema omitted).' }] };
    const { outcome } = synthesize([
      tool('validate_addresses', 'Validate a list of addresses.', { properties: { body: { type: 'array', items: { allOf: [address] } } }, required: ['body'] }),
      tool('update_note', 'Update a note.', { properties: { note_id: { type: 'string' }, text: { type: 'string' }, extra: { nullable: true, description: 'Anything, or null.' } }, required: ['note_id'] }, note),
      tool('get_note', 'Get a note by id.', { properties: { note_id: { type: 'string' } }, required: ['note_id'] }, note),
    ]);
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
  });
});

describe('an output schema no output can meet', () => {
  it('is served satisfiable, and fidelity counts the invalid output as the schema\'s fault, visibly', () => {
    const impossible = { type: 'object', title: 'Note', additionalProperties: false, allOf: [{ properties: { note_id: { type: 'string' }, name: { type: 'string' } } }] };
    const { job, outcome } = synthesize([tool('get_note', 'Get a note by id.', { properties: { note_id: { type: 'string' } }, required: ['note_id'] }, impossible)]);
    expect(outcome.verdicts).toMatchObject([{ ok: true, warnings: [] }]);
    expect(outcome.spec!.tools[0].outputSchema).toMatchObject({ additionalProperties: false, properties: { note_id: {}, name: {} } });
    const counts = domainFidelity(outcome, job.tools);
    expect(counts).toMatchObject({ withSchema: 1, valid: 0, schemaFaults: 1 });
    expect(counts.faults[0]).toMatch(/get_note: \/ must NOT have additional properties/);
  });
});

describe('tuples', () => {
  it('hold one value per position, so a response of [score, key] pairs validates', () => {
    const ranked = { type: 'object', title: 'Ranking', properties: { ranking_id: { type: 'string' }, ranked_results: { type: 'array', items: { type: 'array', items: [{ type: 'number' }, { type: 'string' }] } } } };
    const { job, outcome } = synthesize([tool('get_ranking', 'Get a ranking.', { properties: { ranking_id: { type: 'string' } }, required: ['ranking_id'] }, ranked)]);
    expect(outcome.verdicts).toMatchObject([{ ok: true }]);
    expect(domainFidelity(outcome, job.tools)).toMatchObject({ withSchema: 1, valid: 1 });
  });
});

describe('verification finds the calls a real user would make', () => {
  it('searches for text the rows hold, so a search that returns one record finds it', () => {
    const { outcome } = synthesize([
      tool('note_key_search', 'Search the notes for a key and return the best match.', { properties: { query: { type: 'string' } }, required: ['query'] }, note),
      tool('create_note', 'Create a note.', { properties: { name: { type: 'string' }, text: { type: 'string' } }, required: ['name'] }, note),
    ]);
    const search = outcome.verdicts.find((v) => v.tool === 'note_key_search')!;
    expect(search).toMatchObject({ ok: true });
    const names = (outcome.spec!.seed.notes ?? []).map((r) => r.name);
    expect(names).toContain(search.example!.query);
  });

  it('creates with an optional key left out, giving the row a key of its own', () => {
    const { outcome } = synthesize([
      tool('create_note', 'Create a note.', { properties: { note_id: { type: 'string', description: 'Optional id of the new note.' }, name: { type: 'string' } }, required: ['name'] }, note),
      tool('get_note', 'Get a note by id.', { properties: { note_id: { type: 'string' } }, required: ['note_id'] }, note),
    ]);
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
    const domain = new Domain(outcome.spec!);
    const session = domain.openSession();
    try {
      const created = session.call('create_note', { name: 'Groceries' });
      expect(created.ok).toBe(true);
      const id = (created.ok ? created.value : {}) as { note_id?: unknown };
      expect(id.note_id).toBeTruthy();
      expect(session.call('get_note', { note_id: id.note_id }).ok).toBe(true);
      // A key given is kept, and one that exists is refused.
      expect(session.call('create_note', { name: 'Chores', note_id: 'mine-1' })).toMatchObject({ ok: true, value: { note_id: 'mine-1' } });
      expect(session.call('create_note', { name: 'Chores', note_id: 'mine-1' }).ok).toBe(false);
    } finally {
      session.close();
      domain.close();
    }
  });

  it('keys records by whole numbers when their id parameter is a number', () => {
    const comic = { type: 'object', title: 'comic', properties: { num: { type: 'number' }, title: { type: 'string' } } };
    const { outcome } = synthesize([tool('get_comic', 'Fetch a comic by its number.', { properties: { comicId: { type: 'number' } }, required: ['comicId'] }, comic)]);
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
    const table = outcome.spec!.tables.find((t) => t.name === 'comics')!;
    expect(table.columns.find((c) => c.name === table.primaryKey[0])!.type).toBe('integer');
  });

  it('gives a new row a status of its column type', () => {
    const user = { type: 'object', title: 'User', properties: { user_id: { type: 'string' }, name: { type: 'string' }, status: { type: 'integer' } } };
    const { outcome } = synthesize([
      tool('add_user', 'Add a user.', { properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } }, required: ['name'] }, user),
      tool('get_user', 'Get a user.', { properties: { user_id: { type: 'string' } }, required: ['user_id'] }, user),
    ]);
    expect(outcome.verdicts.filter((v) => !v.ok)).toEqual([]);
  });
});

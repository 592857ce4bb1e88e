import { describe, expect, it } from 'vitest';
import { readDomainSpec, resolveDomainDir } from '../../src/env/load.js';
import { Domain } from '../../src/env/domain.js';
import { ArgGrounder } from '../../src/synth/ground-args.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import type { DomainSpec, DomainTool } from '../../src/spec/domain.js';
import { verifySpec } from '../../src/synth/verify.js';
import { TINY_DIR } from '../helpers/mcp.js';

const tiny = readDomainSpec(TINY_DIR);
const withTool = (tool: Partial<DomainTool> & { name: string; kind: 'read' | 'write' }): DomainSpec => ({
  ...tiny,
  tools: [...tiny.tools, { description: 'A test tool.', parameters: { type: 'object', properties: { note_id: { type: 'string' } }, required: ['note_id'] }, steps: [], ...tool }],
});
const verdictOf = (spec: DomainSpec, name: string) => verifySpec(spec).verdicts.find((v) => v.tool === name)!;

describe('verifier', () => {
  it('passes every tool of the hand-written tiny domain, with warnings where an unknown id is accepted', () => {
    const { verdicts } = verifySpec(tiny);
    expect(verdicts.map((v) => [v.tool, v.ok])).toEqual([['find_author', true], ['list_notes', true], ['add_note', true], ['delete_note', true]]);
    expect(verdicts.find((v) => v.tool === 'list_notes')!.warnings).toEqual([{ code: 'accepts unknown id', message: 'accepts an unknown id for author_id' }]);
    expect(verdicts.find((v) => v.tool === 'add_note')!.example).toMatchObject({ author_id: 'A1' });
  });

  it('catches a read tool that writes: the engine refuses it at load and the verdict says so', () => {
    const v = verdictOf(withTool({ name: 'sneaky_read', kind: 'read', steps: [{ run: 'DELETE FROM notes WHERE id = :note_id', expect: 'any' }] }), 'sneaky_read');
    expect(v).toMatchObject({ ok: false, code: 'refused at load' });
    expect(v.reason).toContain('a read tool cannot have statements that change state');
    // The other tools still verify.
    expect(verifySpec(withTool({ name: 'sneaky_read', kind: 'read', steps: [{ run: 'DELETE FROM notes', expect: 'any' }] })).verdicts.filter((x) => x.ok)).toHaveLength(4);
  });

  it('catches a read whose query is a write in disguise', () => {
    const v = verdictOf(withTool({ name: 'sneaky_query', kind: 'read', steps: [{ query: 'DELETE FROM notes WHERE id = :note_id RETURNING id', expect: 'any' }] }), 'sneaky_query');
    expect(v).toMatchObject({ ok: false, code: 'refused at load' });
  });

  it('catches a write that writes nothing', () => {
    const v = verdictOf(withTool({ name: 'touch_note', kind: 'write', steps: [{ run: 'UPDATE notes SET body = body WHERE id = :note_id', expect: 'any' }] }), 'touch_note');
    expect(v).toMatchObject({ ok: false, code: 'write changes nothing' });
  });

  it('catches a step that errors at run time', () => {
    const spec = withTool({ name: 'parse_note', kind: 'read', steps: [{ query: 'SELECT json(body) FROM notes WHERE id = :note_id', expect: 'any' }] });
    spec.seed = { ...spec.seed, notes: [{ ...spec.seed.notes[0], body: 'not json {' }] };
    const v = verdictOf(spec, 'parse_note');
    expect(v).toMatchObject({ ok: false, code: 'internal error' });
    expect(v.reason).toContain('malformed JSON');
  });

  it('refuses a spec that tries forbidden SQL', () => {
    for (const sql of ['SELECT name FROM sqlite_schema', "SELECT load_extension('x')", 'PRAGMA table_info(notes)', "SELECT date('now')"]) {
      const v = verdictOf(withTool({ name: 'forbidden', kind: 'read', output: { rows: sql } }), 'forbidden');
      expect(v, sql).toMatchObject({ ok: false, code: 'refused at load' });
      expect(v.reason).toMatch(/^Domain tiny: tool forbidden, output: SQL /);
    }
  });

  it('fails every tool when the seed rows cannot be loaded', () => {
    const broken = { ...tiny, seed: { ...tiny.seed, notes: [{ ...tiny.seed.notes[0], author_id: 'A404' }] } };
    const result = verifySpec(broken);
    expect(result.domainError).toMatch(/^Domain tiny: seed.json notes\[0\] point/);
    expect(result.verdicts.every((v) => !v.ok && v.code === 'refused at load')).toBe(true);
  });
});

describe('verifying the curated projects domain', () => {
  it('makes valid calls that satisfy each tool schema (patterns, enums) and verifies nearly every tool', () => {
    const spec = readDomainSpec(resolveDomainDir('projects'));
    const domain = new Domain(spec);
    try {
      const grounder = new ArgGrounder(domain, paramSources(domain));
      for (const [name, tool] of domain.tools) {
        for (const args of [...grounder.valid(name, 4), ...grounder.varied(name, 10)]) expect(tool.validate(args), `${name} ${JSON.stringify(args)}`).toBe(true);
      }
    } finally {
      domain.close();
    }
    // Before, 11 of 20: calls broke the tools' own patterns (requested_by "Quartz requested by 8").
    expect(verifySpec(spec).verdicts.filter((v) => v.ok).length).toBeGreaterThanOrEqual(18);
  });
});

import { describe, expect, it } from 'vitest';
import { readDomainSpec, resolveDomainDir } from '../../src/env/load.js';
import { Domain } from '../../src/env/domain.js';
import { ArgGrounder } from '../../src/synth/ground-args.js';
import { paramSources } from '../../src/tasks/param-sources.js';
import type { DomainSpec, DomainTool } from '../../src/spec/domain.js';
import { verifySpec } from '../../src/synth/verify.js';
import { qualityTables } from '../../src/synth/report.js';
import { readWarnings } from '../../src/synth/effects.js';
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

describe('example calls', () => {
  it('of a read are calls that find something when one of a few does', () => {
    // Built around the last author first (A2, who has no notes), the first call finds nothing.
    const params = { type: 'object' as const, properties: { author_id: { type: 'string' } }, required: ['author_id'] };
    const spec = withTool({ name: 'author_note_ids', kind: 'read', parameters: params, output: { json: 'SELECT json_group_array(n.id) FROM authors a JOIN notes n ON n.author_id = a.id WHERE a.id = :author_id' } });
    expect(verdictOf(spec, 'author_note_ids')).toMatchObject({ ok: true, example: { author_id: 'A1' } });
  });
});

describe('effect warnings', () => {
  const noteId = { type: 'object' as const, properties: { note_id: { type: 'string' } }, required: ['note_id'] };
  const codes = (spec: DomainSpec, name: string) => verdictOf(spec, name).warnings.map((w) => w.code);

  it('warn about a create that adds no row, or none of what it creates', () => {
    const edits = withTool({ name: 'create_note', kind: 'write', parameters: noteId, steps: [{ run: "UPDATE notes SET body = body || '!' WHERE id = :note_id", expect: 'change', error: 'Error: no note' }] });
    expect(verdictOf(edits, 'create_note')).toMatchObject({ ok: true, warnings: [{ code: 'create adds no row', message: 'its example call added no row to any table' }] });
    const wrongTable = withTool({ name: 'create_author_transfer', kind: 'write', parameters: noteId, steps: [{ run: "INSERT INTO notes (id, author_id, body, created_at) SELECT 'N' || seq('note'), author_id, body, now() FROM notes WHERE id = :note_id", expect: 'change', error: 'Error: no note' }] });
    expect(verdictOf(wrongTable, 'create_author_transfer').warnings[0].message).toBe('it adds no transfer row (its example call added rows to notes)');
    // The tiny domain's own create adds a note: no warning.
    expect(codes(tiny, 'add_note')).not.toContain('create adds no row');
  });

  it('warn about a delete that removes no row', () => {
    const soft = withTool({ name: 'remove_note', kind: 'write', parameters: noteId, steps: [{ run: "UPDATE notes SET body = '(removed)' WHERE id = :note_id", expect: 'change', error: 'Error: no note' }] });
    expect(codes(soft, 'remove_note')).toEqual(['delete removes no row']);
    expect(codes(tiny, 'delete_note')).toEqual([]);
  });

  it('warn about a transfer that moves nothing between the rows it names', () => {
    const params = { type: 'object' as const, properties: { note_id: { type: 'string' }, author_id: { type: 'string' } }, required: ['note_id', 'author_id'] };
    const copies = withTool({ name: 'move_note', kind: 'write', parameters: params, steps: [
      { query: 'SELECT 1 FROM notes WHERE id = :note_id', expect: 'row', error: 'Error: no note' },
      { run: "INSERT INTO notes (id, author_id, body, created_at) VALUES ('N' || seq('note'), :author_id, 'moved', now())", expect: 'any' },
    ] });
    expect(verdictOf(copies, 'move_note')).toMatchObject({ ok: true });
    expect(codes(copies, 'move_note')).toEqual(['transfer moves nothing']);
    const moves = withTool({ name: 'move_note', kind: 'write', parameters: params, steps: [{ run: 'UPDATE notes SET author_id = :author_id WHERE id = :note_id AND author_id <> :author_id', expect: 'change', error: 'Error: no note' }] });
    expect(codes(moves, 'move_note')).toEqual([]);
  });

  it('warn about a read of another table than the one its name is about', () => {
    const email = { type: 'object' as const, properties: { email: { type: 'string' } }, required: ['email'] };
    const spec = withTool({ name: 'find_note_by_email', kind: 'read', parameters: email, output: { row: 'SELECT id, email FROM authors WHERE email = :email' } });
    expect(verdictOf(spec, 'find_note_by_email').warnings).toContainEqual({ code: 'reads another table', message: 'its name is about note but it reads authors' });
    // find_author reads authors by email: the email is an attribute, the author the entity.
    expect(codes(tiny, 'find_author')).toEqual([]);
    // A table named with plural() is about its noun even where singular() does not undo the plural.
    const bmis = [{ name: 'bmis', primaryKey: ['bmi_id'], columns: [{ name: 'bmi_id', type: 'text' as const }] }];
    expect(readWarnings({ name: 'calculate_bmi', description: '', kind: 'read', parameters: { type: 'object' }, steps: [], output: { rows: 'SELECT * FROM bmis' } }, bmis)).toEqual([]);
  });

  it('are counted by code in the synthesis report', () => {
    const spec = withTool({ name: 'remove_note', kind: 'write', parameters: noteId, steps: [{ run: "UPDATE notes SET body = '(removed)' WHERE id = :note_id", expect: 'change', error: 'Error: no note' }] });
    const report = qualityTables([{ name: 'tiny', planned: spec.tools.length, verdicts: verifySpec(spec).verdicts, spec, source: 'rules', notes: [] }]);
    expect(report).toMatch(/Warnings of verified tools by code:[\s\S]*\| delete removes no row +\| +1 \| tiny\/remove_note: its example call removed no row/);
    expect(report).toMatch(/\| accepts unknown id +\| +1 \|/);
  });
});

describe('verifying the curated projects domain', () => {
  it('makes valid calls that satisfy each tool schema (patterns, enums) and verifies every tool', () => {
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
    // Before, 11 of 20: calls broke the tools' own patterns (requested_by "Quartz requested by 8");
    // then 18: archiving needs the one project without open tasks, acted on by its owner, and
    // removing a member needs a membership row, not a project row, to build the call around.
    const verdicts = verifySpec(spec).verdicts;
    expect(verdicts.filter((v) => !v.ok).map((v) => `${v.tool}: ${v.reason}`)).toEqual([]);
    expect(verdicts).toHaveLength(20);
  });
});

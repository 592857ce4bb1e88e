import { describe, expect, test } from 'vitest';
import { Domain } from '../../src/env/domain.js';
import type { Step } from '../../src/spec/domain.js';
import { tinySpec } from './fixtures.js';

/** The tiny domain with one extra tool made of the given steps. */
function withTool(kind: 'read' | 'write', steps: Array<Partial<Step> & Record<string, unknown>>, output?: Record<string, string>) {
  const spec = tinySpec();
  spec.tools.push({
    name: 'probe',
    kind,
    description: 'A tool under test.',
    parameters: { type: 'object', properties: { id: { type: 'string' } } },
    steps: steps.map((s) => ({ expect: 'any', ...s })) as Step[],
    ...(output ? { output: output as never } : {}),
  });
  return () => new Domain(spec);
}

describe('spec SQL is checked when the domain loads', () => {
  const refused: Array<[string, 'read' | 'write', Record<string, unknown>, RegExp]> = [
    ['ATTACH', 'write', { run: "ATTACH DATABASE '/tmp/x.db' AS x" }, /step 1 \(run\): SQL must start with one of INSERT, UPDATE, DELETE, REPLACE, WITH \(found ATTACH\)/],
    ['PRAGMA', 'read', { query: 'PRAGMA table_info(notes)' }, /must start with one of SELECT, WITH, VALUES \(found PRAGMA\)/],
    ['VACUUM', 'write', { run: 'VACUUM' }, /found VACUUM/],
    ['two statements', 'write', { run: "DELETE FROM notes; DELETE FROM authors" }, /holds more than one statement/],
    ['the schema table', 'read', { query: 'SELECT sql FROM sqlite_master' }, /refers to "sqlite_master", which is outside the domain's tables/],
    ['a pragma function', 'read', { query: 'SELECT * FROM pragma_table_info(\'notes\')' }, /refers to "pragma_table_info"/],
    ['the engine tables', 'read', { query: 'SELECT * FROM _es_seq' }, /refers to "_es_seq"/],
    ['a temp table', 'read', { query: 'SELECT * FROM temp.notes' }, /refers to "temp"/],
    ['load_extension', 'read', { query: "SELECT load_extension('x')" }, /calls load_extension\(\)/],
    ['random()', 'write', { run: 'UPDATE notes SET body = random()' }, /calls random\(\)/],
    ["the real clock ('now')", 'write', { run: "UPDATE notes SET created_at = datetime('now')" }, /real clock or time zone \('now'\)/],
    ["the machine's time zone", 'read', { query: "SELECT datetime(now(), 'localtime')" }, /real clock or time zone \('localtime'\)/],
    ['CURRENT_TIMESTAMP', 'write', { run: 'UPDATE notes SET created_at = CURRENT_TIMESTAMP' }, /real clock \(CURRENT_TIMESTAMP\)/],
    ['date() with no time value', 'read', { query: 'SELECT date()' }, /calls date\(\) without a time value/],
    ['a write in a read tool', 'read', { run: 'DELETE FROM notes' }, /a read tool cannot have statements that change state/],
    ['a writing query step', 'write', { query: 'WITH x AS (SELECT 1) DELETE FROM notes WHERE id = :id' }, /could change state, but this step may only read/],
    ['seq() outside writes', 'read', { query: "SELECT seq('note')" }, /calls seq\(\), which only write steps may use/],
    ['an unknown parameter', 'read', { query: 'SELECT * FROM notes WHERE id = :nope' }, /uses :nope, which is neither a parameter of the tool nor bound by an earlier step/],
    ['a positional parameter', 'read', { query: 'SELECT * FROM notes WHERE id = ?' }, /positional parameter/],
    ['an unknown table', 'read', { query: 'SELECT * FROM missing' }, /does not compile: no such table: missing/],
    ['expect row without a message', 'read', { query: 'SELECT 1', expect: 'row' }, /needs an error message/],
  ];
  test.each(refused)('refuses %s, naming domain, tool and step', (_name, kind, step, message) => {
    const load = withTool(kind, [step]);
    expect(load).toThrow(/^Domain tiny: tool probe, step 1 \(\w+\): /);
    expect(load).toThrow(message);
  });

  test('refuses bad output SQL, naming the output', () => {
    expect(withTool('read', [], { rows: 'SELECT * FROM sqlite_schema' })).toThrow(/^Domain tiny: tool probe, output: SQL refers to "sqlite_schema"/);
  });

  test('accepts reads through json_each, CTEs and bound step values', () => {
    const load = withTool(
      'read',
      [{ query: 'SELECT id AS nid FROM notes WHERE id = :id', as: 'n', expect: 'row', error: 'no note {id}' }],
      { rows: "WITH t AS (SELECT value FROM json_each((SELECT tags FROM notes WHERE id = :n__nid))) SELECT value AS tag FROM t" },
    );
    const s = load().openSession();
    expect(s.call('probe', { id: 'N1' })).toMatchObject({ ok: true, value: [{ tag: 'intro' }] });
    expect(s.call('probe', { id: 'N7' })).toMatchObject({ ok: false, error: 'no note N7' });
  });

  test("refuses, at call time, a time value that would read the machine's clock", () => {
    const s = withTool('read', [], { value: 'SELECT date(:id)' })().openSession();
    expect(s.call('probe', { id: '2026-01-02T03:04:05Z' })).toMatchObject({ ok: true, value: '2026-01-02' });
    expect(s.call('probe', { id: 'now' })).toMatchObject({ ok: false, error: 'Error: "now" is not a valid date or time value for id.' });
    expect(s.call('probe', { id: ' LocalTime ' })).toMatchObject({ ok: false });
  });

  test('bound step values keep their SQLite types, and a found row can be named in an error', () => {
    const spec = tinySpec();
    spec.tables[1].columns.push({ name: 'score', type: 'real' });
    spec.seed.notes[0].score = 16;
    spec.tools.push({
      name: 'probe',
      kind: 'read',
      description: 'A tool under test.',
      parameters: { type: 'object', properties: { id: { type: 'string' } } },
      steps: [{ query: 'SELECT score, typeof(score) AS t FROM notes WHERE id = :id', as: 'n', expect: 'none', error: 'found a {n__t} score {n__score}' }],
    });
    const s = new Domain(spec).openSession();
    expect(s.call('probe', { id: 'N1' })).toMatchObject({ ok: false, error: 'found a real score 16' });
    spec.tools[spec.tools.length - 1].steps = [
      { query: 'SELECT score, length(id) AS len FROM notes WHERE id = :id', as: 'n', expect: 'row', error: 'none' },
    ];
    spec.tools[spec.tools.length - 1].output = { value: "SELECT typeof(:n__score) || ' ' || typeof(:n__len) || ' ' || (:n__len || '')" };
    expect(new Domain(spec).openSession().call('probe', { id: 'N1' })).toMatchObject({ ok: true, value: 'real integer 2' });
  });

  test('refuses a tool whose parameters are not a valid JSON Schema, every time', () => {
    const spec = tinySpec();
    spec.tools[0].parameters = { type: 'object', properties: { email: { type: 'string', description: 7 } } } as never;
    for (let i = 0; i < 2; i++) expect(() => new Domain(spec)).toThrow(/^Domain tiny: tool find_author: its parameters are not a valid JSON Schema \(schema is invalid: .*description must be string/);
  });

  test('refuses seed rows that break the schema, naming the row', () => {
    const spec = tinySpec();
    spec.seed.notes.push({ id: 'N2', author_id: 'A404', body: 'orphan', created_at: '2026-01-01T00:00:00Z' });
    expect(() => new Domain(spec)).toThrow('Domain tiny: seed.json notes[1] points at a missing authors row.');
    const spec2 = tinySpec();
    spec2.seed.authors.push({ id: 'A3', email: 'x@y.z', active: true, age: 3 });
    expect(() => new Domain(spec2)).toThrow('Domain tiny: seed.json authors[2] has a field age that is not a column.');
    const spec3 = tinySpec();
    spec3.seed.notes[0].tags = undefined;
    spec3.seed.notes[0].body = null;
    expect(() => new Domain(spec3)).toThrow(/seed.json notes\[0\] cannot be stored: NOT NULL constraint failed: notes.body/);
  });
});

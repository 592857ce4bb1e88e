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
    // Function names in every quoting form.
    ['"random"()', 'write', { run: 'UPDATE notes SET body = "random"()' }, /calls random\(\)/],
    ['[random]()', 'read', { query: 'SELECT [random]()' }, /calls random\(\)/],
    ['`RandomBlob`()', 'read', { query: 'SELECT `RandomBlob`(8)' }, /calls randomblob\(\)/],
    ['"load_extension"()', 'read', { query: 'SELECT "load_extension"(\'x\')' }, /calls load_extension\(\)/],
    ['a call split by a comment', 'read', { query: 'SELECT random /* x */ ()' }, /calls random\(\)/],
    ['"current_timestamp"()', 'read', { query: 'SELECT "current_timestamp"()' }, /real clock \(CURRENT_TIMESTAMP\)/],
    ['[current_date]()', 'read', { query: 'SELECT [current_date]()' }, /real clock \(CURRENT_DATE\)/],
    ['"date"() with no time value', 'read', { query: 'SELECT "date"()' }, /calls date\(\) without a time value/],
    // Values of any size from one number.
    ['printf with a * precision', 'read', { query: "SELECT printf('%.*c', 900000000, 'x')" }, /calls printf\(\) with a width or precision of \*/],
    ['printf with a huge width', 'read', { query: "SELECT printf('%900000000c', 'x')" }, /width or precision of 900000000/],
    ['format with a huge precision', 'read', { query: "SELECT format('%.5000s', 'x')" }, /calls format\(\) with a width or precision of 5000/],
    ['printf with a format from a parameter', 'read', { query: 'SELECT printf(:id, 1)' }, /calls printf\(\) with a format that is not a string literal/],
    ['zeroblob', 'read', { query: 'SELECT length(zeroblob(1000000000))' }, /calls zeroblob\(\)/],
    // Recursion that nothing bounds.
    ['an unbounded recursive CTE', 'read', { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c' }, /has a recursive WITH \(c\) without a LIMIT, which could run forever/],
    ['a recursive CTE without the RECURSIVE keyword', 'read', { query: 'WITH c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM "C") SELECT count(*) FROM c' }, /recursive WITH \(c\) without a LIMIT/],
    ['a second, recursive CTE', 'read', { query: 'WITH a AS (SELECT 1 AS v), [b](x) AS MATERIALIZED (SELECT v FROM a UNION SELECT x * 2 FROM b) SELECT max(x) FROM b' }, /recursive WITH \(b\) without a LIMIT/],
    ['a LIMIT only inside the recursive part', 'read', { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x IN (SELECT x FROM c LIMIT 1)) SELECT count(*) FROM c' }, /without a LIMIT/],
    ['a recursion LIMIT from a parameter', 'read', { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT :id) SELECT count(*) FROM c' }, /whose LIMIT is not a number up to 100000/],
    ['a recursion LIMIT too large', 'read', { query: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 0, 100000000) SELECT count(*) FROM c' }, /whose LIMIT is not a number up to 100000/],
    ['a writing recursion', 'write', { run: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) INSERT INTO notes (id, author_id, body, created_at) SELECT x, \'A1\', \'b\', now() FROM c' }, /recursive WITH \(c\) without a LIMIT/],
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

  test("refuses, at call time, a time value that would read the machine's clock, however it was built", () => {
    const s = withTool('read', [], { value: 'SELECT date(:id)' })().openSession();
    expect(s.call('probe', { id: '2026-01-02T03:04:05Z' })).toMatchObject({ ok: true, value: '2026-01-02' });
    expect(s.call('probe', { id: 'now' })).toEqual({ ok: false, error: `Error: "now" would read the machine's clock or time zone; the domain's time is now().`, text: expect.any(String) });
    expect(s.call('probe', { id: ' LocalTime ' })).toMatchObject({ ok: false });
    const built: Array<[string, string]> = [
      ['datetime', "SELECT datetime(replace('nxw', 'x', 'o'))"],
      ['strftime', "SELECT strftime('%s', 'n' || 'ow')"],
      ['julianday', "SELECT julianday(upper('n' || 'OW'))"],
      ['unixepoch', "SELECT unixepoch(substr('xnow', 2))"],
      ['time zone', "SELECT datetime(now(), lower('LOCAL' || 'TIME'))"],
      ['a column', "SELECT date((SELECT 'n' || 'ow' FROM notes LIMIT 1))"],
      ['timediff', "SELECT timediff(now(), trim(' no' || 'w '))"],
    ];
    for (const [what, sql] of built) {
      const r = withTool('read', [], { value: sql })().openSession().call('probe', {});
      expect({ what, r }).toMatchObject({ what, r: { ok: false, error: expect.stringMatching(/would read the machine's clock or time zone/) } });
    }
    // The same functions on domain times compute as SQLite's own.
    const ok = withTool('read', [], { value: "SELECT datetime(now(), '+1 day') || ' ' || strftime('%Y', now()) || ' ' || julianday('2026-01-01') || ' ' || unixepoch('1970-01-02')" })().openSession();
    expect(ok.call('probe', {})).toMatchObject({ ok: true, value: '2026-01-16 10:00:00 2026 2461041.5 86400' });
  });

  test('accepts a CTE read twice (a self-join)', () => {
    const s = withTool('read', [], { value: 'WITH t AS MATERIALIZED (SELECT id FROM notes) SELECT count(*) FROM t AS a JOIN t AS b ON a.id = b.id' })().openSession();
    expect(s.call('probe', {})).toMatchObject({ ok: true, value: 1 });
  });

  test('accepts a recursion bounded by a LIMIT, and bounded formats, and runs them', () => {
    const s = withTool('read', [], {
      value: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000), d AS (SELECT 2) SELECT printf('%5.2f|%-4d|%s', sum(x) / 1000.0, 7, 'ok') FROM c",
    })().openSession();
    expect(s.call('probe', {})).toMatchObject({ ok: true, value: '500.50|7   |ok' });
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

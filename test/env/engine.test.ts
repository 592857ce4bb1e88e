import { describe, expect, test } from 'vitest';
import { fitValue } from '../../src/env/values.js';
import { Domain } from '../../src/env/domain.js';
import { IMAGE_PAGE_SIZE } from '../../src/env/image.js';
import { SESSION_CACHE_KB } from '../../src/env/session.js';
import { stateHash } from '../../src/env/state-hash.js';
import { diffStates, formatDiff } from '../../src/env/diff.js';
import { tinySpec } from './fixtures.js';

const domain = new Domain(tinySpec());

describe('tool calls', () => {
  test('a read returns typed rows without forking the state', () => {
    const s = domain.openSession();
    const r = s.call('list_notes', { author_id: 'A1' });
    expect(r).toMatchObject({ ok: true, value: [{ id: 'N1', body: 'First note', tags: ['intro'] }] });
    expect(s.forked).toBe(false);
    s.close();
  });

  test('a write uses seq() and now(), and forks only this session', () => {
    const s = domain.openSession();
    const r = s.call('add_note', { author_id: 'A1', body: 'hello', tags: ['a', 'b'] });
    expect(r).toMatchObject({ ok: true, value: { id: 'N100', created_at: '2026-01-15T10:00:00Z', tags: ['a', 'b'] } });
    expect(s.call('add_note', { author_id: 'A1', body: 'again' })).toMatchObject({ ok: true, value: { id: 'N101' } });
    expect(s.forked).toBe(true);
    expect(s.stateHash()).not.toBe(domain.openSession().stateHash());
    s.close();
  });

  test('a failed step rolls back everything the call did and says why', () => {
    const s = domain.openSession();
    const before = s.stateHash();
    expect(s.call('add_note', { author_id: 'A2', body: 'x' })).toEqual({ ok: false, error: 'Error: author A2 is inactive', text: 'Error: author A2 is inactive' });
    expect(s.call('add_note', { author_id: 'ZZ', body: 'x' })).toMatchObject({ ok: false, error: 'Error: author ZZ not found' });
    expect(s.call('delete_note', { note_id: 'N9' })).toMatchObject({ ok: false, error: 'Error: note N9 not found' });
    expect(s.stateHash()).toBe(before);
    // The sequence did not advance either: the next id is the first one.
    expect(s.call('add_note', { author_id: 'A1', body: 'x' })).toMatchObject({ ok: true, value: { id: 'N100' } });
  });

  test('invalid arguments are refused before any SQL, naming the field', () => {
    const s = domain.openSession();
    expect(s.call('find_author', {})).toMatchObject({ ok: false, error: 'Invalid arguments for find_author: missing required argument "email".' });
    expect(s.call('find_author', { email: 'not-an-email' })).toMatchObject({ ok: false, error: expect.stringContaining('argument "email" must match format "email"') });
    expect(s.call('find_author', { email: 'ada@example.org', extra: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('unknown argument "extra"') });
    expect(s.call('add_note', { author_id: 'A1', body: '' })).toMatchObject({ ok: false, error: expect.stringContaining('"body"') });
    expect(s.forked).toBe(false);
  });

  test('a constraint the schema enforces comes back as a tool error', () => {
    const spec = tinySpec();
    spec.tools.push({
      name: 'add_author',
      kind: 'write',
      description: 'Add an author.',
      parameters: { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' } }, required: ['id', 'email'] },
      steps: [{ run: 'INSERT INTO authors (id, email, active) VALUES (:id, :email, 1)', expect: 'any' }],
    });
    const s = new Domain(spec).openSession();
    expect(s.call('add_author', { id: 'A3', email: 'c@example.org' })).toMatchObject({ ok: true, value: 'OK' });
    expect(s.call('add_author', { id: 'A4', email: 'ada@example.org' })).toMatchObject({ ok: false, error: expect.stringContaining('UNIQUE constraint failed: authors.email') });
  });

  test('unknown tools throw a clear error', () => {
    expect(() => domain.openSession().call('nope')).toThrow('No tool nope in domain tiny; it has find_author, list_notes, add_note, delete_note.');
  });
});

describe('sessions', () => {
  test('two sessions making conflicting writes never see each other', () => {
    const a = domain.openSession();
    const b = domain.openSession();
    expect(a.call('delete_note', { note_id: 'N1' }).ok).toBe(true);
    expect(b.call('list_notes', { author_id: 'A1' })).toMatchObject({ ok: true, value: [{ id: 'N1' }] });
    expect(b.call('delete_note', { note_id: 'N1' }).ok).toBe(true);
    expect(a.call('add_note', { author_id: 'A1', body: 'from a' })).toMatchObject({ value: { id: 'N100' } });
    expect(b.call('add_note', { author_id: 'A1', body: 'from b' })).toMatchObject({ value: { id: 'N100' } });
    expect(a.call('list_notes', { author_id: 'A1' })).toMatchObject({ value: [{ body: 'from a' }] });
    expect(b.call('list_notes', { author_id: 'A1' })).toMatchObject({ value: [{ body: 'from b' }] });
    expect(a.stateHash()).not.toBe(b.stateHash());
    // The seed is untouched for the next session.
    expect(domain.openSession().call('list_notes', { author_id: 'A1' })).toMatchObject({ value: [{ id: 'N1' }] });
  });

  test("a session's private copy uses small pages and a bounded page cache", () => {
    // Thousands of sessions each hold a copy of the image: what bounds their memory is checked here, the figure is the episodes benchmark's.
    const s = domain.openSession();
    expect(s.call('add_note', { author_id: 'A1', body: 'forks' }).ok).toBe(true);
    expect(s.reader.pragma('page_size', { simple: true })).toBe(IMAGE_PAGE_SIZE);
    expect(s.reader.pragma('cache_size', { simple: true })).toBe(-SESSION_CACHE_KB);
    s.close();
  });

  test('a closed session refuses calls', () => {
    const s = domain.openSession();
    s.close();
    expect(() => s.call('list_notes', { author_id: 'A1' })).toThrow(/closed/);
  });

  test('applyInitial sets a starting state and counts in the hash', () => {
    const s = domain.openSession();
    s.applyInitial([{ sql: 'UPDATE authors SET active = 1 WHERE id = :id', params: { id: 'A2' } }]);
    expect(s.call('add_note', { author_id: 'A2', body: 'now allowed' }).ok).toBe(true);
  });
});

describe('state hash', () => {
  test('replaying the same calls gives byte-identical state and the same hash', () => {
    const run = () => {
      const s = domain.openSession();
      s.call('add_note', { author_id: 'A1', body: 'one', tags: ['t'] });
      s.call('delete_note', { note_id: 'N1' });
      s.call('add_note', { author_id: 'A1', body: 'two' });
      return { hash: s.stateHash(), bytes: s.serialize() };
    };
    const a = run();
    const b = run();
    expect(a.hash).toBe(b.hash);
    expect(Buffer.compare(a.bytes, b.bytes)).toBe(0);
  });

  test('does not depend on seed row order or column declaration order', () => {
    const spec = tinySpec();
    spec.seed.authors.reverse();
    for (const t of spec.tables) t.columns.reverse();
    spec.tables.reverse();
    const other = new Domain(spec);
    expect(other.openSession().stateHash()).toBe(domain.openSession().stateHash());
  });

  test('does not depend on the order rows were written', () => {
    const a = domain.openSession();
    const b = domain.openSession();
    a.applyInitial([{ sql: "INSERT INTO authors (id, email, active) VALUES ('A8', 'h@x.org', 1)", params: {} }]);
    a.applyInitial([{ sql: "INSERT INTO authors (id, email, active) VALUES ('A9', 'i@x.org', 0)", params: {} }]);
    b.applyInitial([{ sql: "INSERT INTO authors (id, email, active) VALUES ('A9', 'i@x.org', 0)", params: {} }]);
    b.applyInitial([{ sql: "INSERT INTO authors (id, email, active) VALUES ('A8', 'h@x.org', 1)", params: {} }]);
    expect(a.stateHash()).toBe(b.stateHash());
  });

  test('the incremental hash equals a full rehash after many writes, and a write undone restores it', () => {
    const s = domain.openSession();
    const seedHash = s.stateHash();
    expect(seedHash).toBe(stateHash(domain.base, domain.spec.tables));
    for (let i = 0; i < 30; i++) s.call('add_note', { author_id: 'A1', body: `note ${i}`, tags: [String(i % 3)] });
    for (let i = 100; i < 130; i += 2) s.call('delete_note', { note_id: `N${i}` });
    s.applyInitial([{ sql: "UPDATE notes SET body = upper(body) WHERE author_id = 'A1'", params: {} }]);
    s.applyInitial([{ sql: "REPLACE INTO authors (id, email, active) VALUES ('A2', 'bob@example.org', 1)", params: {} }]);
    expect(s.stateHash()).toBe(stateHash(s.reader, domain.spec.tables));
    s.applyInitial([
      { sql: "UPDATE authors SET active = 0 WHERE id = 'A2'", params: {} },
      { sql: "DELETE FROM notes WHERE id <> 'N1'", params: {} },
      { sql: "UPDATE notes SET body = 'First note'", params: {} },
    ]);
    expect(s.stateHash()).toBe(seedHash);
  });
});

describe('diff', () => {
  test('lists added, removed and changed rows by primary key', () => {
    const s = domain.openSession();
    s.call('add_note', { author_id: 'A1', body: 'new' });
    s.applyInitial([{ sql: "UPDATE authors SET active = 1 WHERE id = 'A2'", params: {} }]);
    s.call('delete_note', { note_id: 'N1' });
    const diff = diffStates(domain.spec.tables, { db: domain.base, sums: domain.image.sums }, { db: s.reader, sums: s.tableSums });
    expect(diff).toEqual([
      { table: 'authors', added: [], removed: [], changed: [{ key: { id: 'A2' }, columns: { active: { before: false, after: true } } }] },
      {
        table: 'notes',
        added: [{ id: 'N100', author_id: 'A1', body: 'new', tags: [], created_at: '2026-01-15T10:00:00Z' }],
        removed: [{ id: 'N1', author_id: 'A1', body: 'First note', tags: ['intro'], created_at: '2026-01-10T08:00:00Z' }],
        changed: [],
      },
    ]);
    expect(formatDiff(diff)).toContain('~ id=A2: active: false -> true');
    expect(formatDiff([])).toBe('no changes');
  });
});

describe('rewindAfter', () => {
  test('runs calls and then restores rows, hash and sequences exactly', () => {
    const s = domain.openSession();
    s.call('add_note', { author_id: 'A1', body: 'kept' });
    const hash = s.stateHash();
    const inside = s.rewindAfter(() => {
      s.call('add_note', { author_id: 'A1', body: 'dropped' });
      s.call('delete_note', { note_id: 'N1' });
      expect(s.call('add_note', { author_id: 'A2', body: 'x' }).ok).toBe(false);
      return s.stateHash();
    });
    expect(inside).not.toBe(hash);
    expect(s.stateHash()).toBe(hash);
    expect(stateHash(s.reader, domain.spec.tables)).toBe(hash);
    // The sequence is back too: the next note gets the id the dropped one had.
    expect(s.call('add_note', { author_id: 'A1', body: 'next' })).toMatchObject({ value: { id: 'N101' } });
  });
});

describe('stored values as arguments', () => {
  test('take the JSON shape the parameter expects', () => {
    expect(fitValue({ type: 'array', items: { type: 'integer' } }, 6)).toEqual([6]);
    expect(fitValue({ type: 'array', items: { type: 'string' } }, '["a","b"]')).toEqual(['a', 'b']);
    expect(fitValue({ type: 'array', items: { type: 'string' } }, 'plain text')).toEqual(['plain text']);
    expect(fitValue({ type: 'array', items: { type: 'string' } }, 7)).toEqual(['7']);
    expect(fitValue({ type: 'array' }, null)).toBeNull();
    expect(fitValue({ type: 'object' }, '{"a":1}')).toEqual({ a: 1 });
    expect(fitValue({ type: 'boolean' }, 1)).toBe(true);
    expect(fitValue({ type: 'integer' }, '42')).toBe(42);
  });
});

import { describe, expect, test } from 'vitest';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { ARGUMENT_LIMITS } from '../../src/env/arguments.js';
import { Domain } from '../../src/env/domain.js';
import { MAX_STATE_GROWTH_BYTES } from '../../src/env/session.js';
import { Episode, type ToolCallEvent } from '../../src/episode/episode.js';
import { createDomainServer } from '../../src/mcp/server.js';
import { tinySpec } from './fixtures.js';

const domain = new Domain(tinySpec());

/** `value` wrapped in `depth` levels of arrays. */
function nested(depth: number, value: unknown = 'x'): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('what one call may carry', () => {
  test('arguments nested deeper than the limit are a tool error, however deep, and the state is untouched', () => {
    const s = domain.openSession();
    const before = s.stateHash();
    for (const depth of [ARGUMENT_LIMITS.depth + 1, 3000, 1_000_000]) {
      const r = s.call('add_note', { author_id: 'A1', body: 'deep', tags: nested(depth) });
      expect(r).toEqual({
        ok: false,
        error: `Invalid arguments for add_note: argument "tags" nests deeper than ${ARGUMENT_LIMITS.depth} levels, the limit for one call.`,
        text: expect.any(String),
      });
    }
    // At the limit the arguments reach the schema, which has its own say.
    expect(s.call('add_note', { author_id: 'A1', body: 'deep', tags: nested(ARGUMENT_LIMITS.depth - 2) })).toMatchObject({ ok: false, error: expect.stringMatching(/argument "tags\.0" must be string/) });
    expect(s.stateHash()).toBe(before);
    s.close();
  });

  test('a lone surrogate in a string or a key is refused, not stored as U+FFFD', () => {
    const s = domain.openSession();
    for (const body of ['a\ud800b', '\udc00', 'end\ud83d']) {
      expect(s.call('add_note', { author_id: 'A1', body })).toMatchObject({ ok: false, error: 'Invalid arguments for add_note: argument "body" holds a lone UTF-16 surrogate, which is not valid Unicode text; send well-formed text.' });
    }
    expect(s.call('add_note', { author_id: 'A1', body: 'ok', tags: ['x', 'y\udfff'] })).toMatchObject({ ok: false, error: expect.stringMatching(/argument "tags" holds a lone UTF-16 surrogate/) });
    expect(s.call('list_notes', { author_id: 'A1', ['k\ud800']: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/has a key holding a lone UTF-16 surrogate/) });
    // A surrogate pair is one well-formed character, stored and returned exactly.
    const emoji = 'note \ud83d\ude00 done';
    expect(s.call('add_note', { author_id: 'A1', body: emoji })).toMatchObject({ ok: true, value: { body: emoji } });
    expect((s.call('list_notes', { author_id: 'A1' }) as { value: Array<{ body: string }> }).value.map((n) => n.body)).toEqual(['First note', emoji]);
    s.close();
  });

  test('arguments over the size limit are a tool error; just under it they are taken', () => {
    const s = domain.openSession();
    const over = s.call('list_notes', { author_id: 'x'.repeat(ARGUMENT_LIMITS.bytes) });
    expect(over).toMatchObject({ ok: false, error: `Invalid arguments for list_notes: the arguments hold more than ${ARGUMENT_LIMITS.bytes} bytes of text, the limit for one call.` });
    // Counted in UTF-8 bytes: half as many two-byte characters are as much text.
    expect(s.call('list_notes', { author_id: 'é'.repeat(ARGUMENT_LIMITS.bytes / 2) })).toMatchObject({ ok: false });
    expect(s.call('list_notes', { author_id: 'x'.repeat(ARGUMENT_LIMITS.bytes - 100) })).toEqual({ ok: true, value: [], text: '[]' });
    s.close();
  });

  test('writes that grow a state past its limit fail with a tool error; what was written stays', () => {
    const s = domain.openSession();
    const body = 'z'.repeat(1_000_000);
    let added = 0;
    let last;
    for (let i = 0; i < 200; i++) {
      last = s.call('add_note', { author_id: 'A1', body: `${body}${i}` });
      if (!last.ok) break;
      added++;
    }
    expect(last).toMatchObject({ ok: false, error: expect.stringMatching(/^Error: this session's state is full \(it may grow 64 MB beyond the domain's seed\)/) });
    expect(last).not.toHaveProperty('internal');
    expect(added).toBeGreaterThan(MAX_STATE_GROWTH_BYTES / 1_000_000 - 8);
    expect(added).toBeLessThanOrEqual(MAX_STATE_GROWTH_BYTES / 1_000_000);
    // Reads still work, and so do writes that free space.
    expect((s.call('list_notes', { author_id: 'A1' }) as { value: unknown[] }).value).toHaveLength(added + 1);
    expect(s.call('delete_note', { note_id: 'N100' })).toMatchObject({ ok: true });
    expect(s.call('add_note', { author_id: 'A1', body: 'small' })).toMatchObject({ ok: true });
    s.close();
  });

  test('over MCP such calls are tool errors and are reported (recorded) with their arguments left out', async () => {
    const events: ToolCallEvent[] = [];
    const episode = await Episode.open({ domain });
    const server = createDomainServer(episode, { onToolCall: (e) => events.push(e) });
    const client = new Client({ name: 'limits', version: '0' });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    await client.connect(a);
    const deep = await client.callTool({ name: 'list_notes', arguments: { author_id: 'A1', extra: nested(3000) } });
    expect(deep.isError).toBe(true);
    expect((deep.content as Array<{ text: string }>)[0].text).toMatch(/nests deeper than 64 levels/);
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: { extra: nested(3000) } }).catch((e: Error) => e);
    expect(unknown).toBeInstanceOf(Error);
    expect(events.map((e) => [e.tool, e.args, e.result.ok])).toEqual([
      ['list_notes', {}, false],
      ['no_such_tool', {}, false],
    ]);
    await client.close();
    episode.close();
  });
});

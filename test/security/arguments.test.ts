import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrajectoryStore } from '../../src/record/store.js';
import { TINY_DIR } from '../helpers/mcp.js';
import { RawSession, resultText, startServe, waitUntil, type ServeProcess } from '../helpers/serve-process.js';

/** Hostile tool arguments sent over HTTP to `serve --http --store`: each is a tool error, recorded, and the session goes on. */
describe('hostile arguments over HTTP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envscale-args-'));
  const storePath = join(dir, 'runs.db');
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe([TINY_DIR, '--store', storePath]);
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** JSON text of `value` nested `depth` levels deep in arrays (built as text: no recursion here either). */
  const nestedJson = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
  const callBody = (id: number, name: string, argsJson: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${argsJson}}}`;

  it('answers arguments nested 100 and 900 levels deep with a tool error and records the calls; a body nested 3,000 or 1,000,000 deep is a 400', async () => {
    const session = await RawSession.open(`${server.url}/mcp/tiny`);
    for (const [id, depth] of [
      [1, 100],
      [2, 900],
    ]) {
      const reply = await session.post(callBody(id, 'list_notes', `{"author_id":"A1","extra":${nestedJson(depth)}}`));
      expect(reply.status).toBe(200);
      const response = reply.messages.find((m) => m.id === id);
      expect(response.result.isError).toBe(true);
      expect(resultText(response)).toBe('Invalid arguments for list_notes: argument "extra" nests deeper than 64 levels, the limit for one call.');
    }
    for (const depth of [3000, 1_000_000]) {
      const reply = await session.post(callBody(3, 'list_notes', `{"author_id":"A1","extra":${nestedJson(depth)}}`));
      expect(reply.status).toBe(400);
      expect(reply.messages[0].error.message).toBe('Request body nests deeper than 1000 levels.');
    }
    // Brackets inside strings are text, not nesting.
    expect(resultText(await session.call('list_notes', { author_id: '['.repeat(5000) }))).toBe('[]');
    expect(JSON.parse(resultText(await session.call('list_notes', { author_id: 'A1' })))).toHaveLength(1);
    await session.close();

    const store = TrajectoryStore.open(storePath, { readonly: true });
    try {
      const episode = await waitUntil(() => store.episodes({ status: 'done' })[0]);
      const results = store.events(episode.id).filter((e) => e.kind === 'tool_result');
      expect(results.map((e) => e.kind === 'tool_result' && [e.tool, e.ok, e.args])).toEqual([
        ['list_notes', false, {}],
        ['list_notes', false, {}],
        ['list_notes', true, { author_id: '['.repeat(5000) }],
        ['list_notes', true, { author_id: 'A1' }],
      ]);
    } finally {
      store.close();
    }
  });

  it('refuses a lone surrogate with a tool error instead of storing U+FFFD, and stores a well-formed pair exactly', async () => {
    const session = await RawSession.open(`${server.url}/mcp/tiny`);
    // Written as JSON escapes: a lone \ud800 cannot be sent as UTF-8 text.
    const lone = await session.post(callBody(1, 'add_note', '{"author_id":"A1","body":"a\\ud800b"}'));
    expect(resultText(lone.messages[0])).toBe('Invalid arguments for add_note: argument "body" holds a lone UTF-16 surrogate, which is not valid Unicode text; send well-formed text.');
    expect(lone.messages[0].result.isError).toBe(true);
    const pair = await session.post(callBody(2, 'add_note', '{"author_id":"A1","body":"a\\ud83d\\ude00b"}'));
    expect(JSON.parse(resultText(pair.messages[0])).body).toBe('a\u{1F600}b');
    const notes = JSON.parse(resultText(await session.call('list_notes', { author_id: 'A1' })));
    expect(notes.map((n: { body: string }) => n.body)).toEqual(['First note', 'a\u{1F600}b']);
    await session.close();
  });

  it('keeps every session answering through a burst of malformed calls', async () => {
    const session = await RawSession.open(`${server.url}/mcp/tiny`);
    const bad = [
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_notes","arguments":"not an object"}}',
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_notes","arguments":[1,2]}}',
      '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_notes"}}',
      '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"nope","arguments":{}}}',
      '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_notes","arguments":{"author_id":{"$gt":""}}}}',
      '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_notes","arguments":{"author_id":"A1\' OR 1=1 --"}}}',
      '{"jsonrpc":"2.0","id":7,"method":"no/such/method"}',
      '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"add_note","arguments":{"author_id":"A1","body":"x","__proto__":{"polluted":1}}}}',
    ];
    for (const body of bad) {
      const reply = await session.post(body);
      expect(reply.status).toBeLessThan(500);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(resultText(await session.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import type { Server } from '@modelcontextprotocol/server';
import { loadDomain } from '../../src/env/load.js';
import type { Session } from '../../src/env/session.js';
import { Episode, type ToolCallEvent } from '../../src/episode/episode.js';
import { createDomainServer } from '../../src/mcp/server.js';
import { newClient, textOf, TINY_DIR } from '../helpers/mcp.js';

const domain = loadDomain(TINY_DIR);

describe('createDomainServer over an in-memory transport', () => {
  let session: Session;
  let server: Server;
  let client: Client;
  let events: ToolCallEvent[];

  beforeEach(async () => {
    events = [];
    const episode = await Episode.open({ domain });
    session = episode.state;
    server = createDomainServer(episode, { onToolCall: (e) => events.push(e) });
    client = newClient();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  });

  afterEach(async () => {
    await client.close();
    await server.close();
    session.close();
  });

  it('identifies itself and advertises tools, prompts and resources', () => {
    expect(client.getServerVersion()).toEqual({ name: 'envscale-tiny', version: expect.any(String) });
    const caps = client.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.prompts).toBeDefined();
    expect(caps?.resources).toBeDefined();
    expect(client.getInstructions()).toContain('envscale://tiny/policy');
  });

  it('lists every tool with the domain parameters as inputSchema and the right annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['find_author', 'list_notes', 'add_note', 'delete_note']);
    for (const tool of tools) {
      const spec = domain.tools.get(tool.name)!.spec;
      expect(tool.inputSchema).toEqual(spec.parameters);
      expect(tool.description).toBe(spec.description);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(byName.find_author).toMatchObject({ readOnlyHint: true });
    expect(byName.find_author?.destructiveHint).toBeUndefined();
    expect(byName.list_notes).toMatchObject({ readOnlyHint: true });
    expect(byName.list_notes?.destructiveHint).toBeUndefined();
    expect(byName.add_note).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.delete_note).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it('serves the policy prompt', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([expect.objectContaining({ name: 'policy' })]);
    const prompt = await client.getPrompt({ name: 'policy' });
    expect(prompt.messages).toHaveLength(1);
    expect(prompt.messages[0].role).toBe('user');
    expect(prompt.messages[0].content).toEqual({ type: 'text', text: domain.spec.policy });
    expect(domain.spec.policy).toContain('Inactive authors cannot add notes');
  });

  it('rejects an unknown prompt with InvalidParams', async () => {
    const err = await client.getPrompt({ name: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(ProtocolErrorCode.InvalidParams);
  });

  it('lists and reads the policy and schema resources', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['envscale://tiny/policy', 'envscale://tiny/schema']);

    const policy = await client.readResource({ uri: 'envscale://tiny/policy' });
    expect(policy.contents).toEqual([{ uri: 'envscale://tiny/policy', mimeType: 'text/markdown', text: domain.spec.policy }]);

    const schema = await client.readResource({ uri: 'envscale://tiny/schema' });
    expect(schema.contents[0].mimeType).toBe('application/json');
    const tables = JSON.parse(String((schema.contents[0] as { text: string }).text)) as Array<{ name: string }>;
    expect(tables.map((t) => t.name)).toEqual(['authors', 'notes']);

    const err = await client.readResource({ uri: 'envscale://tiny/nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(ProtocolErrorCode.InvalidParams);
  });

  it('returns text content for a successful call', async () => {
    const result = await client.callTool({ name: 'find_author', arguments: { email: 'ada@example.org' } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'A1' }]);

    const added = await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'hello' } });
    expect(added.isError).toBeFalsy();
    expect(JSON.parse(textOf(added))).toMatchObject({ id: 'N100', author_id: 'A1', body: 'hello' });
    const listed = await client.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } });
    expect(JSON.parse(textOf(listed)).map((n: { id: string }) => n.id)).toEqual(['N1', 'N100']);
  });

  it('reports a domain failure as an isError result carrying the step message, leaving state alone', async () => {
    const before = session.stateHash();
    const missing = await client.callTool({ name: 'find_author', arguments: { email: 'nobody@example.org' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toBe('Error: no author with email nobody@example.org');

    const inactive = await client.callTool({ name: 'add_note', arguments: { author_id: 'A2', body: 'hi' } });
    expect(inactive.isError).toBe(true);
    expect(textOf(inactive)).toBe('Error: author A2 is inactive');
    expect(session.stateHash()).toBe(before);
  });

  it('reports invalid arguments as an isError result naming the field, leaving state alone', async () => {
    await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'first write forks the state' } });
    const before = session.stateHash();
    const missing = await client.callTool({ name: 'add_note', arguments: { author_id: 'A1' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^Invalid arguments for add_note: .*"body"/);

    const empty = await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: '' } });
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toContain('"body"');

    const wrongType = await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'x', tags: 'not-a-list' } });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toContain('"tags"');

    const badEmail = await client.callTool({ name: 'find_author', arguments: { email: 'not an email' } });
    expect(badEmail.isError).toBe(true);
    expect(textOf(badEmail)).toContain('"email"');

    expect(session.stateHash()).toBe(before);
    const notes = await client.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } });
    expect(JSON.parse(textOf(notes))).toHaveLength(2);
  });

  it('rejects an unknown tool with a ProtocolError InvalidParams that lists the real tools, and reports the attempt', async () => {
    const err = await client.callTool({ name: 'drop_everything', arguments: { table: 'notes' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(ProtocolErrorCode.InvalidParams);
    // The message on the wire is plain, and the client does not prefix it.
    expect((err as ProtocolError).message).toMatch(/^Unknown tool: drop_everything\. /);
    expect((err as ProtocolError).message).toContain('find_author');
    expect(events).toEqual([{ tool: 'drop_everything', args: { table: 'notes' }, result: { ok: false, error: expect.stringContaining('find_author'), text: expect.stringMatching(/^Unknown tool: drop_everything\./) }, ms: 0, unknown: true }]);
    expect(session.forked).toBe(false);
  });

  it('reports every call to onToolCall, with a state hash for writes only', async () => {
    await client.callTool({ name: 'find_author', arguments: { email: 'ada@example.org' } });
    await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'hello' } });
    await client.callTool({ name: 'delete_note', arguments: { note_id: 'nope' } });
    await client.callTool({ name: 'delete_note', arguments: { note_id: 'N1' } });

    expect(events.map((e) => [e.tool, e.result.ok])).toEqual([
      ['find_author', true],
      ['add_note', true],
      ['delete_note', false],
      ['delete_note', true],
    ]);
    expect(events[0].stateHash).toBeUndefined();
    expect(events[0].args).toEqual({ email: 'ada@example.org' });
    for (const e of events) expect(e.ms).toBeGreaterThanOrEqual(0);
    const [, add, failedDelete, del] = events;
    expect(add.stateHash).toMatch(/^[0-9a-f]+$/);
    expect(failedDelete.stateHash).toBe(add.stateHash);
    expect(del.stateHash).not.toBe(add.stateHash);
    expect(del.stateHash).toBe(session.stateHash());
  });
});

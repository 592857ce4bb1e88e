import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Client } from '@modelcontextprotocol/client';
import { CLI, newClient, PROTOCOL_VERSION, REPO_ROOT, textOf } from '../helpers/mcp.js';

const CLI_ARGS = ['dist/src/cli.js', 'serve', 'fixtures/domains/tiny'];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
});

describe('serve over stdio (SDK client)', () => {
  it('lists tools, and a read sees an earlier write of the same session', async ({ onTestFinished }) => {
    const stderr: string[] = [];
    const transport = new StdioClientTransport({ command: process.execPath, args: CLI_ARGS, cwd: REPO_ROOT, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    const client: Client = newClient();
    onTestFinished(() => client.close());
    await client.connect(transport);

    expect(client.getServerVersion()?.name).toBe('envscale-tiny');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['find_author', 'list_notes', 'add_note', 'delete_note']);
    expect(tools.find((t) => t.name === 'delete_note')?.annotations?.destructiveHint).toBe(true);

    const added = await client.callTool({ name: 'add_note', arguments: { author_id: 'A1', body: 'over stdio', tags: ['x'] } });
    expect(added.isError).toBeFalsy();
    expect(JSON.parse(textOf(added))).toMatchObject({ id: 'N100', body: 'over stdio', tags: ['x'] });

    const listed = await client.callTool({ name: 'list_notes', arguments: { author_id: 'A1' } });
    expect(JSON.parse(textOf(listed))).toEqual([
      { id: 'N1', body: 'First note', tags: ['intro'] },
      { id: 'N100', body: 'over stdio', tags: ['x'] },
    ]);

    const failed = await client.callTool({ name: 'add_note', arguments: { author_id: 'A2', body: 'nope' } });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe('Error: author A2 is inactive');
    expect(stderr.join('')).not.toMatch(/internal error|at .*\.js:\d+/);
  });
});

/** Run the CLI with the given stdin lines; resolve with its stdout lines, stderr and exit code once `done(lines)` holds and stdin is closed. */
function runRaw(args: string[], send: unknown[], done: (lines: string[]) => boolean): Promise<{ lines: string[]; stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      child.stdin.end();
    };
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`timed out; stdout so far: ${stdout}; stderr: ${stderr}`));
    }, 60_000); // a CLI process starts in seconds, or tens of seconds on a loaded machine
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (done(stdout.split('\n').filter((l) => l !== ''))) finish();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ lines: stdout.split('\n').filter((l) => l !== ''), stdout, stderr, code });
    });
    for (const m of send) child.stdin.write(`${typeof m === 'string' ? m : JSON.stringify(m)}\n`);
    if (send.length === 0) finish();
  });
}

describe('serve over stdio (raw process)', () => {
  it('writes nothing but JSON-RPC messages to stdout, and exits 0 when stdin closes', async () => {
    const messages = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add_note', arguments: { author_id: 'A1', body: 'raw' } } },
      { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'add_note', arguments: { author_id: 'A1' } } },
      { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } },
      'this line is not JSON',
      { jsonrpc: '2.0', id: 6, method: 'prompts/get', params: { name: 'policy' } },
    ];
    const ids = [1, 2, 3, 4, 5, 6];
    const { lines, stdout, stderr, code } = await runRaw(CLI_ARGS, messages, (ls) => ids.every((id) => ls.some((l) => l.includes(`"id":${id}`))));

    expect(stdout.endsWith('\n')).toBe(true);
    const parsed = lines.map((line) => {
      let msg: Record<string, unknown>;
      expect(() => (msg = JSON.parse(line) as Record<string, unknown>), `stdout line is not JSON: ${line}`).not.toThrow();
      return msg!;
    });
    for (const msg of parsed) {
      expect(msg.jsonrpc).toBe('2.0');
      expect('result' in msg || 'error' in msg || 'method' in msg).toBe(true);
    }
    const byId = new Map(parsed.filter((m) => 'id' in m).map((m) => [m.id, m]));
    expect([...byId.keys()].sort()).toEqual(ids);
    expect(byId.get(1)).toMatchObject({ result: { protocolVersion: PROTOCOL_VERSION, serverInfo: { name: 'envscale-tiny' } } });
    expect(byId.get(3)).toMatchObject({ result: { content: [{ type: 'text' }] } });
    expect((byId.get(3) as { result: { isError?: boolean } }).result.isError).toBeUndefined();
    expect(byId.get(4)).toMatchObject({ result: { isError: true } });
    expect(byId.get(5)).toMatchObject({ error: { code: -32602 } });
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/internal error/);
  });

  it('exits non-zero with one envscale: line on stderr for an unknown domain', async () => {
    const { stdout, stderr, code } = await runRaw(['dist/src/cli.js', 'serve', 'no-such-domain'], [], () => false);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^envscale: No domain named no-such-domain in .*; run "envscale domains"/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});


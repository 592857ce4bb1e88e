import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, TINY_DIR } from '../helpers/mcp.js';
import { RawSession, resultText, send, startServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * Domain files that users edit and models write, with SQL that would never end. The server must
 * refuse what it can prove unbounded, and no statement may stop it from answering other sessions
 * for longer than --call-timeout.
 */

const root = mkdtempSync(join(tmpdir(), 'envscale-runaway-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The tiny domain under another name, with one more read tool whose output is `sql`. */
function domainWith(name: string, sql: string): string {
  const dir = join(root, name);
  cpSync(TINY_DIR, dir, { recursive: true });
  const spec = JSON.parse(readFileSync(join(dir, 'domain.json'), 'utf8'));
  spec.name = name;
  spec.tools.push({ name: 'count_up', kind: 'read', description: 'Count.', parameters: { type: 'object', properties: {} }, output: { value: sql } });
  writeFileSync(join(dir, 'domain.json'), JSON.stringify(spec, null, 2));
  return dir;
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });

/** The example: a recursion with no end. */
const FOREVER = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';
/** Bounded on paper (a LIMIT), 10^15 rows in practice: what no static rule can tell from a slow join. */
const PRACTICALLY_FOREVER = `WITH RECURSIVE a(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM a LIMIT 100000),
  b(y) AS (SELECT 1 UNION ALL SELECT y+1 FROM b LIMIT 100000), c(z) AS (SELECT 1 UNION ALL SELECT z+1 FROM c LIMIT 100000)
  SELECT count(*) FROM a, b, c`;

describe('SQL that provably never ends', () => {
  it('is refused when the domain loads: serve exits with the reason, verify gives it as the verdict', () => {
    const dir = domainWith('forever', FOREVER);
    for (const args of [['serve', dir, '--http', '--port', '0'], ['serve', dir]]) {
      const r = cli(...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^envscale: Domain forever: tool count_up, output: SQL has a recursive WITH \(c\) without a LIMIT, which could run forever; end its SELECT with LIMIT n/);
    }
    const verify = cli('verify', dir);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toMatch(/\| count_up +\| read +\| FAIL: refused at load \| Domain forever: tool count_up, output: SQL has a recursive WITH \(c\) without a LIMIT/);
    expect(verify.stdout).toMatch(/\| find_author +\| read +\| ok /);
  }, 300_000);
});

describe('SQL that runs far too long', () => {
  let server: ServeProcess;
  let slowDir: string;
  beforeAll(async () => {
    slowDir = domainWith('slow', PRACTICALLY_FOREVER);
    server = await startServe([slowDir, TINY_DIR, '--call-timeout', '2']);
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  it("is stopped after --call-timeout: the caller gets an error, the domain's sessions end, every other session is served throughout", async () => {
    const caller = await RawSession.open(`${server.url}/mcp/slow`);
    const neighbour = await RawSession.open(`${server.url}/mcp/slow`);
    const other = await RawSession.open(`${server.url}/mcp/tiny`);
    expect(resultText(await neighbour.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
    // Episodes of the step API on both domains, and one's MCP endpoint.
    const episodeOn = async (domain: string) => JSON.parse((await send(`${server.url}/v1/episodes`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain }) })).body);
    const [slowEpisode, tinyEpisode] = [await episodeOn('slow'), await episodeOn('tiny')];
    const onEpisode = await RawSession.open(slowEpisode.mcp_url);
    const step = (episode: { url: string }, tool: string, args: unknown) => send(`${episode.url}/step`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: { type: 'call_tool', tool_name: tool, arguments: args } }) });
    expect(JSON.parse((await step(slowEpisode, 'find_author', { email: 'ada@example.org' })).body).observation.content).toBe('A1');

    const started = Date.now();
    const stuck = caller.call('count_up', {});
    // While it runs: health, and the other domain's session, answer (each in well under the time-out).
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      expect((await send(`${server.url}/healthz`, { method: 'GET' })).status).toBe(200);
      expect(resultText(await other.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
      expect((await step(tinyEpisode, 'find_author', { email: 'ada@example.org' })).status).toBe(200);
      during.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 200));
    }
    const answer = await stuck;
    expect(answer.error.message).toMatch(/^The slow domain stopped answering for 2 s \(a tool call that runs too long\); its process was stopped and its episodes ended/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(Math.max(...during)).toBeLessThan(2000);

    // The slow domain's sessions and episodes ended with its process; new ones work.
    for (const s of [caller, neighbour, onEpisode]) expect((await s.post({ jsonrpc: '2.0', id: 99, method: 'tools/list' })).status).toBe(404);
    const gone = await step(slowEpisode, 'find_author', { email: 'ada@example.org' });
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body).error.message).toMatch(/ended with its domain's process/);
    const fresh = await RawSession.open(`${server.url}/mcp/slow`);
    expect(resultText(await fresh.call('find_author', { email: 'ada@example.org' }))).toBe('A1');
    expect(JSON.parse((await step(await episodeOn('slow'), 'find_author', { email: 'ada@example.org' })).body).observation.content).toBe('A1');
    // The other domain's session and episode go on.
    expect(resultText(await other.call('list_notes', { author_id: 'A1' }))).toMatch(/First note/);
    expect((await step(tinyEpisode, 'list_notes', { author_id: 'A1' })).status).toBe(200);
    expect(server.stderr()).toMatch(/envscale: slow: a call ran longer than 2 s; the domain's process was killed and its 3 episode\(s\) ended/);
  }, 120_000);

  it('does not keep the server from stopping on SIGTERM while such a call runs', async () => {
    const caller = await RawSession.open(`${server.url}/mcp/slow`);
    void caller.call('count_up', {}).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    await server.exited;
    expect(server.child.signalCode).toBeNull();
    expect(server.child.exitCode).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);

  it('fails verify as timed out, with the reason, and the other tools are still verified', () => {
    const r = cli('verify', slowDir, '--call-timeout', '2');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\| count_up +\| read +\| FAIL: timed out +\| a call of count_up did not finish within 2 s; its SQL may never end/);
    for (const tool of ['find_author', 'list_notes', 'add_note', 'delete_note']) expect(r.stdout).toMatch(new RegExp(`\\| ${tool} +\\| (read|write) +\\| ok `));
  }, 180_000);
});

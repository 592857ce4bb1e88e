import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTasks } from '../../src/env/load.js';
import { CLI, REPO_ROOT } from '../helpers/mcp.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-terminal-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tasks = readTasks(join(REPO_ROOT, 'domains', 'projects'));
const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** The built CLI on a pseudo-terminal (util-linux `script`), as a person typing the command sees it; stdin at end of file. */
function inTerminal(...args: string[]): string {
  const r = spawnSync('script', ['-qec', [process.execPath, CLI, ...args].map(quote).join(' '), '/dev/null'], { cwd: work, encoding: 'utf8', input: '', timeout: 60_000 });
  expect(r.error, 'util-linux script runs').toBeUndefined();
  return r.stdout.replace(/\r/g, '');
}

/** The built CLI with pipes, as an MCP client or a script starts it. */
function piped(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', input: '', timeout: 60_000 });
}

describe('on a terminal', () => {
  it('a stdio server started by hand says one line on stderr; started by a client, nothing', () => {
    const shown = inTerminal('serve', 'projects');
    expect(shown.trim().split('\n')).toEqual([expect.stringMatching(/^envscale: serving projects over MCP on stdin\/stdout; an MCP client starts this command .* Ctrl-C stops it\.$/)]);
    const client = piped('serve', 'projects');
    expect([client.status, client.stderr, client.stdout]).toEqual([0, '', '']);
  }, 120_000);

  it('replay shows its progress, and writes final states only when asked', () => {
    const out = join(work, 'replays');
    const shown = inTerminal('replay', 'projects', '--out', out);
    expect(shown).toContain(`replaying ${tasks.length} tasks of projects through MCP into ${out}`);
    expect(shown).toMatch(new RegExp(`replay +\\[.*\\] ${tasks.length}/${tasks.length}`));
    expect(shown).toMatch(new RegExp(`replayed ${tasks.length} tasks of projects through MCP: ${tasks.length} reach their gold state hash; .*add --states`));
    const files = readdirSync(out);
    expect(files).toHaveLength(tasks.length);
    const light = JSON.parse(readFileSync(join(out, files[0]), 'utf8'));
    expect(light).toMatchObject({ matches_gold: true, actions: expect.any(Array) });
    expect(light).not.toHaveProperty('final_state');

    const full = join(work, 'with-states');
    const r = piped('replay', 'projects', '--task', tasks[0].id, '--out', full, '--states');
    expect(r.status, r.stderr).toBe(0);
    // Without a terminal: the opening line and the summary, no bar.
    expect(r.stderr).toBe(`replaying 1 tasks of projects through MCP into ${full}, with final states\n`);
    const [file] = readdirSync(full);
    expect(JSON.parse(readFileSync(join(full, file), 'utf8')).final_state).toHaveProperty('tasks');
    expect(statSync(join(full, file)).size).toBeGreaterThan(10 * statSync(join(out, file)).size);
  }, 120_000);
});

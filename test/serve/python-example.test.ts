import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDomain } from '../../src/env/load.js';
import { startHttpHost } from '../../src/serve/host.js';
import { REPO_ROOT } from '../helpers/mcp.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const EXAMPLE = resolve(REPO_ROOT, 'examples', 'episodes_api.py');

/** Run a program to its end: exit code and output. */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

describe.runIf(hasPython)('the Python example (standard library only)', () => {
  it('plays a task through the step API to reward 1, with a token', async () => {
    const host = await startHttpHost({ domains: [loadDomain(resolve(REPO_ROOT, 'domains', 'projects'))], port: 0, token: 'py-token' });
    try {
      const out = await run('python3', [EXAMPLE, '--url', host.url, '--token', 'py-token']);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^episode [A-Za-z0-9_-]{22} with \d+ tools$/m);
      expect(out.stdout).toMatch(/^tool get_member_workload -> 3 open tasks$/m);
      expect(out.stdout).toMatch(/^steps 3 stop user_stop reward 1$/m);
      // It deleted its episode at the end.
      expect(host.episodes.table.size).toBe(0);

      const refused = await run('python3', [EXAMPLE, '--url', host.url, '--token', 'wrong']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^HTTP 401: Missing or wrong bearer token/);
    } finally {
      await host.close();
    }
  });
});

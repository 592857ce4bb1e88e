import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/mcp.js';

const TEST = join(REPO_ROOT, 'test');
const work = mkdtempSync(join(tmpdir(), 'envscale-split-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('npm test runs on the project\'s own fixtures', () => {
  it('no suite outside test/shared reads ../shared', () => {
    // This file names the folder to test the check; every other file outside test/shared must not.
    const outside = files(TEST).filter((f) => !relative(TEST, f).startsWith('shared/') && f !== fileURLToPath(import.meta.url));
    expect(outside.length).toBeGreaterThan(20);
    const readers = outside.filter((f) => /\.\.\/shared\b|'\.\.', 'shared'/.test(readFileSync(f, 'utf8'))).map((f) => relative(TEST, f));
    expect(readers).toEqual([]);
  });

  it('npm run test:shared says in one sentence what it needs when ../shared is missing, and fails', () => {
    // The check as built, in a checkout with no folder beside it.
    const checkout = join(work, 'envscale');
    mkdirSync(join(checkout, 'dist', 'scripts'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'dist', 'scripts', 'check-shared.js'), join(checkout, 'dist', 'scripts', 'check-shared.js'));
    const run = () => spawnSync(process.execPath, [join(checkout, 'dist', 'scripts', 'check-shared.js')], { encoding: 'utf8' });
    const missing = run();
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(`${join(work, 'shared')} (corpora/ and data/tau2-retail/)`);
    expect(missing.stderr).toMatch(/is missing|are missing/);
    mkdirSync(join(work, 'shared', 'corpora'), { recursive: true });
    expect(run().stderr).toMatch(/tau2-retail is missing/);
    mkdirSync(join(work, 'shared', 'data', 'tau2-retail'), { recursive: true });
    const present = run();
    expect([present.status, present.stderr]).toEqual([0, '']);
  });
});

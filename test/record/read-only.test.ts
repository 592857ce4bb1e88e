import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrajectoryStore } from '../../src/record/store.js';
import { UserError } from '../../src/util/errors.js';
import { CLI, REPO_ROOT } from '../helpers/mcp.js';

const dir = mkdtempSync(join(tmpdir(), 'envscale-readonly-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('commands that only read a store', () => {
  it('refuse a 0-byte file with one sentence, and leave it and everything else as it was', () => {
    const zero = join(dir, 'zero.db');
    writeFileSync(zero, '');
    for (const args of [['runs', '--store', zero], ['show', '1', '--store', zero], ['export', '--store', zero, '-o', join(dir, 'out.jsonl')]]) {
      const r = cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.stderr.trim().split('\n')).toEqual([`envscale: Cannot read the trajectory store ${zero} (it holds no runs, episodes and events tables); pass a store written by envscale with --store.`]);
    }
    expect(statSync(zero).size).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['zero.db']);
  }, 120_000);

  it('refuse a file that is not SQLite, and one that is some other database', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, just some text that is long enough to have a header\n'.repeat(20));
    expect(() => TrajectoryStore.open(text, { readonly: true })).toThrow(UserError);
    expect(() => TrajectoryStore.open(text, { readonly: true })).toThrow(/^Cannot read the trajectory store .*notes\.txt \(file is not a database\)/);
    const other = join(dir, 'other.db');
    TrajectoryStore.open(other).db.exec('DROP TABLE events');
    expect(() => TrajectoryStore.open(other, { readonly: true })).toThrow(/other\.db \(it holds no runs, episodes and events tables\)/);
  });

  it('read a real store without changing it', () => {
    const path = join(dir, 'real.db');
    const store = TrajectoryStore.open(path);
    store.openRun({ key: null, kind: 'serve', domain: 'tiny', settings: {} });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    const before = statSync(path);
    const r = cli('runs', '--store', path);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\|\s+1 \| serve \| tiny /);
    const after = statSync(path);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(() => TrajectoryStore.open(path, { readonly: true }).db.exec('DELETE FROM runs')).toThrow(/readonly/);
  }, 60_000);

  it('still create a store where one is written (rollout, serve --store)', () => {
    const path = join(dir, 'new.db');
    TrajectoryStore.open(path).close();
    expect(existsSync(path)).toBe(true);
    expect(TrajectoryStore.open(path, { readonly: true }).runs()).toEqual([]);
  });
});

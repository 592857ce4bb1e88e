import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { loadDomain, readTasks } from '../../src/env/load.js';
import { makeUser } from '../../src/episode/users.js';
import { TrajectoryStore } from '../../src/record/store.js';
import { makeAgent } from '../../src/rollout/agents.js';
import { runRollout } from '../../src/rollout/run.js';
import { CLI, REPO_ROOT } from '../helpers/mcp.js';

const work = mkdtempSync(join(tmpdir(), 'envscale-cli-'));
/** A file where a folder is expected: outputs under it cannot be written. */
const FILE = join(work, 'a-file');
const store = join(work, 'runs.db');

beforeAll(async () => {
  writeFileSync(FILE, 'not a folder');
  const domain = loadDomain(join(REPO_ROOT, 'domains', 'projects'));
  const s = TrajectoryStore.open(store);
  await runRollout({ domain, tasks: readTasks(domain.dir!).slice(0, 1), agent: makeAgent('oracle'), user: makeUser('scripted'), trials: 1, concurrency: 1, store: s });
  s.close();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The built CLI, run in a temporary folder (so nothing lands in the checkout). */
function envscale(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, ENVSCALE_DEBUG: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One sentence on stderr naming `what`, exit 1, nothing that calls it a bug. */
function expectOneSentence(r: ReturnType<typeof envscale>, what: RegExp) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^envscale: /);
  expect(r.stderr).not.toMatch(/internal error|bug/);
  expect(r.stderr).toMatch(what);
}

describe('the envscale command', () => {
  it('bare, it prints its help and succeeds; --version prints the package version', () => {
    const bare = envscale();
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: envscale \[options\] \[command\]/);
    expect(bare.stdout).toContain('rollout');
    const version = envscale('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const bogus = envscale('bogus');
    expect([bogus.code, bogus.stderr]).toEqual([1, "envscale: unknown command 'bogus'\n(run with --help for usage)\n"]);
  });

  it("every command's --help ends with an example", () => {
    const seen: string[] = [];
    const visit = (command: Command, path: string[]) => {
      for (const sub of command.commands) {
        const name = [...path, sub.name()];
        let text = '';
        sub.configureOutput({ writeOut: (s) => void (text += s) });
        sub.outputHelp();
        expect(text.trimEnd(), name.join(' ')).toMatch(new RegExp(`\\nExamples?:\\n(  \\$ envscale ${name.join(' ')}\\b.*\\n?)+$`));
        seen.push(name.join(' '));
        visit(sub, name);
      }
    };
    visit(buildProgram(), []);
    expect(seen).toEqual(expect.arrayContaining(['serve', 'export', 'tasks list', 'import tau2']));
  });
});

describe('an output path under a file is a clear error in every command that writes', () => {
  it.each([
    ['export', ['export', '--store', store, '-o', join(FILE, 'data.jsonl')]],
    ['ingest', ['ingest', join(REPO_ROOT, 'fixtures', 'demo', 'corpus'), '-o', join(FILE, 'corpus.json')]],
    ['schema', ['schema', '-o', join(FILE, 'schema')]],
    ['replay', ['replay', 'projects', '--task', 'projects-001-dana-workload', '--out', join(FILE, 'replays')]],
    ['demo', ['demo', '--out', join(FILE, 'demo')]],
    ['tasks', ['tasks', 'projects', '-n', '2', '-o', join(FILE, 'tasks.json')]],
    ['export-state', ['export-state', 'projects', '-o', join(FILE, 'db.json')]],
  ])('%s', (verb, args) => {
    const r = envscale(...args);
    expectOneSentence(r, new RegExp(`${FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.* is a file|a file, not a folder`));
    // Refused before any work: nothing else is printed.
    if (verb === 'export') expect(r.stdout).toBe('');
  });
});

describe('missing inputs are named', () => {
  it('a task file that does not exist, in every command that takes --tasks', () => {
    for (const args of [
      ['check-tasks', 'projects', '--tasks', '/missing/tasks.json'],
      ['serve', 'projects', '--tasks', '/missing/tasks.json', '--task', 'X'],
      ['rollout', 'projects', '--tasks', '/missing/tasks.json', '--store', join(work, 'r.db')],
      ['tasks', 'list', 'projects', '--tasks', '/missing/tasks.json'],
    ]) {
      expectOneSentence(envscale(...args), /The task file \/missing\/tasks\.json does not exist/);
    }
  }, 120_000);

  it('import tau2 of a folder that does not exist names the folder', () => {
    expectOneSentence(envscale('import', 'tau2', '/missing/retail'), /^envscale: \/missing\/retail does not exist; point at the data\/tau2\/domains\/retail folder/);
  });

  it('tasks list shows the ids that --task and ?task= take, and an unknown task points there', () => {
    const list = envscale('tasks', 'list', 'projects');
    expect(list.code).toBe(0);
    for (const t of readTasks(join(REPO_ROOT, 'domains', 'projects'))) expect(list.stdout).toContain(t.id);
    expectOneSentence(envscale('serve', 'projects', '--task', 'nope'), /No task nope in the projects tasks; run "envscale tasks list projects" to list them\./);
  }, 60_000);

  it('partition of a file that is not a corpus does not suggest overwriting it', () => {
    const plan = join(work, 'plan.json');
    writeFileSync(plan, JSON.stringify({ format: 'envscale-plan', version: 1 }));
    const r = envscale('partition', plan);
    expectOneSentence(r, /is not an envscale corpus/);
    expect(r.stderr).not.toContain(`-o ${plan}`);
    expect(r.stderr).toContain('-o corpus.json');
  });
});

describe('empty results say why', () => {
  it('ingest of files without tools is an error naming each file and what it is, and writes nothing', () => {
    writeFileSync(join(work, 'no-paths.json'), JSON.stringify({ openapi: '3.0.0', info: { title: 'x', version: '1' }, paths: {} }));
    writeFileSync(join(work, 'notes.yaml'), 'hello: 1\n');
    const out = join(work, 'empty-corpus.json');
    expectOneSentence(
      envscale('ingest', 'no-paths.json', 'notes.yaml', '-o', out),
      /^envscale: No tools in no-paths\.json, notes\.yaml \(notes\.yaml is not a tool collection: an object with keys hello, .*; no-paths\.json \(openapi-3\.0\) has no tool definitions\), so nothing was written to .*empty-corpus\.json; ingest reads OpenAI tool definitions .* and BFCL files\.\n$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('tasks: a domain where no walk succeeds is an error naming the way to find the failing tools, and writes nothing', () => {
    const dir = join(work, 'stuck');
    const spec = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'domains', 'tiny', 'domain.json'), 'utf8'));
    // Every tool refuses every call.
    spec.name = 'stuck';
    spec.tools = spec.tools.map((t: { steps: unknown[] }) => ({ ...t, steps: [{ check: 'SELECT 0', error: 'Error: closed' }, ...(t.steps ?? [])] }));
    mkdirSync(dir);
    writeFileSync(join(dir, 'domain.json'), JSON.stringify(spec));
    for (const f of ['seed.json', 'policy.md']) writeFileSync(join(dir, f), readFileSync(join(REPO_ROOT, 'fixtures', 'domains', 'tiny', f)));
    const out = join(work, 'stuck-tasks.json');
    expectOneSentence(envscale('tasks', dir, '-n', '3', '-o', out), /^envscale: No task could be sampled from stuck: all \d+ walks ended on a failing call or left the state unchanged; "envscale verify .*stuck" shows which tools fail\.\n$/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Domain } from '../../../src/env/domain.js';
import { loadDomain, readTasks } from '../../../src/env/load.js';
import { hashSums } from '../../../src/env/state-hash.js';
import { importTau2 } from '../../../src/importers/tau2/import.js';
import { exportCommand } from '../../../src/record/commands.js';
import { readEpisode, type StoredEpisode } from '../../../src/record/conversation.js';
import { TrajectoryStore } from '../../../src/record/store.js';
import { rolloutCommand } from '../../../src/rollout/commands.js';
import type { Task } from '../../../src/spec/task.js';
import type { ToolResultEvent } from '../../../src/spec/trajectory.js';
import { forkDb, referenceCall, type RetailDb } from '../importers/tau2-reference.js';
import { TAU2_RETAIL } from '../paths.js';

const DATA = TAU2_RETAIL;

let work: string;
let domain: Domain;
let tasks: Task[];
let episodes: StoredEpisode[];
let printed: string;

/** `envscale rollout tau2-retail --agent oracle --user scripted --trials 1`, in process, on a fresh import. */
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envscale-tau2-oracle-'));
  const dir = join(work, 'tau2-retail');
  importTau2(DATA, dir);
  domain = loadDomain(dir);
  tasks = readTasks(dir);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const store = join(work, 'runs.db');
    await rolloutCommand(dir, { agent: 'oracle', user: 'scripted', trials: 1, concurrency: 4, store, seed: 0, maxTurns: 40, maxErrors: 10, timeout: 120, retries: 4, agentTemperature: 0, userTemperature: 0 });
    exportCommand({ store, format: 'openai', funnel: 'validity,state,exact', out: join(work, 'data.jsonl') });
    printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
  } finally {
    log.mockRestore();
    progress.mockRestore();
  }
  const store = TrajectoryStore.open(join(work, 'runs.db'), { readonly: true });
  episodes = store.episodes().map((e) => readEpisode(store, e));
  store.close();
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const results = (ep: StoredEpisode) => ep.events.filter((e): e is ToolResultEvent => e.kind === 'tool_result');
const taskOf = (ep: StoredEpisode) => tasks.find((t) => t.id === ep.episode.task_id)!;

describe('rollout --agent oracle --user scripted on tau2-retail', () => {
  it('runs all 114 tasks to reward 1, scored on the state as tau2 scores retail', () => {
    expect(episodes).toHaveLength(114);
    for (const ep of episodes) {
      const task = taskOf(ep);
      const where = `task ${task.id}`;
      expect(ep.episode, where).toMatchObject({ status: 'done', reward: 1, final_hash: task.gold.state_hash });
      // communicate_info does not count (tau2's reward basis is the DB), yet the oracle says it.
      expect(ep.episode.verdict?.counted, where).toEqual({ state: true, communicate: false, actions: false });
    }
    expect(printed).toMatch(/114 episodes run now, 0 finished earlier, 0 failed, 0 not started/);
  });

  it('makes every gold call through MCP, and the deliberately wrong ones fail with tau2\'s message', () => {
    const base = JSON.parse(readFileSync(join(DATA, 'db.json'), 'utf8')) as RetailDb;
    let failures = 0;
    for (const ep of episodes) {
      const task = taskOf(ep);
      const ref = forkDb(base);
      const got = results(ep);
      expect(got.map((r) => ({ tool: r.tool, args: r.args })), `task ${task.id}`).toEqual(task.gold.actions);
      got.forEach((r, i) => {
        const want = referenceCall(ref, r.tool, r.args!);
        expect(r.ok, `task ${task.id} call ${i}: ${r.content}`).toBe(want.ok);
        if (!want.ok) {
          failures++;
          expect(r, `task ${task.id} call ${i}`).toMatchObject({ error: 'domain', content: want.text });
        }
      });
    }
    expect(failures).toBe(18);
  });

  it('ends each dialogue as tau2 would: with the oracle\'s report and the user\'s stop, or with a transfer', () => {
    const transfers = episodes.filter((ep) => taskOf(ep).gold.actions.at(-1)?.tool === 'transfer_to_human_agents');
    expect(transfers.map((ep) => ep.episode.task_id)).toEqual(['10', '12', '26', '50']);
    for (const ep of episodes) {
      const task = taskOf(ep);
      if (transfers.includes(ep)) {
        expect(ep.episode.stop_reason).toBe('transfer');
        continue;
      }
      const said = ep.events.filter((e) => e.kind === 'message' && e.role === 'assistant').at(-1);
      const text = said?.kind === 'message' ? said.content.toLowerCase() : '';
      for (const c of task.communicate) expect(text, `task ${task.id}`).toContain(c.toLowerCase());
      expect(ep.episode.stop_reason, `task ${task.id}`).toBe('user_stop');
      expect(ep.episode.verdict?.held.communicate, `task ${task.id}`).toBe(true);
    }
  });

  it('gives the two tasks without gold actions no calls: their gold is the unchanged state', () => {
    const empty = episodes.filter((ep) => taskOf(ep).gold.actions.length === 0);
    expect(empty.map((ep) => ep.episode.task_id)).toEqual(['24', '57']);
    for (const ep of empty) {
      expect(results(ep)).toEqual([]);
      expect(ep.episode.final_hash).toBe(hashSums(domain.image.sums));
    }
  });

  it('keeps every episode through validity, state and exact match, and exports one line each', () => {
    expect(printed).toMatch(/\| all episodes +\| +114 \|\n\| validity +\| +114 \|\n\| state +\| +114 \|\n\| exact +\| +114 \|\n\| valid openai rows +\| +114 \|/);
    const lines = readFileSync(join(work, 'data.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(114);
    // A transfer episode ends with the agent's transfer call, its answer to the user.
    const transfer = JSON.parse(lines[episodes.findIndex((ep) => ep.episode.task_id === '10')]);
    expect(transfer.messages.at(-1).tool_calls[0].function.name).toBe('transfer_to_human_agents');
  });
});

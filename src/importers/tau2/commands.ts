import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import type { Domain } from '../../env/domain.js';
import { loadDomain, parseOrExplain, readTasks } from '../../env/load.js';
import { openTaskSession, runActions } from '../../env/replay.js';
import { Action, type Task } from '../../spec/task.js';
import { UserError } from '../../util/errors.js';
import { makeDir, readJsonFile, writeFileAtomic } from '../../util/files.js';
import { terminalProgress } from '../../util/progress.js';
import { stateInOriginalLayout } from './export.js';
import { importTau2 } from './import.js';
import { IMPORT_HINT, TAU2_DOMAIN } from './names.js';
import { pyDumps, type PyJson } from './pyjson.js';
import { replayOverMcp } from './replay.js';

/** Load a domain; for the tau2 domain, say how to import it when it is not there yet. */
export function loadDomainOrHint(ref: string): Domain {
  try {
    return loadDomain(ref);
  } catch (err) {
    if (err instanceof UserError && ref === TAU2_DOMAIN) throw new UserError(`The domain ${TAU2_DOMAIN} has not been imported; ${IMPORT_HINT}.`);
    throw err;
  }
}

function findTask(domain: Domain, id: string): Task {
  const tasks = domain.dir ? readTasks(domain.dir) : [];
  const task = tasks.find((t) => t.id === id);
  if (!task) throw new UserError(`Domain ${domain.name} has no task ${JSON.stringify(id)}; its tasks are ${tasks.map((t) => t.id).join(', ') || 'none'}.`);
  return task;
}

export function importCommand(folder: string, opts: { out?: string; tools?: string }): void {
  const r = importTau2(folder, opts.out, opts.tools);
  console.log(`imported ${TAU2_DOMAIN}: ${r.tools} tools, ${r.rows} rows, ${r.tasks} tasks -> ${relative(process.cwd(), r.dir) || '.'}`);
}

/** Write a state in the domain's original layout: the seed, a task's gold final state, or the state after given actions. */
export function exportStateCommand(ref: string, opts: { actions?: string; task?: string; out: string }): void {
  if (opts.actions && opts.task) throw new UserError('Give --actions or --task, not both.');
  const domain = loadDomainOrHint(ref);
  const task = opts.task ? findTask(domain, opts.task) : undefined;
  const actions = opts.actions ? parseOrExplain(z.array(Action), readJsonFile(opts.actions), opts.actions) : (task?.gold.actions ?? []);
  const session = task ? openTaskSession(domain, task) : domain.openSession();
  try {
    const failed = runActions(session, actions).results.filter((r) => !r.result.ok);
    for (const f of failed) console.error(`${f.action.tool}: ${f.result.text}`);
    writeFileAtomic(opts.out, pyDumps(stateInOriginalLayout(domain, session.reader), 4));
    console.log(`wrote ${opts.out} (state hash ${session.stateHash()}, ${actions.length} actions, ${failed.length} failed)`);
  } finally {
    session.close();
  }
}

/**
 * Replay gold actions through MCP, one fresh session per task; write <out>/<task id>.json for
 * each with every output and the final state hash (the full final state only with `states`: it
 * is the whole database, megabytes per task). A bar on a terminal shows the progress.
 */
export async function replayCommand(ref: string, opts: { task?: string; out: string; states?: boolean }): Promise<void> {
  const domain = loadDomainOrHint(ref);
  const tasks = opts.task ? [findTask(domain, opts.task)] : domain.dir ? readTasks(domain.dir) : [];
  if (tasks.length === 0) throw new UserError(`Domain ${domain.name} has no tasks to replay.`);
  makeDir(opts.out);
  process.stderr.write(`replaying ${tasks.length} tasks of ${domain.name} through MCP into ${opts.out}${opts.states ? ', with final states' : ''}\n`);
  const progress = terminalProgress();
  let matched = 0;
  try {
    for (const [i, task] of tasks.entries()) {
      const { session, actions } = await replayOverMcp(domain, task);
      try {
        const stateHash = session.stateHash();
        const matches = task.gold.state_hash === undefined ? null : stateHash === task.gold.state_hash;
        if (matches) matched++;
        const record = {
          task: task.id,
          actions: actions as unknown as PyJson,
          state_hash: stateHash,
          gold_state_hash: task.gold.state_hash ?? null,
          matches_gold: matches,
          ...(opts.states ? { final_state: stateInOriginalLayout(domain, session.reader) } : {}),
        };
        writeFileSync(join(opts.out, `${safeName(task.id)}.json`), pyDumps(record, 2) + '\n');
      } finally {
        session.close();
      }
      progress.update('replay', i + 1, tasks.length);
    }
  } finally {
    progress.stop();
  }
  console.log(`replayed ${tasks.length} tasks of ${domain.name} through MCP: ${matched} reach their gold state hash; files in ${opts.out}${opts.states ? '' : ' (add --states for each final state)'}`);
}

/** Task ids become file names; keep them to safe characters. */
const safeName = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, '_');

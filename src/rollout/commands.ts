import type { Domain } from '../env/domain.js';
import { loadDomain, readTasks } from '../env/load.js';
import { passHatKTable } from '../record/pass-k.js';
import { TrajectoryStore } from '../record/store.js';
import type { Task } from '../spec/task.js';
import { UserError } from '../util/errors.js';
import { markdownTable } from '../util/table.js';
import type { Endpoint } from '../llm/chat-model.js';
import { runRollout, type RolloutReport, type TrialRow } from './run.js';
import { makeAgent } from './agents.js';
import { makeUser } from '../episode/users.js';

export interface RolloutCommandOptions {
  tasks?: string;
  task?: string[];
  agent: string;
  user: string;
  trials: number;
  concurrency: number;
  store: string;
  seed: number;
  maxTurns: number;
  maxErrors: number;
  timeout: number;
  retries: number;
  agentBaseUrl?: string;
  agentApiKey?: string;
  agentTemperature: number;
  userBaseUrl?: string;
  userApiKey?: string;
  userTemperature: number;
}

function selectTasks(domain: Domain, opts: RolloutCommandOptions): Task[] {
  const file = opts.tasks;
  const tasks = file ? readTasks(domain.dir!, file) : readTasks(domain.dir!);
  if (tasks.length === 0) throw new UserError(`No tasks in ${file ?? `${domain.dir}/tasks.json`}; write some or run "envscale tasks ${domain.name} -o <file>".`);
  if (!opts.task?.length) return tasks;
  const missing = opts.task.filter((id) => !tasks.some((t) => t.id === id));
  if (missing.length) throw new UserError(`No task ${missing[0]} in the ${domain.name} tasks; run "envscale tasks list ${domain.name}" to list them.`);
  return tasks.filter((t) => opts.task!.includes(t.id));
}

/** Rewards per task (one column per trial) and the mean. */
export function rewardTable(rows: TrialRow[]): string {
  const byTask = new Map<string, TrialRow[]>();
  for (const r of rows) (byTask.get(r.task) ?? byTask.set(r.task, []).get(r.task)!).push(r);
  return markdownTable(
    ['task', 'rewards by trial', 'mean'],
    [...byTask].map(([task, trials]) => {
      const scored = trials.filter((t) => t.reward !== null);
      const mean = scored.length ? scored.reduce((a, t) => a + t.reward!, 0) / scored.length : NaN;
      return [task, trials.map((t) => (t.reward === null ? 'x' : String(t.reward))).join(' '), Number.isNaN(mean) ? '-' : mean.toFixed(2)];
    }),
  );
}

/** The domain, tasks and model endpoints a rollout command names. */
export function rolloutInputs(ref: string, opts: RolloutCommandOptions) {
  const domain = loadDomain(ref);
  const tasks = selectTasks(domain, opts);
  const common = { timeoutMs: opts.timeout * 1000, maxRetries: opts.retries };
  const agentEndpoint: Partial<Endpoint> = { ...common, baseURL: opts.agentBaseUrl, apiKey: opts.agentApiKey, temperature: opts.agentTemperature };
  const userEndpoint: Partial<Endpoint> = { ...common, baseURL: opts.userBaseUrl, apiKey: opts.userApiKey, temperature: opts.userTemperature };
  return { domain, tasks, agentEndpoint, userEndpoint, limits: { maxTurns: opts.maxTurns, maxErrors: opts.maxErrors } };
}

/** One line per finished episode on stderr. */
export function episodeLines(): (r: TrialRow) => void {
  let finished = 0;
  return (r) => {
    finished++;
    // A dead endpoint fails every episode in flight the same way: the final sentence says it once.
    if (r.fatal) return;
    const what = r.reward === null ? `failed (${r.error})` : `reward ${r.reward} (${r.stopReason})`;
    process.stderr.write(`[${finished}] ${r.task} trial ${r.trial}: ${what}\n`);
  };
}

/** Rewards, pass^k and what was run; a fatal failure is thrown, failed episodes set the exit code. */
export function printRolloutReport(report: RolloutReport, domain: string, store: string, total: number): void {
  const resumed = report.rows.filter((r) => r.resumed).length;
  const failed = report.rows.filter((r) => r.reward === null).length;
  const left = `Rerun the same command to resume the ${total - report.rows.length + failed} episodes left.`;
  // Nothing was scored: the tables would only repeat the failure.
  if (report.fatal && report.rows.every((r) => r.reward === null)) throw new UserError(`${report.fatal} ${left}`);
  console.log(rewardTable(report.rows));
  console.log('');
  console.log(passHatKTable(report.rows.filter((r) => r.reward !== null).map((r) => ({ domain, task: r.task, success: r.reward === 1 }))));
  console.log(`\nrun ${report.runId} in ${store}: ${report.rows.length - resumed} episodes run now, ${resumed} finished earlier, ${failed} failed, ${total - report.rows.length} not started.`);
  if (report.fatal) throw new UserError(`${report.fatal} ${left}`);
  if (failed > 0) {
    console.log('Failed episodes are retried when you rerun the same command.');
    process.exitCode = 1;
  }
}

export async function rolloutCommand(ref: string, opts: RolloutCommandOptions): Promise<void> {
  const { domain, tasks, agentEndpoint, userEndpoint, limits } = rolloutInputs(ref, opts);
  const agent = makeAgent(opts.agent, agentEndpoint);
  const user = makeUser(opts.user, userEndpoint);
  const store = TrajectoryStore.open(opts.store);
  try {
    const report = await runRollout({ domain, tasks, agent, user, trials: opts.trials, concurrency: opts.concurrency, seed: opts.seed, limits, store, onEpisode: episodeLines() });
    printRolloutReport(report, domain.name, opts.store, tasks.length * opts.trials);
  } finally {
    store.close();
  }
}

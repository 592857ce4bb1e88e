import { z } from 'zod';
import { loadDomain, parseOrExplain, readTasks } from '../env/load.js';
import type { Domain } from '../env/domain.js';
import { evaluateActions } from '../record/reward.js';
import { Action, type Task } from '../spec/task.js';
import { UserError } from '../util/errors.js';
import { readJsonFile, writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { checkTasks } from './check.js';
import { sampleTasks } from './sample.js';
import { writeInstructionsWithModel } from './llm-instructions.js';
import { ChatModel, DEFAULT_ENDPOINT } from '../llm/chat-model.js';
import { ResponseCache } from '../llm/cache.js';

function tasksOf(domain: Domain, file?: string): Task[] {
  const tasks = file ? readTasks(domain.dir!, file) : readTasks(domain.dir!);
  if (tasks.length === 0) throw new UserError(`No tasks in ${file ?? `${domain.dir}/tasks.json`}; write some or run "envscale tasks ${domain.name} -o <file>".`);
  return tasks;
}

export interface SampleCommandOptions {
  count: number;
  seed: number;
  maxSteps: number;
  out?: string;
  llm?: boolean;
  model?: string;
  baseUrl?: string;
  cache: string;
}

export async function sampleCommand(ref: string, opts: SampleCommandOptions): Promise<void> {
  const domain = loadDomain(ref);
  const sampled = sampleTasks(domain, { n: opts.count, seed: opts.seed, maxSteps: opts.maxSteps });
  const { report } = sampled;
  let tasks = sampled.tasks;
  if (tasks.length === 0) {
    throw new UserError(`No task could be sampled from ${domain.name}: all ${report.walks} walks ended on a failing call or left the state unchanged; "envscale verify ${domain.dir ?? domain.name}" shows which tools fail.`);
  }
  if (opts.llm) {
    if (!opts.model) throw new UserError('--llm needs --model <name>, the model that writes the instructions.');
    const model = new ChatModel('task writer', opts.model, { ...DEFAULT_ENDPOINT, baseURL: opts.baseUrl }, '--base-url');
    tasks = await writeInstructionsWithModel(domain, tasks, model, new ResponseCache(opts.cache));
  }
  const json = `${JSON.stringify(tasks, null, 2)}\n`;
  if (!opts.out) {
    process.stdout.write(json);
    return;
  }
  writeFileAtomic(opts.out, json);
  const lengths = Object.entries(report.byLength).map(([len, n]) => `${len}: ${n}`).join(', ');
  console.log(
    markdownTable(
      ['tasks', 'read-only', 'write', 'by length (calls: tasks)', 'walks tried', 'duplicates'],
      [[report.produced, report.readOnly, report.writes, lengths, report.walks, report.duplicates]],
    ),
  );
  if (report.produced < report.requested) console.log(`\nOnly ${report.produced} of ${report.requested} tasks could be sampled; most walks ended on failing calls.`);
  console.log(`\nwrote ${opts.out}`);
}

export function checkCommand(ref: string, file?: string): void {
  const domain = loadDomain(ref);
  const results = checkTasks(domain, tasksOf(domain, file));
  const bad = results.filter((r) => r.problems.length > 0);
  for (const r of bad) {
    console.log(`${r.task}:`);
    for (const p of r.problems) console.log(`  - ${p}`);
  }
  console.log(`${results.length - bad.length} of ${results.length} tasks pass check-tasks.`);
  if (bad.length > 0) process.exitCode = 1;
}

const SessionFile = z.object({
  actions: z.array(Action),
  messages: z.array(z.object({ role: z.string(), content: z.string() })).default([]),
});

export function evaluateCommand(ref: string, opts: { task: string; session: string; tasks?: string; json?: boolean }): void {
  const domain = loadDomain(ref);
  const task = tasksOf(domain, opts.tasks).find((t) => t.id === opts.task);
  if (!task) throw new UserError(`No task ${opts.task} in the ${domain.name} tasks; run "envscale tasks list ${domain.name}" to list them.`);
  const session = parseOrExplain(SessionFile, readJsonFile(opts.session), opts.session);
  const verdict = evaluateActions(domain, task, session.actions, session.messages);
  if (opts.json) {
    console.log(JSON.stringify(verdict, null, 2));
    return;
  }
  console.log(`reward ${verdict.reward} (state ${verdict.held.state ? 'matches' : 'differs'}, communication ${verdict.held.communicate ? 'complete' : 'incomplete'}, actions ${verdict.held.actions ? 'match' : 'differ'}; counted: ${Object.entries(verdict.counted).filter(([, v]) => v).map(([k]) => k).join(', ')})`);
  if (verdict.reward !== 1) console.log(verdict.explanation);
}

/** `envscale tasks list`: a domain's task ids with what each asks, for --task and ?task=. */
export function listTasksCommand(ref: string, file?: string): void {
  const domain = loadDomain(ref);
  const tasks = tasksOf(domain, file);
  const kind = (t: Task) => (t.gold.actions.some((a) => domain.tools.get(a.tool)?.spec.kind === 'write') ? 'write' : 'read');
  const brief = (s: string) => (s.length > 70 ? `${s.slice(0, 69)}…` : s).replace(/\s+/g, ' ');
  console.log(markdownTable(['task', 'kind', 'gold actions', 'user instructions'], tasks.map((t) => [t.id, kind(t), t.gold.actions.length, brief(t.user.instructions)])));
  console.log(`\n${tasks.length} tasks in ${file ?? `${domain.dir}/tasks.json`}; serve one with "envscale serve ${domain.name} --task <id>".`);
}

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Domain } from '../../env/domain.js';
import { replayGold } from '../../env/replay.js';
import { DomainTool, type DomainSpec } from '../../spec/domain.js';
import { Task, type TaskInput } from '../../spec/task.js';
import { UserError, messageOf } from '../../util/errors.js';
import { makeDir } from '../../util/files.js';
import { RETAIL_BEHAVIOUR } from './behaviour.js';
import { readTau2Folder, type Tau2Source } from './source.js';
import { DEFAULT_OUT, TAU2_DOMAIN } from './names.js';
import { dbToSeed, RETAIL_TABLES } from './tables.js';
import { convertTask } from './tasks.js';


/** tau2 retail does not use time; the engine still wants a fixed clock. */
const CLOCK = '2024-01-01T00:00:00Z';

/** Tools as tau2 presents them (name, description, parameters) with envscale's behaviour. */
function buildTools(source: Tau2Source): DomainTool[] {
  const file = source.toolsFile;
  return source.tools.map((t) => {
    const behaviour = RETAIL_BEHAVIOUR[t.name];
    if (!behaviour) {
      throw new UserError(`${file}: tool ${t.name} is not one of tau2's retail tools that envscale implements (${Object.keys(RETAIL_BEHAVIOUR).join(', ')}); remove it or use the retail tools.json.`);
    }
    return DomainTool.parse({ name: t.name, description: t.description, parameters: t.parameters, ...behaviour, source: 'tau2-bench retail tools.json' });
  });
}

export function buildSpec(source: Tau2Source): DomainSpec {
  return {
    name: TAU2_DOMAIN,
    description: `tau2-bench's retail domain (customers, orders, products), imported by envscale from ${basename(resolve(source.dir))}.`,
    clock: CLOCK,
    tables: RETAIL_TABLES,
    tools: buildTools(source),
    sequences: {},
    policy: source.policy,
    seed: dbToSeed(source.db),
  };
}

/** Each task with its gold state hash: its gold actions replayed on a fresh state of the domain. */
export function buildTasks(source: Tau2Source, domain: Domain): Task[] {
  const file = join(source.dir, 'tasks.json');
  const names = new Set(domain.tools.keys());
  return source.tasks.map((t) => {
    const input: TaskInput = convertTask(t, names, source.splits.get(t.id) ?? [], file);
    const task = Task.parse(input);
    const { results, stateHash } = replayGold(domain, task);
    const broken = results.find((r) => !r.result.ok && r.result.internal);
    if (broken) throw new Error(`task ${task.id}: ${broken.action.tool} failed inside the engine: ${broken.result.text}`);
    return { ...task, gold: { ...task.gold, state_hash: stateHash } };
  });
}

export interface ImportResult {
  dir: string;
  tools: number;
  tasks: number;
  rows: number;
}

/** Write the folder next to its destination, then swap it in: readers never see half a domain. */
function writeFolderAtomically(out: string, files: Record<string, string>): void {
  makeDir(dirname(out));
  const tmp = `${out}.tmp-${process.pid}`;
  const old = `${out}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp, name), text);
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(out)) renameSync(old, out);
    throw new UserError(`Cannot write ${out}: ${messageOf(err)}.`);
  }
}

/** Import a tau2 retail data folder as the envscale domain tau2-retail, written to `out`. */
export function importTau2(dataDir: string, out: string = DEFAULT_OUT, toolsFile?: string): ImportResult {
  const source = readTau2Folder(dataDir, toolsFile);
  const spec = buildSpec(source);
  const domain = new Domain(spec);
  try {
    const tasks = buildTasks(source, domain);
    const { seed, policy, ...file } = spec;
    writeFolderAtomically(resolve(out), {
      'domain.json': JSON.stringify(file, null, 2) + '\n',
      'seed.json': JSON.stringify(seed) + '\n',
      'policy.md': policy,
      'tasks.json': JSON.stringify(tasks, null, 2) + '\n',
    });
    const rows = Object.values(seed).reduce((n, r) => n + r.length, 0);
    return { dir: resolve(out), tools: spec.tools.length, tasks: tasks.length, rows };
  } finally {
    domain.close();
  }
}

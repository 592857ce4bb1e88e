import type { DirectedGraph } from 'graphology';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { Task } from '../spec/task.js';
import { dependencyGraph } from './dependency-graph.js';
import { Grounder, producedValues, type Produced } from './ground.js';
import { knownFacts, writeInstruction, type WalkStep } from './instructions.js';
import { paramSources } from './param-sources.js';
import { Random } from './random.js';

export interface SampleOptions {
  /** How many tasks to produce. */
  n: number;
  seed: number;
  /** Longest walk, in tool calls. */
  maxSteps?: number;
  /** Tries at grounding one call before the walk is given up. */
  triesPerStep?: number;
}

export interface SampleReport {
  requested: number;
  produced: number;
  walks: number;
  duplicates: number;
  /** Walks given up, by the reason. */
  abandoned: Record<string, number>;
  byLength: Record<number, number>;
  readOnly: number;
  writes: number;
}

interface Walk {
  steps: WalkStep[];
  lastResult: unknown;
  hash: string;
}

const WRITE_WEIGHT = 3;

/** Pick the next tool of a walk: a successor in the dependency graph, writes favoured, most at the end. */
function nextTool(graph: DirectedGraph, rng: Random, prev: string | undefined, last: boolean): string | undefined {
  const candidates = prev === undefined ? graph.nodes() : graph.outNeighbors(prev);
  if (candidates.length === 0) return undefined;
  const weight = (t: string) => (graph.getNodeAttribute(t, 'kind') === 'write' ? (last ? WRITE_WEIGHT * 2 : WRITE_WEIGHT) : 1);
  return rng.weighted(candidates.sort(), weight);
}

/** The field of a read result the user should be told: a readable scalar that is not an id. */
function communicable(result: unknown, rng: Random): Array<{ key: string; value: string }> {
  const top = Array.isArray(result) ? result[0] : result;
  if (!top || typeof top !== 'object') return [];
  const fields = Object.entries(top as Record<string, unknown>).filter(
    ([k, v]) => !/(^|_)id$/.test(k) && ((typeof v === 'string' && v.length >= 3 && v.length <= 60) || (typeof v === 'number' && Math.abs(v) >= 10)),
  );
  if (fields.length === 0) return [];
  const [key, value] = rng.pick(fields.sort(([a], [b]) => a.localeCompare(b)));
  return [{ key, value: String(value) }];
}

/**
 * Sample tasks by seeded directed walks over the domain's tool dependency graph. Each call's
 * arguments are grounded in the live state of a fresh session and in earlier results; a walk is
 * kept when every call succeeds and, if it writes, the state changed.
 */
export function sampleTasks(domain: Domain, options: SampleOptions): { tasks: Task[]; report: SampleReport } {
  const maxSteps = options.maxSteps ?? 5;
  const tries = options.triesPerStep ?? 8;
  const rng = new Random(options.seed);
  const sources = paramSources(domain);
  const graph = dependencyGraph(domain, sources);
  const grounder = new Grounder(domain, sources, rng);
  const report: SampleReport = { requested: options.n, produced: 0, walks: 0, duplicates: 0, abandoned: {}, byLength: {}, readOnly: 0, writes: 0 };
  const seen = new Set<string>();
  const tasks: Task[] = [];
  const budget = options.n * 40 + 100;
  // One fork serves every walk: each walk runs inside a savepoint and is rolled back after.
  const session = domain.openSession();
  try {
    while (tasks.length < options.n && report.walks < budget) {
      report.walks++;
      const length = rng.int(1, maxSteps);
      const walk = session.rewindAfter(() => takeWalk(session, graph, grounder, rng, length, tries));
      if (typeof walk === 'string') {
        report.abandoned[walk] = (report.abandoned[walk] ?? 0) + 1;
        continue;
      }
      const key = `${JSON.stringify(walk.steps.map((s) => s.action))}|${walk.hash}`;
      if (seen.has(key)) {
        report.duplicates++;
        continue;
      }
      seen.add(key);
      const task = toTask(domain, walk, `${domain.name}-s${options.seed}-${String(tasks.length + 1).padStart(4, '0')}`, rng);
      tasks.push(task);
      report.byLength[task.gold.actions.length] = (report.byLength[task.gold.actions.length] ?? 0) + 1;
      if (task.tags.includes('write')) report.writes++;
      else report.readOnly++;
    }
  } finally {
    session.close();
  }
  report.produced = tasks.length;
  return { tasks, report };
}

function toTask(domain: Domain, walk: Walk, id: string, rng: Random): Task {
  const actions = walk.steps.map((s) => s.action);
  const writes = actions.some((a) => domain.tools.get(a.tool)!.spec.kind === 'write');
  const communicate = writes ? [] : communicable(walk.lastResult, rng);
  return {
    id,
    user: { instructions: writeInstruction(domain, walk.steps, communicate), known: knownFacts(walk.steps) },
    initial: [],
    gold: { actions, state_hash: walk.hash },
    communicate: communicate.map((c) => c.value),
    evaluation: {},
    tags: ['sampled', writes ? 'write' : 'read-only', `steps:${actions.length}`],
  };
}

function takeWalk(session: Session, graph: DirectedGraph, grounder: Grounder, rng: Random, length: number, tries: number): Walk | string {
  const steps: WalkStep[] = [];
  const produced: Produced[] = [];
  let lastResult: unknown;
  let prev: string | undefined;
  for (let i = 0; i < length; i++) {
    const tool = nextTool(graph, rng, prev, i === length - 1);
    if (!tool) break;
    const write = session.domain.tools.get(tool)!.spec.kind === 'write';
    let done = false;
    for (let t = 0; t < tries && !done; t++) {
      const { args, fromEarlier } = grounder.ground(session, tool, produced);
      const before = session.stateHash();
      const result = session.call(tool, args);
      if (!result.ok || (write && session.stateHash() === before)) continue;
      const labels: WalkStep['labels'] = {};
      for (const [k, v] of Object.entries(args)) {
        const label = fromEarlier.has(k) ? undefined : grounder.label(session, tool, k, v);
        if (label) labels[k] = label;
      }
      steps.push({ action: { tool, args }, fromEarlier, labels });
      produced.push(...producedValues(result.value, i));
      lastResult = result.value;
      done = true;
    }
    if (!done) return `no successful call of ${tool} in ${tries} tries`;
    prev = tool;
  }
  return steps.length > 0 ? { steps, lastResult, hash: session.stateHash() } : 'no tool to start from';
}

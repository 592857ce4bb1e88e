import type { DirectedGraph } from 'graphology';
import type { Domain } from '../env/domain.js';
import type { Task } from '../spec/task.js';
import { dependencyGraph } from './dependency-graph.js';
import { Grounder } from './ground.js';
import { InstructionWriter } from './instructions.js';
import { reusedValues } from './links.js';
import { paramSources } from './param-sources.js';
import { ALREADY_SAMPLED, Planner, type Plan } from './plan.js';
import { Random } from './random.js';
import { isTransferTool } from '../spec/chat.js';
import { goalWording } from './goal-lint.js';

export interface SampleOptions {
  /** How many tasks to produce. */
  n: number;
  seed: number;
  /** Longest task, in tool calls. */
  maxSteps?: number;
  /** Tries at grounding the goal's call before the walk is given up. */
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

/** Share of goals that are changes (the rest are questions). */
const WRITE_SHARE = 0.65;
/**
 * Walks a goal tool may fail with no task kept from it before it is given up: a tool that never
 * succeeds in this state (its rows are missing, nothing tells the user how to name them) would
 * otherwise take most of the walks of a domain and produce nothing.
 */
const HOPELESS = 6;
/** Walks in a row without a new task after which sampling stops: what is left keeps repeating or failing. */
const STALL = 400;

/** Walks that failed or repeated, and tasks kept, by goal tool. */
interface Tally {
  failed: number;
  kept: number;
}

/**
 * The goal of a walk: a write most of the time (a change to make), else a read (a question to
 * ask). Within each kind, a tool whose goals keep failing (an archive the state rarely allows) or
 * repeating is tried less and less, and one that has only failed is dropped (HOPELESS).
 */
function goalTool(graph: DirectedGraph, rng: Random, tally: Map<string, Tally>): string | undefined {
  // Handing over to a human is how a conversation ends, not a goal.
  const live = (t: string) => !isTransferTool(t) && !((tally.get(t)?.kept ?? 0) === 0 && (tally.get(t)?.failed ?? 0) >= HOPELESS);
  const tools = graph.nodes().filter(live).sort();
  const writes = tools.filter((t) => graph.getNodeAttribute(t, 'kind') === 'write');
  const reads = tools.filter((t) => graph.getNodeAttribute(t, 'kind') !== 'write');
  const pool = writes.length > 0 && (reads.length === 0 || rng.chance(WRITE_SHARE)) ? writes : reads;
  if (pool.length === 0) return undefined;
  return rng.weighted(pool, (t) => 1 / (1 + (tally.get(t)?.failed ?? 0) / 3));
}

/**
 * Sample tasks with one goal each: pick the goal's tool and ground its call in the live state,
 * then work back to how the user and the agent come to know every row it names: the user says
 * what a person has (an email, an order number, a title), read tools find the rest from there,
 * each building on what an earlier step found (find_member_by_email -> list_tasks(assignee) ->
 * update_task_status). The steps run on one forked session inside a savepoint and are rolled
 * back. A walk is kept when every call succeeds and, if it writes, the state changed; the
 * instruction is written from the plan in the user's voice.
 */
export function sampleTasks(domain: Domain, options: SampleOptions): { tasks: Task[]; report: SampleReport } {
  const maxSteps = options.maxSteps ?? 5;
  const tries = options.triesPerStep ?? 8;
  const rng = new Random(options.seed);
  const sources = paramSources(domain);
  const graph = dependencyGraph(domain, sources);
  const planner = new Planner(domain, sources, graph, new Grounder(domain, sources, rng), rng);
  const writer = new InstructionWriter(domain, rng);
  const report: SampleReport = { requested: options.n, produced: 0, walks: 0, duplicates: 0, abandoned: {}, byLength: {}, readOnly: 0, writes: 0 };
  const seen = new Set<string>();
  /** Goal calls of the tasks kept. */
  const goals = new Set<string>();
  const tally = new Map<string, Tally>();
  const tasks: Task[] = [];
  const budget = options.n * 40 + 100;
  let lastKept = 0;
  const session = domain.openSession();
  try {
    while (tasks.length < options.n && report.walks < budget && report.walks - lastKept < STALL) {
      const tool = goalTool(graph, rng, tally);
      if (!tool) break;
      report.walks++;
      const counts = tally.get(tool) ?? { failed: 0, kept: 0 };
      tally.set(tool, counts);
      // Every walk that ends without a task counts against its goal tool, whatever the reason.
      const abandon = (why: string) => {
        report.abandoned[why] = (report.abandoned[why] ?? 0) + 1;
        counts.failed++;
      };
      const plan = session.rewindAfter(() => planner.plan(session, tool, maxSteps, tries, (args) => !goals.has(goalKey(tool, args))));
      if (plan === ALREADY_SAMPLED) {
        report.duplicates++;
        counts.failed++;
        continue;
      }
      if (typeof plan === 'string') {
        abandon(plan);
        continue;
      }
      const write = domain.tools.get(tool)!.spec.kind === 'write';
      if (!write && !plan.question) {
        abandon('a read with nothing to ask about');
        continue;
      }
      const links = reusedValues(plan.steps.map((s) => s.action), plan.steps.map((s) => s.result));
      if (links.includes(false)) {
        abandon('steps that do not build on each other');
        continue;
      }
      const actions = plan.steps.map((s) => s.action);
      const key = `${JSON.stringify(actions)}|${plan.hash}`;
      if (seen.has(key)) {
        report.duplicates++;
        counts.failed++;
        continue;
      }
      seen.add(key);
      const task = toTask(plan, writer, write, `${domain.name}-s${options.seed}-${String(tasks.length + 1).padStart(4, '0')}`);
      // A goal no user would word so (a seeded title where a code belongs, a thing named after the
      // action) is not kept: the lint would reject it, and the values are the state's, not the writer's.
      const wording = goalWording(domain, task);
      if (wording.length > 0) {
        abandon(`worded as no user would (${wording[0].code})`);
        continue;
      }
      goals.add(goalKey(tool, plan.steps[plan.steps.length - 1].action.args));
      counts.kept++;
      lastKept = report.walks;
      tasks.push(task);
      report.byLength[actions.length] = (report.byLength[actions.length] ?? 0) + 1;
      if (write) report.writes++;
      else report.readOnly++;
    }
  } finally {
    session.close();
  }
  report.produced = tasks.length;
  return { tasks, report };
}

const goalKey = (tool: string, args: Record<string, unknown>) => `${tool}|${JSON.stringify(args)}`;

function toTask(plan: Plan, writer: InstructionWriter, write: boolean, id: string): Task {
  const written = writer.write(plan);
  const actions = plan.steps.map((s) => s.action);
  return {
    id,
    user: { instructions: written.instructions, known: written.known, persona: written.persona },
    initial: [],
    gold: { actions, state_hash: plan.hash },
    communicate: written.communicate,
    evaluation: {},
    tags: ['sampled', write ? 'write' : 'read-only', `steps:${actions.length}`, `goal:${plan.intent.kind}`],
  };
}

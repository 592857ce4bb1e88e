import { createHash } from 'node:crypto';
import type { Domain } from '../env/domain.js';
import { diffStates, formatDiff, type StateDiff } from '../env/diff.js';
import { openTaskSession, runActions } from '../env/replay.js';
import type { Session } from '../env/session.js';
import type { Action, Task } from '../spec/task.js';
import type { RewardParts, StoredVerdict } from '../spec/trajectory.js';

export interface Message {
  role: string;
  content: string;
}

/** What an episode left behind: its final state and what the agent did and said. */
export interface EpisodeOutcome {
  /** The session after the episode (open), or its final hash when the state itself is gone. */
  session?: Session;
  finalHash?: string;
  /** The agent's tool calls, in order. */
  actions: Action[];
  messages: Message[];
}

/** A verdict as stored, plus, when the state differs and is at hand, how it differs from gold. */
export interface Verdict extends StoredVerdict {
  diff?: StateDiff;
}

const isWrite = (domain: Domain, a: Action) => domain.tools.get(a.tool)?.spec.kind === 'write';

/** Defaults: state always; communication when the task asks for some; exact actions for read-only tasks. */
export function countedParts(domain: Domain, task: Task): RewardParts {
  return {
    state: task.evaluation.state ?? true,
    communicate: task.evaluation.communicate ?? task.communicate.length > 0,
    actions: task.evaluation.actions ?? !task.gold.actions.some((a) => isWrite(domain, a)),
  };
}

/** Case-insensitive, and a number written with thousands separators still counts. */
export function missingStrings(required: string[], messages: Message[]): string[] {
  const said = messages
    .filter((m) => m.role === 'assistant')
    .map((m) => m.content.toLowerCase())
    .join('\n');
  const plain = said.replace(/(\d),(\d)/g, '$1$2');
  return required.filter((s) => {
    const want = s.toLowerCase();
    return !said.includes(want) && !plain.includes(want.replace(/(\d),(\d)/g, '$1$2'));
  });
}

/** Tool names and arguments equal to gold, in order (argument key order does not matter). */
export function actionsMatch(actual: Action[], gold: Action[]): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canon(x)])) : v;
  return actual.length === gold.length && actual.every((a, i) => a.tool === gold[i].tool && JSON.stringify(canon(a.args)) === JSON.stringify(canon(gold[i].args)));
}

/** A task's gold state: its gold actions replayed on a fresh fork of its initial state. */
interface Gold {
  hash: string;
  session: Session;
}

/** Gold states kept per domain, most recently used last: many episodes of one task score against one replay. */
const golds = new WeakMap<Domain, Map<string, Gold>>();
const GOLDS_KEPT = 16;
const goldKeys = new WeakMap<Task, string>();

function goldOf(domain: Domain, task: Task): Gold {
  let key = goldKeys.get(task);
  if (!key) goldKeys.set(task, (key = createHash('sha256').update(JSON.stringify([task.id, task.initial, task.gold.actions])).digest('hex')));
  let kept = golds.get(domain);
  if (!kept) golds.set(domain, (kept = new Map()));
  let gold = kept.get(key);
  if (gold) kept.delete(key);
  else {
    const session = openTaskSession(domain, task);
    gold = { hash: runActions(session, task.gold.actions).stateHash, session };
    if (kept.size >= GOLDS_KEPT) {
      const [oldest, old] = kept.entries().next().value!;
      kept.delete(oldest);
      old.session.close();
    }
  }
  kept.set(key, gold);
  return gold;
}

/** Free the gold states kept for a domain (before the domain itself is closed). */
export function forgetGolds(domain: Domain): void {
  for (const gold of golds.get(domain)?.values() ?? []) gold.session.close();
  golds.delete(domain);
}

/**
 * Score an episode against its task. The gold state is recomputed by replaying the gold actions on
 * a fresh fork of the task's initial state (once per task, then kept); the stored gold hash is not
 * trusted.
 */
export function evaluateEpisode(domain: Domain, task: Task, outcome: EpisodeOutcome): Verdict {
  const { hash: goldHash, session: gold } = goldOf(domain, task);
  const finalHash = outcome.session?.stateHash() ?? outcome.finalHash;
  if (finalHash === undefined) throw new Error('evaluateEpisode needs the final session or its hash');
  const missing = missingStrings(task.communicate, outcome.messages);
  const held: RewardParts = { state: finalHash === goldHash, communicate: missing.length === 0, actions: actionsMatch(outcome.actions, task.gold.actions) };
  const counted = countedParts(domain, task);
  const reward = (['state', 'communicate', 'actions'] as const).every((p) => !counted[p] || held[p]) ? 1 : 0;
  const diff =
    !held.state && outcome.session
      ? diffStates(domain.spec.tables, { db: gold.reader, sums: gold.tableSums }, { db: outcome.session.reader, sums: outcome.session.tableSums })
      : undefined;
  const reasons: string[] = [];
  if (counted.state && !held.state) reasons.push(`the final state differs from the gold state${diff ? ` (gold -> final):\n${formatDiff(diff)}` : ''}`);
  if (counted.communicate && !held.communicate) reasons.push(`the agent never said: ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
  if (counted.actions && !held.actions) reasons.push('the tool calls differ from the gold calls');
  return { reward, counted, held, goldHash, finalHash, missing, diff, explanation: reward === 1 ? 'success' : reasons.join('\n') };
}

/** Replay an agent's calls on a fresh state of the task (the engine is deterministic) and score them. */
export function evaluateActions(domain: Domain, task: Task, actions: Action[], messages: Message[] = []): Verdict {
  const session = openTaskSession(domain, task);
  try {
    runActions(session, actions.filter((a) => domain.tools.has(a.tool)));
    return evaluateEpisode(domain, task, { session, actions, messages });
  } finally {
    session.close();
  }
}

import type { Domain } from '../env/domain.js';
import { openTaskSession } from '../env/replay.js';
import type { Session } from '../env/session.js';
import type { Task } from '../spec/task.js';
import { messageOf } from '../util/errors.js';
import { findableTexts, ReadMemo } from './findable.js';
import { isKeyColumn, paramSources } from './param-sources.js';
import { StepLinks } from './step-links.js';
import { toolIntent } from './intent.js';
import { isTransferTool } from '../spec/chat.js';
import { copiesDescription, namedIdentifiers, templateArtifact } from './wording.js';
import { goalWording } from './goal-lint.js';

/** What check-tasks can find wrong with a task, one code per kind of problem. */
export const FINDING_CODES = [
  'initial-state',
  'unknown-tool',
  'action-fails',
  'unknown-identifier',
  'no-gold-hash',
  'stale-gold-hash',
  'unlinked-step',
  'names-tool-or-parameter',
  'copies-tool-description',
  'template-artifact',
  'value-kind-mismatch',
  'credential-or-control-in-request',
  'odd-entity-phrase',
  'answer-not-in-outputs',
  'no-answer',
  'writes-change-nothing',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  message: string;
}

export interface TaskCheck {
  task: string;
  problems: Finding[];
}

/** A task that bundles unrelated requests on purpose says so with this tag; its steps need not build on each other. */
export const BUNDLE_TAG = 'bundle';

const said = (text: string) => text.toLowerCase().replace(/(\d),(\d)/g, '$1$2');

/**
 * Lint tasks against their domain, each finding with a code (FINDING_CODES): every gold action
 * replays without error on a fresh state, the stored gold hash reproduces, every identifier a gold
 * action needs is known to the user, said in the instructions, returned by an earlier call, or
 * findable with the read tools from what the user knows (see findableTexts); the steps build on
 * each other; the instructions name no tool or parameter, copy no tool description, hold no
 * template leftovers and word the goal as a user would (goal-lint.ts); a read-only task asks
 * something its outputs answer; a task that writes changes the state.
 */
export function checkTasks(domain: Domain, tasks: Task[]): TaskCheck[] {
  const sources = paramSources(domain);
  const tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
  const listers = [...domain.tools.values()].filter((t) => t.spec.kind === 'read' && !((t.spec.parameters.required as string[] | undefined)?.length));
  const memo = new ReadMemo();
  const links = new StepLinks(domain, sources);
  // Tasks that start from the same state share one session, rewound after each: a fresh copy of
  // the state per task costs more than checking it.
  const starts = new Map<string, Session>();
  const check = (task: Task): TaskCheck => {
    const problems: Finding[] = [];
    const add = (code: FindingCode, message: string) => problems.push({ code, message });
    const text = task.user.instructions;
    const names = namedIdentifiers(domain, text);
    if (names.length > 0) add('names-tool-or-parameter', `its instructions name ${names.map((n) => JSON.stringify(n)).join(', ')}, which only the tools use`);
    if (copiesDescription(domain, text)) add('copies-tool-description', 'its instructions repeat a tool description word for word');
    const artifact = templateArtifact(text);
    if (artifact !== undefined) add('template-artifact', `its instructions hold ${JSON.stringify(artifact)}, which no person writes`);
    for (const f of goalWording(domain, task)) add(f.code, f.message);
    const initialKey = JSON.stringify(task.initial);
    let start = starts.get(initialKey);
    if (!start) {
      try {
        start = openTaskSession(domain, task);
      } catch (err) {
        add('initial-state', `its initial state cannot be set: ${messageOf(err)}`);
        return { task: task.id, problems };
      }
      starts.set(initialKey, start);
    }
    const session = start;
    session.rewindAfter(() => {
      const initialHash = session.stateHash();
      // What the user knows and said, and what earlier calls returned; only an identifier none of
      // them holds sends the lint to what argument-free reads list and what reads reach from there
      // (from the initial state), which costs far more.
      const seen = [JSON.stringify(task.user.known), text];
      let findable: string[] | undefined;
      const reachable = (): string[] => {
        if (findable) return findable;
        const from = session.stateHash() === initialHash ? session : openTaskSession(domain, task);
        try {
          const listed = listers.map((t) => memo.read(from, t.spec.name, {}) ?? '');
          return (findable = findableTexts(from, sources, [JSON.stringify(task.user.known), text, ...listed], memo));
        } finally {
          if (from !== session) from.close();
        }
      };
      const outputs: string[] = [];
      const flow = links.start(session);
      let writes = false;
      // A lookup that fails and is then made again another way (a wrong email, then name and zip)
      // is an attempt the conversation recovers from, as scripted users are told to make.
      const failedReads = new Map<number, string | undefined>();
      const recovered = new Set<number>();
      const readTable = (tool: string) => (domain.tools.get(tool)?.spec.kind === 'read' ? toolIntent(domain, tool).table ?? tool : undefined);
      const deferred: Array<{ i: number; code: FindingCode; message: string }> = [];
      task.gold.actions.forEach((action, i) => {
        const where = `gold action ${i + 1} (${action.tool})`;
        const tool = domain.tools.get(action.tool);
        if (!tool) {
          add('unknown-tool', `${where} names a tool the domain does not have`);
          return;
        }
        writes ||= tool.spec.kind === 'write';
        for (const [param, value] of Object.entries(action.args)) {
          const src = sources.get(action.tool)?.get(param);
          if (!src || src.role !== 'lookup' || !isKeyColumn(tables.get(src.table)!, src.column) || typeof value !== 'string') continue;
          // An order number the user says without its "#" is still the number.
          const needle = value.toLowerCase().replace(/^#/, '');
          if (!seen.some((t) => t.toLowerCase().includes(needle)) && !reachable().some((t) => t.toLowerCase().includes(needle))) add('unknown-identifier', `${where} needs ${param} ${JSON.stringify(value)}, which the user does not know and no earlier call returns`);
        }
        flow.before(action);
        const result = session.call(action.tool, action.args);
        const value = result.ok ? result.value : undefined;
        const table = readTable(action.tool);
        if (result.ok && table !== undefined) for (const [j, t] of failedReads) if (t === table) recovered.add(j);
        if (!result.ok && table !== undefined) failedReads.set(i, table);
        if (!flow.after(action, result.ok, value) && !task.tags.includes(BUNDLE_TAG)) {
          deferred.push({ i, code: 'unlinked-step', message: `${where} uses nothing an earlier step used or returned, nor a row linked to one: it does not build on the steps before it` });
        }
        if (!result.ok) deferred.push({ i, code: 'action-fails', message: `${where} fails: ${result.error}` });
        outputs.push(result.text);
        seen.push(result.text);
      });
      for (const d of deferred) if (!recovered.has(d.i)) add(d.code, d.message);
      if (!task.gold.state_hash) add('no-gold-hash', 'it has no gold state hash');
      else if (task.gold.state_hash !== session.stateHash()) add('stale-gold-hash', 'its stored gold state hash does not reproduce');
      if (writes && session.stateHash() === initialHash) add('writes-change-nothing', 'its gold actions write, but the gold state equals the initial state');
      if (!writes && task.gold.actions.length > 0) {
        const out = said(outputs.join('\n'));
        const missing = task.communicate.filter((c) => !out.includes(said(c)));
        // A task that ends in a handover to a human asks nothing of the agent to tell.
        if (task.communicate.length === 0 && task.gold.actions.some((a) => isTransferTool(a.tool))) return;
        if (task.communicate.length === 0) add('no-answer', 'it only reads, but asks to be told nothing: a read-only task needs a question its outputs answer');
        else if (missing.length > 0) add('answer-not-in-outputs', `it asks to be told ${missing.map((m) => JSON.stringify(m)).join(', ')}, which no gold output holds`);
      }
    });
    return { task: task.id, problems };
  };
  try {
    return tasks.map(check);
  } finally {
    for (const session of starts.values()) session.close();
  }
}

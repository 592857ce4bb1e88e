import type { Domain } from '../env/domain.js';
import type { Action } from '../spec/task.js';

/** What the instruction writer knows about each action of a walk. */
export interface WalkStep {
  action: Action;
  /** Parameters the agent finds through earlier calls; the user is not told them. */
  fromEarlier: Set<string>;
  /** For identifiers the user gives: a readable attribute of the row, e.g. {requested_by: {name: 'Dana Ortiz'}}. */
  labels: Record<string, { column: string; value: string }>;
}

const humanize = (param: string) => param.replace(/_/g, ' ').replace(/\bid\b/, 'ID');

/** The first sentence of a tool description, as a verb phrase: "Get one task." -> "get one task". */
function verbPhrase(description: string, tool: string): string {
  const first = description.split(/(?<=[.!?])\s|:\s|\n/)[0].replace(/[.!?:]+$/, '').trim();
  const phrase = first || tool.replace(/_/g, ' ');
  return phrase[0].toLowerCase() + phrase.slice(1);
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** The facts of a walk the user knows: arguments the agent cannot find by itself. */
export function knownFacts(steps: WalkStep[]): Record<string, unknown> {
  const known: Record<string, unknown> = {};
  for (const { action, fromEarlier, labels } of steps) {
    for (const [k, v] of Object.entries(action.args)) {
      if (fromEarlier.has(k) || k in known) continue;
      known[k] = v;
      if (labels[k]) known[`${k} ${labels[k].column}`] = labels[k].value;
    }
  }
  return known;
}

/** How to play the part: said to a simulated user, never by it. */
export const PLAY_GUIDANCE = 'Give the details above when the agent asks for them; do not invent others.';
/** How a task asks the user to have something said to them (the `communicate` facts). */
export const ASK_TO_BE_TOLD = 'Make sure the agent tells you the ';

/**
 * A second-person instruction from the gold actions, offline and deterministic: one clause per
 * action from the tool's description, with the values the user would give.
 */
export function writeInstruction(domain: Domain, steps: WalkStep[], communicate: Array<{ key: string; value: string }>): string {
  const clauses = steps.map(({ action, fromEarlier, labels }) => {
    const tool = domain.tools.get(action.tool)!.spec;
    const given = Object.entries(action.args).filter(([k]) => !fromEarlier.has(k));
    const detail = given.map(([k, v]) => `${humanize(k)} ${show(v)}${labels[k] ? ` (${labels[k].value})` : ''}`).join(', ');
    const found = fromEarlier.size > 0 ? `${given.length ? '; ' : ''}using what was found before` : '';
    return `${verbPhrase(tool.description, tool.name)}${detail || found ? ` (${detail}${found})` : ''}`;
  });
  let text = clauses.length === 1 ? `You want to ${clauses[0]}.` : `You want to first ${clauses.slice(0, -1).join(', then ')}, and finally ${clauses[clauses.length - 1]}.`;
  if (communicate.length > 0) text += ` ${ASK_TO_BE_TOLD}${communicate.map((c) => humanize(c.key)).join(' and the ')}.`;
  text += ` ${PLAY_GUIDANCE}`;
  return text;
}

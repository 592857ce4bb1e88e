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

/** Words that end like a verb in the third person and are not one. */
const NOT_VERBS = new Set(['status', 'news', 'series', 'species', 'analysis', 'basis', 'bus', 'gas', 'canvas', 'alias', 'atlas', 'bonus', 'campus', 'virus', 'always', 'sometimes', 'perhaps']);

/** "retrieves" -> "retrieve", "searches" -> "search", "applies" -> "apply"; other words unchanged. */
function baseForm(word: string): string {
  if (NOT_VERBS.has(word.toLowerCase())) return word;
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|sh|ch|x|zz)es$/.test(word)) return word.slice(0, -2);
  if (/[^siu]s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** A following verb in the third person: "... and returns the result" -> "... and return the result". */
const AND_VERB = /\band ([a-z]+s) (?=(?:the|a|an|their|its|it|them|all|any|each|one|this|that|these|those|his|her|your)\b)/g;

/** Sentences that say what a tool is part of, not what it does ("This tool belongs to the ticketing system, ..."). */
const ABOUT_THE_TOOL = /^(this|the) (tool|function|api|endpoint|method|operation) (belongs|is part) /i;
/** "This function retrieves X" / "This tool is used to X" / "This API allows users to X": the action itself. */
const THE_TOOL_DOES = /^(?:this|the) (?:tool|function|api|endpoint|method|operation) (?:(?:is used|can be used|is designed|allows (?:you|users|the user)|lets (?:you|users)|helps (?:you|users)?) to (.+)|(\w+) (.+))$/i;

/**
 * What a tool does, as a verb phrase for "You want to ...": the first sentence of its description
 * that does not just say what the tool belongs to, in the base form: "This function retrieves X"
 * and "Retrieves X." -> "retrieve X"; "Get one task." -> "get one task".
 */
export function verbPhrase(description: string, tool: string): string {
  const text = description.includes('Tool description:') ? description.slice(description.lastIndexOf('Tool description:') + 17) : description;
  const sentences = text
    .split(/(?<=[.!?])\s|:\s|\n/)
    .map((x) => x.replace(/[.!?:]+$/, '').trim())
    .filter((x) => x && !ABOUT_THE_TOOL.test(x));
  let phrase = sentences[0] ?? '';
  const does = THE_TOOL_DOES.exec(phrase);
  if (does) phrase = does[1] ?? `${does[2]} ${does[3]}`;
  phrase ||= tool.replace(/_/g, ' ');
  // Descriptions often speak of the tool ("Retrieves X"); the user wants to do it ("retrieve X").
  const [first, ...rest] = phrase.split(' ');
  phrase = [baseForm(first), ...rest].join(' ').replace(AND_VERB, (_m, verb: string) => `and ${baseForm(verb)} `);
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

import type { Domain } from '../env/domain.js';
import type { Action, Task } from '../spec/task.js';
import { toolIntent } from '../tasks/intent.js';
import { meaningful, meaningfulValues } from '../tasks/links.js';
import { fieldWords, isAddressPart, listOf, sayAddress, sayValue } from '../tasks/say.js';

/**
 * What the oracle agent says, built from the task and the tool results it has seen: questions for
 * what the user knows, a summary of what it found, the change it is about to make, and a report of
 * what changed and the answers asked for. Deterministic: choices of words follow the task id.
 */

/** A word choice that is the same for the same task and step. */
function pick<T>(options: readonly T[], seed: string): T {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return options[(h >>> 0) % options.length];
}

const NAMING = /(^|_)(name|full_name|display_name|title|subject|label|headline)$/i;
const STATE = /(^|_)(status|state)$/i;
const KEY = /(^|_)id$|Id$|^id$/;

/** Parse a tool result's text: JSON where it is, else the text. */
export function resultValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Objects in a value, outermost first. */
function objects(value: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(value)) for (const v of value) objects(v, out);
  else if (value && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) if (v && typeof v === 'object') objects(v, out);
  }
  return out;
}

/** A known fact's key as the agent asks for it: "my email address" -> "your email address". */
export function askedAs(key: string): string {
  const words = key.replace(/_/g, ' ');
  if (/^my /i.test(words)) return `your ${words.slice(3)}`;
  if (/^(the|a|an) /i.test(words) || /'s /.test(words)) return words;
  return `your ${words}`;
}

/** A value as the user may have said it: as stored, or in words (in_progress, a date). */
const spoken = (key: string, v: string) => [v, sayValue(key, v).replace(/^"|"$/g, ''), v.replace(/_/g, ' ')].map((x) => x.toLowerCase());

/** The known facts an action uses that the user has not said yet (and no tool has shown). */
export function factsToAsk(task: Task, action: Action, said: string, seen: string): string[] {
  const used = meaningfulValues(action.args);
  const heard = said.toLowerCase();
  return Object.entries(task.user.known)
    .filter(([, v]) => (typeof v === 'string' || typeof v === 'number') && used.has(String(v)))
    .filter(([k, v]) => !spoken(k, String(v)).some((x) => heard.includes(x)) && !seen.toLowerCase().includes(String(v).toLowerCase()))
    .map(([k]) => k);
}

export function askFor(keys: string[], seed: string): string {
  const what = listOf(keys.map(askedAs));
  return pick([`Could you give me ${what}?`, `To look that up, I need ${what}. Could you share it?`, `Sure, I can help with that. What is ${what}?`, `Happy to help. Could you tell me ${what}, please?`], seed);
}

/** A row as the agent refers to it: its name or title, its id, and its state. */
function describeRow(row: Record<string, unknown>, entity: string): string {
  const name = Object.entries(row).find(([k, v]) => NAMING.test(k) && typeof v === 'string')?.[1] as string | undefined;
  const id = Object.entries(row).find(([k, v]) => KEY.test(k) && (typeof v === 'string' || typeof v === 'number'))?.[1];
  const state = Object.entries(row).find(([k, v]) => STATE.test(k) && typeof v === 'string');
  const parts = name ? `"${name}"${id !== undefined ? ` (${String(id)})` : ''}` : id !== undefined ? String(id) : '';
  return `${entity} ${parts}${state ? `, currently ${sayValue(state[0], state[1])}` : ''}`.trim();
}

/** The row an action acts on, as an earlier result showed it (the object holding a key argument), and what it is. */
function rowOf(domain: Domain, action: Action, results: unknown[]): { row: Record<string, unknown>; entity: string } | undefined {
  const keys = Object.entries(action.args).filter(([k, v]) => KEY.test(k) && k !== 'requested_by' && (typeof v === 'string' || typeof v === 'number'));
  for (const result of [...results].reverse()) {
    for (const obj of objects(result)) {
      // The row's own key (`id`) or the same name in another spelling holds the argument's value.
      const hit = keys.find(([k, v]) => Object.entries(obj).some(([ok, ov]) => String(ov) === String(v) && (ok === k || (KEY.test(ok) && fieldWords(ok) === fieldWords(k)) || (/^id$/i.test(ok) && meaningful(v)))));
      // `id` names the tool's own entity; task_id names a task.
      if (hit) return { row: obj, entity: /^id$/i.test(hit[0]) ? toolIntent(domain, action.tool).entity : fieldWords(hit[0]) };
    }
  }
  return undefined;
}

/** What an action will do, in words: "update the task "Fix login" (T-1006), setting the status to done". */
export function describeAction(domain: Domain, action: Action, results: unknown[]): string {
  const intent = toolIntent(domain, action.tool);
  const entity = intent.entity;
  const found = rowOf(domain, action, results);
  const keyArg = Object.entries(action.args).find(([k]) => KEY.test(k) && k !== 'requested_by');
  const target = found ? `the ${describeRow(found.row, found.entity).replace(/, currently .*$/, '')}` : keyArg ? `the ${fieldWords(keyArg[0]) === 'id' ? entity : fieldWords(keyArg[0])} ${String(keyArg[1])}` : '';
  const pairs = Object.entries(action.args)
    .filter(([k, v]) => !KEY.test(k) && k !== 'requested_by' && v !== null && v !== undefined)
    .flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v as Record<string, unknown>) : [[k, v] as [string, unknown]]));
  // The parts of a postal address are said as one address.
  const address = pairs.filter(([k]) => isAddressPart(k));
  const grouped: Array<[string, unknown]> = address.length >= 2 ? [...pairs.filter((p) => !address.includes(p)), ['address', sayAddress(address.map(([field, value]) => ({ field, value })))]] : pairs;
  const changes = grouped.map(([k, v]) => `the ${fieldWords(k)} ${typeof v === 'boolean' ? (v ? 'on' : 'off') : `to ${sayValue(k, v)}`}`);
  const fixed = Object.entries(intent.fixed).map(([k, v]) => `the ${fieldWords(k)} to ${sayValue(k, v)}`);
  const setting = [...fixed, ...changes];
  const verb = intent.verb && !/^(post|put|patch|get)$/.test(intent.verb) ? intent.verb : intent.kind === 'create' ? 'create' : intent.kind === 'delete' ? 'delete' : intent.kind === 'update' ? 'update' : 'process';
  if (intent.kind === 'create') {
    // The rows the new one belongs to, as the user can check them: the one found, else every key given.
    const keys = Object.entries(action.args).filter(([k, v]) => KEY.test(k) && k !== 'requested_by' && (typeof v === 'string' || typeof v === 'number'));
    const where = found && found.entity !== entity ? ` for ${target}` : keys.length > 0 ? ` for ${listOf(keys.map(([k, v]) => `${fieldWords(k)} ${String(v)}`))}` : '';
    return `${/^(create|add|post|submit)$/.test(verb) ? 'add' : verb} a new ${entity}${where}${changes.length ? ` with ${listOf(changes.map((c) => c.replace(/ to /, ' ')))}` : ''}`;
  }
  return `${verb} ${target || `the ${entity}`}${setting.length ? `, setting ${listOf(setting)}` : ''}`;
}

/** What the agent found so far that the user should hear before a change: the row it will change. */
export function foundSummary(domain: Domain, action: Action, results: unknown[]): string | undefined {
  const found = rowOf(domain, action, results);
  return found ? `I found the ${describeRow(found.row, found.entity)}.` : undefined;
}

export function proposal(domain: Domain, writes: Action[], results: unknown[], seed: string): string {
  const found = foundSummary(domain, writes[0], results);
  const plan = writes.map((w) => describeAction(domain, w, results));
  const doing = plan.length === 1 ? `I'm about to ${plan[0]}.` : `Here is what I'm about to do: ${plan.map((p, i) => `(${i + 1}) ${p}`).join('; ')}.`;
  return [found, doing, pick(['Shall I go ahead?', 'Do you want me to proceed?', 'Is that right? Shall I go ahead?', 'Please confirm and I will make the change.'], seed)].filter(Boolean).join(' ');
}

/** A short line said with a call: what the agent is doing. */
export function narration(domain: Domain, action: Action, seed: string): string {
  const intent = toolIntent(domain, action.tool);
  if (intent.kind === 'read') return pick([`Let me look up the ${intent.entity} details.`, `Let me check that for you.`, `I'll look that up.`, `One moment while I find the ${intent.entity}.`], seed);
  return pick(['Thanks, making the change now.', "Thank you. I'm doing that now.", 'Alright, doing that now.'], seed);
}

/** What an action's result says it changed: "its status is now done", or the new row's id. */
function changed(domain: Domain, action: Action, value: unknown): string {
  const intent = toolIntent(domain, action.tool);
  const entity = intent.entity;
  const all = objects(value);
  const row = all[0];
  if (intent.kind === 'delete') return `the ${entity} has been ${intent.verb === 'remove' ? 'removed' : 'deleted'}`;
  if (!row) return typeof value === 'string' && value.length < 200 ? `done: ${value}` : `the ${entity} is done`;
  const set = new Set([...Object.keys(intent.fixed), ...Object.keys(action.args).flatMap((k) => (action.args[k] && typeof action.args[k] === 'object' && !Array.isArray(action.args[k]) ? Object.keys(action.args[k] as object) : [k]))]);
  // The fields the action set, wherever the result nests them (an address object of a user).
  const seen = new Map<string, unknown>();
  for (const obj of all) for (const [k, v] of Object.entries(obj)) if (set.has(k) && !KEY.test(k) && !seen.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) seen.set(k, v);
  const fields = [...seen];
  const address = fields.filter(([k]) => isAddressPart(k));
  const shown: Array<[string, unknown]> = address.length >= 2 ? [...fields.filter((p) => !address.includes(p)), ['address', sayAddress(address.map(([field, v]) => ({ field, value: v })))]] : fields;
  shown.splice(4);
  if (intent.kind === 'create') {
    const id = Object.entries(row).find(([k, v]) => KEY.test(k) && (typeof v === 'string' || typeof v === 'number'));
    return `I've created the ${entity}${id ? `; its ${fieldWords(id[0]) === entity ? 'number' : fieldWords(id[0])} is ${String(id[1])}` : ''}`;
  }
  const name = describeRow(row, entity).replace(/, currently .*$/, '');
  return shown.length > 0 ? `the ${name} now has ${listOf(shown.map(([k, v]) => `${fieldWords(k)} ${sayValue(k, v)}`))}` : `the ${name} is updated`;
}

/** Where in the results an answer appears: the field it is the value of. */
function answerField(answer: string, results: unknown[]): string | undefined {
  for (const result of results) {
    for (const obj of objects(result)) {
      const hit = Object.entries(obj).find(([, v]) => (typeof v === 'string' || typeof v === 'number') && String(v).toLowerCase() === answer.toLowerCase());
      if (hit) return hit[0];
    }
  }
  return undefined;
}

/**
 * The closing report: what changed (from the write results), the answers the task asks for (each
 * said exactly as the outputs hold it), refusals the tools gave, and an offer of more help.
 */
export function report(domain: Domain, task: Task, outcomes: Array<{ action: Action; ok: boolean; value: unknown; text: string }>, seed: string): string {
  const lines: string[] = [];
  const writes = outcomes.filter((o) => domain.tools.get(o.action.tool)?.spec.kind === 'write');
  const done = writes.filter((o) => o.ok).map((o) => changed(domain, o.action, o.value));
  if (done.length > 0) lines.push(`${pick(['Done', 'All set', "That's done"], seed)}: ${listOf(done)}.`);
  for (const o of writes.filter((w) => !w.ok)) lines.push(`I couldn't ${describeAction(domain, o.action, []).split(',')[0]}: ${o.text.replace(/^Error:\s*/i, '')}`);
  const results = outcomes.map((o) => o.value);
  const answers = task.communicate.map((c) => {
    const field = answerField(c, results);
    return field ? `the ${fieldWords(field)} is ${c}` : c;
  });
  if (answers.length > 0) lines.push(`${capital(listOf(answers))}.`);
  if (task.gold.actions.length === 0 && lines.length === 0) lines.push("I'm sorry, but I can't help with that request.");
  const last = outcomes[outcomes.length - 1];
  if (lines.length === 0 && last) lines.push(`${pick(['I checked', 'I looked up', "I've gone through"], seed)} the ${toolIntent(domain, last.action.tool).entity} for you.`);
  lines.push(pick(['Is there anything else I can help you with?', 'Anything else I can do for you?', 'Can I help with anything else?'], `${seed}|end`));
  return lines.join(' ');
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

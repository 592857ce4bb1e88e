import type { StateDiff } from '../env/diff.js';
import { tokenize } from '../env/sql-tokens.js';
import type { DomainTool, Table } from '../spec/domain.js';
import { aliases, type ParamSource } from '../tasks/param-sources.js';
import { namedOperation } from './classify.js';
import { nameNouns } from './entities.js';
import { plural, singular, splitWords } from './words.js';
import type { ToolWarning } from '../spec/verification.js';

/**
 * Effect checks: what a working tool does to the state, against what its name says it does. A
 * create that adds no row of what it creates, a delete that removes no row, a transfer that moves
 * nothing and a read of another table than its entity's all run without an error, so execution
 * alone passes them; an agent trained on them would learn the wrong effect. Each is a warning, not
 * a failure: the tool still works. Any spec is checked the same way (rules, a model, by hand).
 */

/** Verbs whose tool must add a row: the things that make, not those that may overwrite (`put`, `save`, `set`). */
const CREATES = new Set(['create', 'add', 'new', 'insert', 'register', 'append', 'upload', 'submit', 'make', 'generate']);
/** Verbs whose tool must remove a row (a soft delete that only flags a row gets the warning too: the name says more). */
const DELETES = new Set(['delete', 'remove', 'drop', 'erase', 'destroy', 'purge', 'rm', 'rmdir']);
/** Words of a tool that moves something between rows (money between accounts, a file between folders). */
const MOVES = new Set(['transfer', 'move', 'mv', 'relocate']);

/** Whether a table holds the entity a noun names: `account_transfers` holds transfers, `transfers_log` too. */
function holds(table: string, noun: string): boolean {
  // Tables are named with plural(); singular() does not always undo it (`bmis`), so compare both ways.
  const words = splitWords(table);
  const forms = new Set([noun, plural(noun)]);
  return words.some((w) => forms.has(w) || forms.has(singular(w))) || forms.has(words.join('_'));
}

/** The domain tables a tool's statements read (steps and output), by the statements' FROM and JOIN clauses. */
export function tablesRead(tool: DomainTool, tables: Table[]): string[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const statements = [...(tool.steps ?? []).map((s) => ('query' in s ? s.query : 'check' in s ? s.check : s.run)), ...Object.values(tool.output ?? {})];
  const read = new Set<string>();
  for (const sql of statements) if (typeof sql === 'string') for (const table of aliases(tokenize(sql), byName).values()) read.add(table);
  return [...read];
}

/** Warnings of a read tool: it reads none of the tables its name is about (`find_customer_by_email` reading `emails`). */
export function readWarnings(tool: DomainTool, tables: Table[]): ToolWarning[] {
  const nouns = nameNouns(tool);
  const read = tablesRead(tool, tables);
  if (nouns.length === 0 || read.length === 0 || read.some((t) => nouns.some((n) => holds(t, n)))) return [];
  return [{ code: 'reads another table', message: `its name is about ${nouns.join(', ')} but it reads ${read.join(', ')}` }];
}

/**
 * Warnings of a write tool from what its example call changed (`diff`, from the seed state):
 * a create that adds no row of what it creates, a delete that removes none, a transfer that moves
 * nothing although it names rows to move between.
 */
export function writeWarnings(tool: DomainTool, diff: StateDiff, sources: Map<string, ParamSource> | undefined): ToolWarning[] {
  const words = splitWords(tool.name);
  const op = namedOperation(tool.name);
  const added = diff.filter((t) => t.added.length > 0).map((t) => t.table);
  const out: ToolWarning[] = [];
  if (op && CREATES.has(op.verb)) {
    const nouns = nameNouns(tool);
    // What a create makes is the last noun of its name (`create_account_transfer` makes a transfer).
    const made = nouns[nouns.length - 1];
    if (added.length === 0) out.push({ code: 'create adds no row', message: 'its example call added no row to any table' });
    else if (made && !added.some((t) => holds(t, made))) out.push({ code: 'create adds no row', message: `it adds no ${made} row (its example call added rows to ${added.join(', ')})` });
  }
  if (op && DELETES.has(op.verb) && !diff.some((t) => t.removed.length > 0)) {
    out.push({ code: 'delete removes no row', message: `its example call removed no row (${diff.map((t) => `${t.table}: ${t.changed.length} changed, ${t.added.length} added`).join('; ')})` });
  }
  const namesRows = [...(sources?.values() ?? [])].some((s) => s.role === 'lookup');
  const moved = diff.some((t) => t.changed.length > 0 || (t.removed.length > 0 && t.added.length > 0));
  if (words.some((w) => MOVES.has(w)) && namesRows && !moved) {
    out.push({ code: 'transfer moves nothing', message: `its example call changed no existing row${added.length > 0 ? ` (it only added rows to ${added.join(', ')})` : ''}` });
  }
  return out;
}

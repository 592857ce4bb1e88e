/** Words of tool and parameter names: splitting, singular/plural, SQL-safe identifiers. */

import { splitWords } from '../util/words.js';

// Splitting and number of words are shared with task writing (src/tasks), which must not import synth.
export { plural, singular, splitWords } from '../util/words.js';

/** snake_case of a name: `petId` -> `pet_id`. */
export const snake = (name: string): string => splitWords(name).join('_');

/**
 * A valid spec identifier (lower-case letters, digits, _; starting with a letter; at most 63
 * characters) that SQLite will not mistake for the hidden rowid or an internal name.
 */
export function identifier(name: string, fallback = 'x'): string {
  let id = snake(name) || fallback;
  if (!/^[a-z]/.test(id)) id = `${fallback}_${id}`;
  if (/^(rowid|oid|_rowid_)$/.test(id) || id.startsWith('sqlite_') || id.startsWith('pragma_')) id = `${id}_value`;
  return id.slice(0, 63).replace(/_+$/, '') || fallback;
}

/** SQLite keywords that cannot stand unquoted as a column or table name. */
const KEYWORDS = new Set(
  ('abort action add after all alter always analyze and as asc attach autoincrement before begin between by cascade case cast check collate column commit conflict constraint create cross current current_date current_time current_timestamp database default deferrable deferred delete desc detach distinct do drop each else end escape except exclude exclusive exists explain fail filter first following for foreign from full generated glob group groups having if ignore immediate in index indexed initially inner insert instead intersect into is isnull join key last left like limit match materialized natural no not nothing notnull null nulls of offset on or order others outer over partition plan pragma preceding primary query raise range recursive references regexp reindex release rename replace restrict returning right rollback row rows savepoint select set table temp temporary then ties to transaction trigger unbounded union unique update using vacuum values view virtual when where window with without')
    .split(' '),
);

/** An identifier as it appears in generated SQL: quoted only when it is a keyword. */
export const sqlName = (id: string): string => (KEYWORDS.has(id) ? `"${id}"` : id);

/** Whether a parameter name can be bound as `:name` (the engine's parameter syntax). */
export const bindable = (param: string): boolean => /^[A-Za-z0-9_]+$/.test(param);

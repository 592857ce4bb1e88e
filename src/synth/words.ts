/** Words of tool and parameter names: splitting, singular/plural, SQL-safe identifiers. */

/** `getUserOrders`, `get-user_orders.v2` -> ['get', 'user', 'orders', 'v2']. */
export function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** snake_case of a name: `petId` -> `pet_id`. */
export const snake = (name: string): string => splitWords(name).join('_');

// Nouns that read the same in plural, and irregular plurals: enough for table names to read naturally.
const UNCOUNTABLE = new Set(['weather', 'data', 'info', 'information', 'news', 'equipment', 'music', 'software', 'feedback', 'traffic', 'inventory', 'media', 'series', 'species', 'metadata', 'analytics', 'settings', 'status', 'stock', 'health', 'research', 'evidence', 'advice', 'history', 'mail', 'content', 'staff', 'fish', 'sheep', 'money', 'luggage', 'baggage', 'furniture', 'storage']);
const IRREGULAR: Record<string, string> = { person: 'people', child: 'children', man: 'men', woman: 'women', mouse: 'mice', foot: 'feet', tooth: 'teeth', index: 'indexes', criterion: 'criteria', datum: 'data', analysis: 'analyses', thesis: 'theses' };
const IRREGULAR_SINGULAR = Object.fromEntries(Object.entries(IRREGULAR).map(([s, p]) => [p, s]));

export function singular(word: string): string {
  if (UNCOUNTABLE.has(word) || word.length <= 3) return word;
  // Own keys only: a word such as `constructor` must not find Object's prototype.
  if (Object.hasOwn(IRREGULAR_SINGULAR, word)) return IRREGULAR_SINGULAR[word];
  if (/(ss|us|is)$/.test(word)) return word;
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(ches|shes|xes|sses|zes)$/.test(word)) return word.slice(0, -2);
  if (/s$/.test(word)) return word.slice(0, -1);
  return word;
}

export function plural(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  if (Object.hasOwn(IRREGULAR, word)) return IRREGULAR[word];
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/.test(word)) return word + 'es';
  return word + 's';
}

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

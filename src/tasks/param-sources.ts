import type { Domain } from '../env/domain.js';
import type { Table } from '../spec/domain.js';
import { tokenize, type Token } from '../env/sql-tokens.js';
import { resolveReference } from '../env/schema-sql.js';

/**
 * Where a tool parameter's values live in the domain: `lookup` when the SQL compares it with a
 * column (it names an existing row), `value` when the SQL stores it in a column.
 */
export interface ParamSource {
  table: string;
  column: string;
  role: 'lookup' | 'value';
  /** For a stored reference (tasks.assignee_id): the column the SQL names; table and column are then the row it points at. */
  via?: { table: string; column: string };
}

const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;
const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toUpperCase() === w;
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'ident';

const TABLE_BEFORE = /^(FROM|JOIN|INTO|UPDATE)$/i;
const CLAUSE = /^(SELECT|FROM|WHERE|SET|ON|GROUP|ORDER|HAVING|VALUES|LIMIT|RETURNING)$/i;

/**
 * Table references of a statement and their aliases: `FROM tasks t`, `JOIN members AS m`,
 * `FROM a, b`. A column that happens to share a table's name is not one.
 */
export function aliases(tokens: Token[], tables: Map<string, Table>): Map<string, string> {
  const out = new Map<string, string>();
  let clause = '';
  tokens.forEach((t, i) => {
    if (t.kind === 'word' && CLAUSE.test(t.text)) clause = t.text.toUpperCase();
    if (!isName(t) || !tables.has(t.text)) return;
    const prev = tokens[i - 1];
    const isTable = (prev?.kind === 'word' && TABLE_BEFORE.test(prev.text)) || (isPunct(prev, ',') && clause === 'FROM');
    if (!isTable) return;
    out.set(t.text, t.text);
    let j = i + 1;
    if (isWord(tokens[j], 'AS')) j++;
    const alias = tokens[j];
    if (isName(alias) && !/^(WHERE|JOIN|LEFT|INNER|ON|SET|VALUES|ORDER|GROUP|LIMIT|USING|CROSS|NATURAL|DEFAULT)$/i.test(alias.text)) out.set(alias.text, t.text);
  });
  return out;
}

/** The table of a column reference `x.col` or `col`, using the statement's tables and aliases. */
function columnTable(tokens: Token[], at: number, names: Map<string, string>, tables: Map<string, Table>): [string, string] | undefined {
  const col = tokens[at];
  if (!isName(col)) return undefined;
  if (isPunct(tokens[at - 1], '.') && isName(tokens[at - 2])) {
    const table = names.get(tokens[at - 2].text);
    return table && tables.get(table)!.columns.some((c) => c.name === col.text) ? [table, col.text] : undefined;
  }
  const owners = [...new Set(names.values())].filter((t) => tables.get(t)!.columns.some((c) => c.name === col.text));
  return owners.length === 1 ? [owners[0], col.text] : undefined;
}

/**
 * The column named by the operand that ends just before position `eq` (an `=`): a plain or
 * qualified column, or the first column inside calls around it (lower(trim(email, ' '))).
 */
function operandColumn(tokens: Token[], eq: number, names: Map<string, string>, tables: Map<string, Table>): [string, string] | undefined {
  if (!isPunct(tokens[eq - 1], ')')) return columnTable(tokens, eq - 1, names, tables);
  let depth = 0;
  let open = eq - 1;
  for (; open >= 0; open--) {
    if (isPunct(tokens[open], ')')) depth++;
    else if (isPunct(tokens[open], '(') && --depth === 0) break;
  }
  for (let k = open + 1; k < eq - 1; k++) {
    if (!isName(tokens[k]) || isPunct(tokens[k + 1], '(') || isPunct(tokens[k + 1], '.')) continue;
    const ref = columnTable(tokens, k, names, tables);
    if (ref) return ref;
  }
  return undefined;
}

function statementSources(sql: string, tables: Map<string, Table>, found: Map<string, ParamSource>): void {
  const tokens = tokenize(sql);
  const names = aliases(tokens, tables);
  const add = (param: string, table: string, column: string, role: ParamSource['role']) => {
    const prev = found.get(param);
    if (!prev || (prev.role === 'value' && role === 'lookup')) found.set(param, { table, column, role });
  };
  tokens.forEach((t, i) => {
    if (t.kind !== 'param') return;
    const param = t.text.slice(1);
    // The operand is `:p` or a one-argument call around it, such as lower(:p).
    const wrapped = isPunct(tokens[i - 1], '(') && isName(tokens[i - 2]) && isPunct(tokens[i + 1], ')');
    const end = wrapped ? i + 1 : i;
    // col IN (SELECT value FROM json_each(:p)): each value of the list names a row.
    if (wrapped && tokens[i - 2].text.toLowerCase() === 'json_each' && isWord(tokens[i - 3], 'FROM') && isWord(tokens[i - 5], 'SELECT') && isPunct(tokens[i - 6], '(') && isWord(tokens[i - 7], 'IN')) {
      const ref = columnTable(tokens, i - 8, names, tables);
      if (ref) add(param, ref[0], ref[1], 'lookup');
      return;
    }
    // Calls wrapped around :p as their first argument: lower(trim(:p, ' ')).
    let start = i;
    while (isPunct(tokens[start - 1], '(') && isName(tokens[start - 2]) && !CLAUSE.test(tokens[start - 2].text)) start -= 2;
    if (isPunct(tokens[start - 1], '=')) {
      // col = :p, or f(col, ...) = f(:p, ...)
      const ref = operandColumn(tokens, start - 1, names, tables);
      const before = tokens.slice(Math.max(0, start - 40), start);
      // `SET col = :p` stores a value; a comparison looks a row up.
      const setting = before.some((x) => isWord(x, 'SET')) && !before.some((x) => isWord(x, 'WHERE'));
      if (ref) add(param, ref[0], ref[1], setting ? 'value' : 'lookup');
    } else if (isPunct(tokens[end + 1], '=')) {
      const at = isPunct(tokens[end + 3], '(') ? end + 4 : end + 2;
      const ref = columnTable(tokens, at, names, tables);
      if (ref) add(param, ref[0], ref[1], 'lookup');
    }
  });
  // INSERT INTO t (a, b, ...) VALUES (x, :p, ...): positions pair columns with values.
  const into = tokens.findIndex((t, i) => isWord(t, 'INTO') && tables.has(tokens[i + 1]?.text));
  if (into < 0 || !isPunct(tokens[into + 2], '(')) return;
  const table = tokens[into + 1].text;
  const columns: string[] = [];
  let i = into + 3;
  for (; i < tokens.length && !isPunct(tokens[i], ')'); i++) if (isName(tokens[i])) columns.push(tokens[i].text);
  const values = tokens.findIndex((t, k) => k > i && isWord(t, 'VALUES'));
  if (values < 0) return;
  let depth = 0;
  let position = 0;
  for (let k = values + 1; k < tokens.length; k++) {
    const tk = tokens[k];
    if (isPunct(tk, '(')) depth++;
    else if (isPunct(tk, ')')) {
      if (--depth === 0) break;
    } else if (isPunct(tk, ',') && depth === 1) position++;
    else if (tk.kind === 'param' && depth === 1 && columns[position]) {
      const alone = (isPunct(tokens[k - 1], '(') || isPunct(tokens[k - 1], ',')) && (isPunct(tokens[k + 1], ',') || isPunct(tokens[k + 1], ')'));
      if (alone) add(tk.text.slice(1), table, columns[position], 'value');
    } else if (tk.kind === 'param' && depth === 2 && columns[position] && isPunct(tokens[k - 1], '(') && tokens[k - 2]?.text.toLowerCase() === 'coalesce' && isPunct(tokens[k + 1], ',')) {
      // coalesce(:p, default): the argument, when given, is the stored value.
      add(tk.text.slice(1), table, columns[position], 'value');
    }
  }
}

/**
 * For each parameter of each tool, the column it looks up or fills, found by reading the tool's
 * SQL. A stored value that is a foreign key becomes a lookup of the row it points at; a parameter
 * the SQL does not tie to a column looks up the one table whose keys match its pattern.
 */
export function paramSources(domain: Domain): Map<string, Map<string, ParamSource>> {
  const tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
  const out = new Map<string, Map<string, ParamSource>>();
  const keyed = new Map<string, { table: string; column: string } | undefined>();
  for (const [name, tool] of domain.tools) {
    const found = new Map<string, ParamSource>();
    for (const step of tool.steps) statementSources(step.stmt.sql, tables, found);
    if (tool.output) {
      // The output reads back what the steps wrote: a key a step stores is a new row's, even when
      // the output then looks that row up by it.
      const read = new Map<string, ParamSource>();
      statementSources(tool.output.stmt.sql, tables, read);
      for (const [param, src] of read) if (!found.has(param)) found.set(param, src);
    }
    const declared = new Set(Object.keys(tool.spec.parameters.properties ?? {}));
    for (const param of found.keys()) if (!declared.has(param)) found.delete(param);
    for (const [param, src] of found) {
      const col = tables.get(src.table)!.columns.find((c) => c.name === src.column)!;
      const ref = col.references ? resolveReference(col.references, domain.spec.tables) : undefined;
      if (ref) found.set(param, { table: ref.table.name, column: ref.column, role: 'lookup', via: { table: src.table, column: src.column } });
    }
    for (const [param, prop] of Object.entries(tool.spec.parameters.properties ?? {})) {
      const pattern = (prop as { pattern?: unknown }).pattern;
      if (found.has(param) || typeof pattern !== 'string') continue;
      const key = keyByPattern(domain, pattern, keyed);
      if (key) found.set(param, { ...key, role: 'lookup' });
    }
    out.set(name, found);
  }
  return out;
}

/**
 * The one table whose key values all match a parameter's pattern, when the SQL compares the
 * parameter only with another parameter (`:requested_by = :p__owner_id`): an id in the form
 * "M-<digits>" names a member as surely as a comparison with members.id would.
 */
function keyByPattern(domain: Domain, pattern: string, cache: Map<string, { table: string; column: string } | undefined>): { table: string; column: string } | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let re: RegExp | undefined;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    // A pattern JavaScript cannot read names nothing.
  }
  const hits = re
    ? domain.spec.tables.filter((t) => {
        if (t.primaryKey.length !== 1) return false;
        const values = domain.base.prepare(`SELECT DISTINCT "${t.primaryKey[0]}" FROM "${t.name}" LIMIT 200`).pluck().all();
        return values.length > 0 && values.every((v) => re.test(String(v)));
      })
    : [];
  const key = hits.length === 1 ? { table: hits[0].name, column: hits[0].primaryKey[0] } : undefined;
  cache.set(pattern, key);
  return key;
}

/** Whether a column identifies rows: a one-column primary key, unique, or a reference. */
export function isKeyColumn(table: Table, column: string): boolean {
  const col = table.columns.find((c) => c.name === column);
  return (table.primaryKey.length === 1 && table.primaryKey[0] === column) || !!col?.unique || !!col?.references;
}

/**
 * The references of each table: declared ones, and columns named exactly like another table's
 * single-column key (user_orders.order_id -> orders.order_id) where nothing is declared, since
 * imported and synthesized domains do not always declare them. [column, table, key column].
 */
export function tableReferences(domain: Domain): Map<string, Array<[string, string, string]>> {
  const keys = new Map<string, string>();
  for (const t of domain.spec.tables) if (t.primaryKey.length === 1 && t.primaryKey[0] !== 'id') keys.set(t.primaryKey[0], t.name);
  const out = new Map<string, Array<[string, string, string]>>();
  for (const t of domain.spec.tables) {
    const refs: Array<[string, string, string]> = [];
    for (const c of t.columns) {
      const ref = c.references ? resolveReference(c.references, domain.spec.tables) : undefined;
      if (ref) refs.push([c.name, ref.table.name, ref.column]);
      else if (keys.has(c.name) && keys.get(c.name) !== t.name) refs.push([c.name, keys.get(c.name)!, c.name]);
    }
    out.set(t.name, refs);
  }
  return out;
}

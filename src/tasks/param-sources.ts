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
    const start = wrapped ? i - 2 : i;
    const end = wrapped ? i + 1 : i;
    // col IN (SELECT value FROM json_each(:p)): each value of the list names a row.
    if (wrapped && tokens[i - 2].text.toLowerCase() === 'json_each' && isWord(tokens[i - 3], 'FROM') && isWord(tokens[i - 5], 'SELECT') && isPunct(tokens[i - 6], '(') && isWord(tokens[i - 7], 'IN')) {
      const ref = columnTable(tokens, i - 8, names, tables);
      if (ref) add(param, ref[0], ref[1], 'lookup');
      return;
    }
    if (isPunct(tokens[start - 1], '=')) {
      // col = :p, or f(col) = f(:p)
      const at = isPunct(tokens[start - 2], ')') ? start - 3 : start - 2;
      const ref = columnTable(tokens, at, names, tables);
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
 * SQL. A stored value that is a foreign key becomes a lookup of the row it points at.
 */
export function paramSources(domain: Domain): Map<string, Map<string, ParamSource>> {
  const tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
  const out = new Map<string, Map<string, ParamSource>>();
  for (const [name, tool] of domain.tools) {
    const found = new Map<string, ParamSource>();
    for (const step of tool.steps) statementSources(step.stmt.sql, tables, found);
    if (tool.output) statementSources(tool.output.stmt.sql, tables, found);
    const declared = new Set(Object.keys(tool.spec.parameters.properties ?? {}));
    for (const param of found.keys()) if (!declared.has(param)) found.delete(param);
    for (const [param, src] of found) {
      const col = tables.get(src.table)!.columns.find((c) => c.name === src.column)!;
      const ref = col.references ? resolveReference(col.references, domain.spec.tables) : undefined;
      if (ref) found.set(param, { table: ref.table.name, column: ref.column, role: 'lookup' });
    }
    out.set(name, found);
  }
  return out;
}

/** Whether a column identifies rows: a one-column primary key, unique, or a reference. */
export function isKeyColumn(table: Table, column: string): boolean {
  const col = table.columns.find((c) => c.name === column);
  return (table.primaryKey.length === 1 && table.primaryKey[0] === column) || !!col?.unique || !!col?.references;
}

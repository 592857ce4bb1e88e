import type { Column, Table } from '../spec/domain.js';

/** SQL for the domain's tables. STRICT tables make SQLite enforce the declared types. */

const quote = (id: string) => `"${id}"`;

const SQL_TYPE: Record<Column['type'], string> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  json: 'TEXT',
};

/** The table and column a `references` value points at. */
export function resolveReference(ref: string, tables: Table[]): { table: Table; column: string } | undefined {
  const [tableName, column] = ref.split('.');
  const table = tables.find((t) => t.name === tableName);
  if (!table) return undefined;
  if (column) return table.columns.some((c) => c.name === column) ? { table, column } : undefined;
  return table.primaryKey.length === 1 ? { table, column: table.primaryKey[0] } : undefined;
}

function columnSql(col: Column, table: Table, tables: Table[]): string {
  const parts = [quote(col.name), SQL_TYPE[col.type]];
  if (col.required || table.primaryKey.includes(col.name)) parts.push('NOT NULL');
  if (col.unique) parts.push('UNIQUE');
  if (col.type === 'boolean') parts.push(`CHECK (${quote(col.name)} IN (0, 1))`);
  if (col.type === 'json') parts.push(`CHECK (json_valid(${quote(col.name)}))`);
  if (col.references) {
    const ref = resolveReference(col.references, tables)!;
    parts.push(`REFERENCES ${quote(ref.table.name)}(${quote(ref.column)})`);
  }
  return parts.join(' ');
}

export function createTableSql(table: Table, tables: Table[]): string[] {
  const cols = table.columns.map((c) => columnSql(c, table, tables));
  cols.push(`PRIMARY KEY (${table.primaryKey.map(quote).join(', ')})`);
  const statements = [`CREATE TABLE ${quote(table.name)} (\n  ${cols.join(',\n  ')}\n) STRICT`];
  (table.indexes ?? []).forEach((index, i) => {
    statements.push(`CREATE INDEX ${quote(`${table.name}_idx${i}`)} ON ${quote(table.name)} (${index.map(quote).join(', ')})`);
  });
  // Foreign key columns are looked up on every delete of the parent: index them.
  for (const col of table.columns) {
    if (col.references && !table.primaryKey.includes(col.name) && !col.unique) {
      statements.push(`CREATE INDEX ${quote(`${table.name}_${col.name}_fk`)} ON ${quote(table.name)} (${quote(col.name)})`);
    }
  }
  return statements;
}

/** Column names in canonical (sorted) order: the row encoding must not depend on declaration order. */
export function canonicalColumns(table: Table): string[] {
  return table.columns.map((c) => c.name).sort();
}

/** A SQL expression giving a row's canonical text; `prefix` is '', 'NEW.' or 'OLD.'. */
export function canonicalRowSql(table: Table, prefix = ''): string {
  return `json_array(${canonicalColumns(table)
    .map((c) => prefix + quote(c))
    .join(', ')})`;
}

/** Internal table holding the next value of each seq() sequence. Not part of the state hash. */
export const SEQ_TABLE = '_es_seq';
export const TRACK_FUNCTION = '_es_track';

/**
 * Triggers that report every changed row to the engine, so the state hash is kept up to date in
 * O(rows changed). They live in the image, so a fork has them without any set-up cost.
 */
export function trackingTriggersSql(table: Table): string[] {
  const t = quote(table.name);
  const name = (op: string) => quote(`_es_${table.name}_${op}`);
  const track = (sign: number, prefix: string) =>
    `SELECT ${TRACK_FUNCTION}('${table.name}', ${sign}, ${canonicalRowSql(table, prefix)});`;
  return [
    `CREATE TRIGGER ${name('ins')} AFTER INSERT ON ${t} BEGIN ${track(1, 'NEW.')} END`,
    `CREATE TRIGGER ${name('del')} AFTER DELETE ON ${t} BEGIN ${track(-1, 'OLD.')} END`,
    `CREATE TRIGGER ${name('upd')} AFTER UPDATE ON ${t} BEGIN ${track(-1, 'OLD.')} ${track(1, 'NEW.')} END`,
  ];
}

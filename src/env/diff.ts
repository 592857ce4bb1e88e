import type Database from 'better-sqlite3';
import type { Table } from '../spec/domain.js';
import type { StateSums } from './state-hash.js';
import { fromColumnValue } from './values.js';

type Row = Record<string, unknown>;

export interface TableDiff {
  table: string;
  added: Row[];
  removed: Row[];
  /** Rows whose key stayed and some column changed: the key, and each changed column's before/after. */
  changed: Array<{ key: Row; columns: Record<string, { before: unknown; after: unknown }> }>;
}
export type StateDiff = TableDiff[];

/** A state to compare: a connection to read rows from and, optionally, its sums to skip equal tables. */
export interface StateView {
  db: Database.Database;
  sums?: StateSums;
}

function readRows(db: Database.Database, table: Table): Map<string, Row> {
  const rows = new Map<string, Row>();
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  for (const raw of db.prepare(`SELECT * FROM "${table.name}"`).iterate() as IterableIterator<Row>) {
    const row: Row = {};
    for (const [k, v] of Object.entries(raw)) row[k] = fromColumnValue(types.get(k), v);
    rows.set(JSON.stringify(table.primaryKey.map((k) => row[k])), row);
  }
  return rows;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Row-level differences from `before` to `after`, table by table, rows identified by primary key. */
export function diffStates(tables: Table[], before: StateView, after: StateView): StateDiff {
  const out: StateDiff = [];
  for (const table of tables) {
    const a = before.sums?.get(table.name);
    const b = after.sums?.get(table.name);
    if (a && b && a.rows === b.rows && a.sum === b.sum) continue;
    const old = readRows(before.db, table);
    const now = readRows(after.db, table);
    const diff: TableDiff = { table: table.name, added: [], removed: [], changed: [] };
    for (const [key, row] of now) {
      const prev = old.get(key);
      if (!prev) {
        diff.added.push(row);
        continue;
      }
      const columns: TableDiff['changed'][number]['columns'] = {};
      for (const c of table.columns) {
        if (!same(prev[c.name], row[c.name])) columns[c.name] = { before: prev[c.name], after: row[c.name] };
      }
      if (Object.keys(columns).length > 0) {
        diff.changed.push({ key: Object.fromEntries(table.primaryKey.map((k) => [k, row[k]])), columns });
      }
    }
    for (const [key, row] of old) if (!now.has(key)) diff.removed.push(row);
    if (diff.added.length || diff.removed.length || diff.changed.length) out.push(diff);
  }
  return out;
}

const keyText = (key: Row) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

/** A readable rendering: one line per table, then one per row. */
export function formatDiff(diff: StateDiff): string {
  if (diff.length === 0) return 'no changes';
  const lines: string[] = [];
  for (const t of diff) {
    lines.push(`${t.table}: ${t.added.length} added, ${t.removed.length} removed, ${t.changed.length} changed`);
    for (const r of t.added) lines.push(`  + ${JSON.stringify(r)}`);
    for (const r of t.removed) lines.push(`  - ${JSON.stringify(r)}`);
    for (const c of t.changed) {
      const cols = Object.entries(c.columns).map(([k, v]) => `${k}: ${JSON.stringify(v.before)} -> ${JSON.stringify(v.after)}`);
      lines.push(`  ~ ${keyText(c.key)}: ${cols.join('; ')}`);
    }
  }
  return lines.join('\n');
}

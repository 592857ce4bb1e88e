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

type Stored = unknown[];

/**
 * A table's rows as stored (raw column values in spec order), by primary key. Rows are compared
 * raw and converted only when they differ: a diff of a few rows in a table of thousands stays cheap.
 */
function readStored(db: Database.Database, table: Table): Map<string, Stored> {
  const rows = new Map<string, Stored>();
  const keyAt = table.primaryKey.map((k) => table.columns.findIndex((c) => c.name === k));
  const stmt = db.prepare(`SELECT ${table.columns.map((c) => `"${c.name}"`).join(', ')} FROM "${table.name}"`).raw(true);
  for (const raw of stmt.iterate() as IterableIterator<Stored>) rows.set(JSON.stringify(keyAt.map((i) => raw[i])), raw);
  return rows;
}

/** A table's rows as values, by the JSON text of their primary key values. */
export function readRows(db: Database.Database, table: Table): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const raw of readStored(db, table).values()) {
    const row = toRow(table, raw);
    rows.set(keyOf(table, row), row);
  }
  return rows;
}

/** The identity of a row within its table: the JSON text of its primary key values. */
export const keyOf = (table: Table, row: Row) => JSON.stringify(table.primaryKey.map((k) => row[k]));

const toRow = (table: Table, raw: Stored): Row => Object.fromEntries(table.columns.map((c, i) => [c.name, fromColumnValue(c.type, raw[i])]));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Row-level differences from `before` to `after`, table by table, rows identified by primary key. */
export function diffStates(tables: Table[], before: StateView, after: StateView): StateDiff {
  const out: StateDiff = [];
  for (const table of tables) {
    const a = before.sums?.get(table.name);
    const b = after.sums?.get(table.name);
    if (a && b && a.rows === b.rows && a.sum === b.sum) continue;
    const old = readStored(before.db, table);
    const now = readStored(after.db, table);
    const diff: TableDiff = { table: table.name, added: [], removed: [], changed: [] };
    for (const [key, raw] of now) {
      const prev = old.get(key);
      if (!prev) {
        diff.added.push(toRow(table, raw));
        continue;
      }
      const columns: TableDiff['changed'][number]['columns'] = {};
      table.columns.forEach((c, i) => {
        if (prev[i] === raw[i]) return;
        // Stored text can differ where the values do not (JSON spacing): compare the values.
        const [was, is] = [fromColumnValue(c.type, prev[i]), fromColumnValue(c.type, raw[i])];
        if (!same(was, is)) columns[c.name] = { before: was, after: is };
      });
      if (Object.keys(columns).length > 0) {
        const row = toRow(table, raw);
        diff.changed.push({ key: Object.fromEntries(table.primaryKey.map((k) => [k, row[k]])), columns });
      }
    }
    for (const [key, raw] of old) if (!now.has(key)) diff.removed.push(toRow(table, raw));
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

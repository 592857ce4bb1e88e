import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Table } from '../spec/domain.js';
import { canonicalRowSql } from './schema-sql.js';

/**
 * The state hash is a multiset hash: each row's digest (128 bits of SHA-256 over table name and
 * canonical row text) is added modulo 2^128 into its table's sum. Addition is order-independent,
 * keeps duplicate rows, and can be updated by subtracting a row's old digest and adding its new one.
 */
export interface TableSum {
  rows: number;
  sum: bigint;
}
export type StateSums = ReadonlyMap<string, TableSum>;

const MOD = (1n << 128n) - 1n;

export function rowDigest(table: string, canonicalRow: string): bigint {
  const h = createHash('sha256').update(table).update('\0').update(canonicalRow).digest();
  return (h.readBigUInt64BE(0) << 64n) | h.readBigUInt64BE(8);
}

export function addRow(sums: Map<string, TableSum>, table: string, sign: 1 | -1, canonicalRow: string): void {
  const prev = sums.get(table) ?? { rows: 0, sum: 0n };
  const d = rowDigest(table, canonicalRow);
  sums.set(table, { rows: prev.rows + sign, sum: (sign > 0 ? prev.sum + d : prev.sum - d) & MOD });
}

/** The sums after applying a delta (as built by addRow on an empty map). */
export function mergeSums(sums: StateSums, delta: ReadonlyMap<string, TableSum>): StateSums {
  const out = new Map(sums);
  for (const [table, d] of delta) {
    const prev = out.get(table) ?? { rows: 0, sum: 0n };
    out.set(table, { rows: prev.rows + d.rows, sum: (prev.sum + d.sum) & MOD });
  }
  return out;
}

/** The baseline: read and digest every row. Used to build an image and to check the incremental hash. */
export function computeSums(db: Database.Database, tables: Table[]): Map<string, TableSum> {
  const sums = new Map<string, TableSum>();
  for (const table of tables) {
    sums.set(table.name, { rows: 0, sum: 0n });
    const stmt = db.prepare(`SELECT ${canonicalRowSql(table)} FROM "${table.name}"`).pluck();
    for (const row of stmt.iterate() as IterableIterator<string>) addRow(sums, table.name, 1, row);
  }
  return sums;
}

/** The canonical state hash: hex SHA-256 over every table's name, row count and sum, by table name. */
export function hashSums(sums: StateSums): string {
  const h = createHash('sha256');
  for (const name of [...sums.keys()].sort()) {
    const { rows, sum } = sums.get(name)!;
    h.update(`${name}\t${rows}\t${sum.toString(16)}\n`);
  }
  return h.digest('hex');
}

export function stateHash(db: Database.Database, tables: Table[]): string {
  return hashSums(computeSums(db, tables));
}

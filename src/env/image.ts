import Database from 'better-sqlite3';
import type { DomainSpec, Table } from '../spec/domain.js';
import { createTableSql, resolveReference, SEQ_TABLE, trackingTriggersSql } from './schema-sql.js';
import { computeSums, type StateSums } from './state-hash.js';
import { registerFunctions } from './sql-functions.js';
import { toColumnValue } from './values.js';

/** The seed state of a domain, built once: a serialized SQLite database and its per-table sums. */
export interface DomainImage {
  bytes: Buffer;
  sums: StateSums;
  /** Next value of each seq() sequence in the image, so a fork need not read them back. */
  sequences: ReadonlyMap<string, number>;
}

/** Page size of every image (and so of every session's copy). */
export const IMAGE_PAGE_SIZE = 1024;

/** Raised for a problem in the domain's tables or seed rows; the loader prefixes the domain. */
export class SeedError extends Error {}

function checkTables(tables: Table[]): void {
  const names = new Set<string>();
  for (const t of tables) {
    if (names.has(t.name)) throw new SeedError(`table ${t.name} is declared twice`);
    names.add(t.name);
    const cols = new Set<string>();
    for (const c of t.columns) {
      if (cols.has(c.name)) throw new SeedError(`table ${t.name}: column ${c.name} is declared twice`);
      cols.add(c.name);
      if (c.references && !resolveReference(c.references, tables)) {
        throw new SeedError(`table ${t.name}: column ${c.name} references ${c.references}, which is not a table with a one-column key or a table.column`);
      }
    }
    for (const k of [...t.primaryKey, ...(t.indexes ?? []).flat()]) {
      if (!cols.has(k)) throw new SeedError(`table ${t.name}: key or index column ${k} is not a column`);
    }
  }
}

function insertSeed(db: Database.Database, spec: DomainSpec): void {
  for (const [tableName, rows] of Object.entries(spec.seed)) {
    const table = spec.tables.find((t) => t.name === tableName);
    if (!table) throw new SeedError(`seed.json has rows for ${tableName}, which is not a table`);
    const cols = table.columns;
    const insert = db.prepare(`INSERT INTO "${table.name}" (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    const known = new Set(cols.map((c) => c.name));
    rows.forEach((row, i) => {
      const unknown = Object.keys(row).find((k) => !known.has(k));
      if (unknown) throw new SeedError(`seed.json ${tableName}[${i}] has a field ${unknown} that is not a column`);
      try {
        insert.run(cols.map((c) => toColumnValue(c.type, row[c.name])));
      } catch (err) {
        throw new SeedError(`seed.json ${tableName}[${i}] cannot be stored: ${(err as Error).message}`);
      }
    });
  }
  const broken = db.prepare('PRAGMA foreign_key_check').all() as Array<{ table: string; rowid: number; parent: string }>;
  if (broken.length > 0) {
    const b = broken[0];
    const more = broken.length > 1 ? ` (and ${broken.length - 1} more rows like it)` : '';
    throw new SeedError(`seed.json ${b.table}[${b.rowid - 1}] points at a missing ${b.parent} row${more}`);
  }
}

export function buildImage(spec: DomainSpec): DomainImage {
  checkTables(spec.tables);
  const db = new Database(':memory:');
  try {
    // Every table and index takes at least one page, and each session that writes holds its own
    // copy of the image: 1 KB pages keep a small domain's image (and its page cache) about half of
    // what SQLite's default 4 KB pages make it.
    db.pragma(`page_size = ${IMAGE_PAGE_SIZE}`);
    registerFunctions(db, { now: spec.clock });
    // Seed rows may come in any order; references are checked once all are in.
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      for (const t of spec.tables) for (const sql of createTableSql(t, spec.tables)) db.exec(sql);
      insertSeed(db, spec);
      db.exec(`CREATE TABLE ${SEQ_TABLE} (name TEXT PRIMARY KEY, next INTEGER NOT NULL) STRICT`);
      const seq = db.prepare(`INSERT INTO ${SEQ_TABLE} (name, next) VALUES (?, ?)`);
      for (const [name, start] of Object.entries(spec.sequences)) seq.run(name, start);
      for (const t of spec.tables) for (const sql of trackingTriggersSql(t)) db.exec(sql);
    })();
    return { bytes: db.serialize(), sums: computeSums(db, spec.tables), sequences: new Map(Object.entries(spec.sequences)) };
  } finally {
    db.close();
  }
}

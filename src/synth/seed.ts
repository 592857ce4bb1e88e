import type { SeedFile } from '../spec/domain.js';
import type { Random } from '../tasks/random.js';
import { styledId, type ColumnDraft, type DomainModel, type TableDraft } from './model.js';
import { columnValue, dayFrom, entityName, ownWord } from './values.js';
import { sqlName as q } from './words.js';

/**
 * Rows per entity table: enough that lists and searches show several, every read finds
 * something and every delete has a spare. Tables that refer to another (orders of customers,
 * items of orders) get twice as many, so that parents have several children each.
 */
export const ROWS_PER_TABLE = 8;
const CHILD_ROWS = 2 * ROWS_PER_TABLE;
/** Children per parent, in a row: the first parents have several, the last none. */
const CHILDREN_EACH = 3;

const rowCount = (table: TableDraft) => ([...table.columns.values()].some((c) => c.references && c.references !== table.name) ? CHILD_ROWS : ROWS_PER_TABLE);

/** The id of the n-th seed row (1-based); creates continue from SEQUENCE_START. */
export const seedId = (table: TableDraft, n: number): string | number =>
  table.pkType === 'integer' ? n : table.idStyle ? styledId(table.idStyle, n) : table.digitIds ? String(n) : `${table.prefix}-${n}`;
export const SEQUENCE_START = 1001;

/**
 * A value every tool filling the column accepts: whole numbers when one of them wants an integer,
 * digits in text when one wants text and another a number (arguments are read back by JSON type).
 */
function suitAll(col: ColumnDraft, value: unknown, i: number): unknown {
  const types = col.sources ?? new Set([col.type]);
  const numeric = types.has('integer') || types.has('real');
  if (types.size > 1 && numeric && types.has('text')) return String(typeof value === 'number' ? Math.round(value) : i + 1);
  if (types.size > 1 && col.type === 'text') return value === null || typeof value === 'string' ? value : JSON.stringify(value);
  if (types.has('integer') && typeof value === 'number') return Math.round(value);
  // Whatever a schema said, the stored value must have the column's type or the seed will not load.
  if (value === null || col.type === 'json') return value;
  if (col.type === 'boolean') return typeof value === 'boolean' ? value : i % 2 === 0;
  if (col.type === 'text') return typeof value === 'string' ? value : JSON.stringify(value);
  return typeof value === 'number' ? value : i + 1;
}

const suits = (type: ColumnDraft['type'], v: unknown) =>
  type === 'json' || (type === 'text' ? typeof v === 'string' : type === 'boolean' ? typeof v === 'boolean' : typeof v === 'number');

/** A seed value for a column that is no key, reference, name or timestamp. */
function plainValue(col: ColumnDraft, rng: Random, i: number, clock: string): unknown {
  return col.enum && col.enum.length > 0 && col.enum.every((v) => suits(col.type, v)) ? col.enum[i % col.enum.length] : suitAll(col, columnValue(col.name, col.type, col.schema, rng, i, clock), i);
}

const sqlLiteral = (v: unknown): string =>
  v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? '1' : '0') : `'${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/'/g, "''")}'`;

const DATE_TIME = /(_at|datetime|timestamp|_time)$/;
const DATE = /(date|_on|_day)$/;

/**
 * The SQL value a create gives a response field that no argument sets, fixed at synthesis: the
 * clock for dates and times, a parent's first row for a reference, else a seed-like value.
 */
export function defaultValue(col: ColumnDraft, model: DomainModel, rng: Random, clock: string): string {
  if (col.references) {
    const parent = model.tables.find((t) => t.name === col.references)!;
    return `(SELECT ${q(parent.pk)} FROM ${q(parent.name)} ORDER BY rowid LIMIT 1)`;
  }
  // A field the API declares always null (a `finished_at` of something unfinished) stays null.
  if (col.schema?.type === 'null') return 'NULL';
  const format = typeof col.schema?.format === 'string' ? col.schema.format : '';
  if (col.type === 'text' && (format === 'date-time' || (!format && DATE_TIME.test(col.name)))) return 'now()';
  if (col.type === 'text' && (format === 'date' || (!format && DATE.test(col.name)))) return 'substr(now(), 1, 10)';
  return sqlLiteral(plainValue(col, rng, 0, clock));
}

/** Parents before children; a reference that closes a cycle is left empty (columns are nullable). */
function order(tables: TableDraft[]): TableDraft[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableDraft[] = [];
  const visit = (t: TableDraft) => {
    if (done.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const c of t.columns.values()) if (c.references && c.references !== t.name) visit(byName.get(c.references)!);
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  tables.forEach(visit);
  return out;
}

/** Pairs of dates in a row where the first comes first (created before updated, arrival before departure). */
const DATE_PAIRS: Array<[RegExp, RegExp]> = [
  [/created/, /(updated|modified|changed)/],
  [/(start|begin|from|since|opened|check_?in|arriv|depart)/, /(end|finish|to|until|closed|check_?out|return)/],
  [/(issued|ordered|placed|sent|submitted)/, /(due|paid|shipped|delivered|received|completed|expir)/],
];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/;

/** Put each pair of dates of a row in order: a later date moved after the earlier one. */
function orderDates(row: Record<string, unknown>, rng: Random): void {
  const dates = Object.entries(row).filter(([, v]) => typeof v === 'string' && ISO_DATE.test(v)) as Array<[string, string]>;
  for (const [firstName, secondName] of DATE_PAIRS) {
    for (const [a, av] of dates) {
      if (!firstName.test(a)) continue;
      for (const [b] of dates) {
        const bv = row[b] as string;
        if (a === b || !secondName.test(b) || firstName.test(b) || bv > av) continue;
        const full = bv.length > 10;
        row[b] = dayFrom(`${av.slice(0, 10)}T${av.length > 10 ? av.slice(11, 19) : '09:00:00'}Z`, rng.int(1, 30), full);
      }
    }
  }
}

/**
 * Seed rows, deterministic for a given Random: typed and plausible by column name and schema,
 * dates consistent with the clock and with each other, references only to rows that exist, text
 * values not repeated within a column. Each parent row has several children in a row, and the
 * last row of every table is nobody's parent, so it can be deleted.
 */
export function seedRows(model: DomainModel, rng: Random, clock: string): SeedFile {
  const seed: SeedFile = {};
  const inserted = new Set<string>();
  for (const table of order(model.tables)) {
    if (table.ledger) continue;
    const rows: Array<Record<string, unknown>> = [];
    const seen = new Map<string, Set<unknown>>();
    const count = rowCount(table);
    for (let i = 0; i < count; i++) {
      const row: Record<string, unknown> = { [table.pk]: seedId(table, i + 1) };
      for (const col of table.columns.values()) {
        if (col.references) {
          const parent = model.tables.find((t) => t.name === col.references)!;
          const self = parent.name === table.name;
          const parents = rowCount(parent);
          // A row may point at an earlier row of its own table, never at itself or at a later one.
          if (self ? i === 0 : !inserted.has(parent.name)) row[col.name] = null;
          else row[col.name] = seedId(parent, self ? i : (Math.floor(i / CHILDREN_EACH) % (parents - 1)) + 1);
          continue;
        }
        if (col.name === 'created_at' || col.name === 'updated_at') {
          row[col.name] = new Date(new Date(clock).getTime() - (60 - 2 * i) * 86_400_000 - (col.name === 'created_at' ? 86_400_000 * rng.int(5, 40) : 0)).toISOString().replace('.000Z', 'Z');
          continue;
        }
        const values = seen.get(col.name) ?? new Set();
        seen.set(col.name, values);
        let value: unknown;
        // Redraw a text value the column already has (three tries): emails and names stay distinct.
        for (let attempt = 0; attempt < 3; attempt++) {
          value = col.name === 'name' && col.type === 'text' && !ownWord(col.schema) ? entityName(table.entity, rng) : plainValue(col, rng, i + attempt * count, clock);
          if (typeof value !== 'string' || !values.has(value)) break;
        }
        values.add(value);
        row[col.name] = value;
      }
      orderDates(row, rng);
      rows.push(row);
    }
    seed[table.name] = rows;
    inserted.add(table.name);
  }
  return seed;
}

import type Database from 'better-sqlite3';
import type { Domain } from '../env/domain.js';
import type { Table } from '../spec/domain.js';
import { entityOf } from './intent.js';
import { nameText } from './say.js';
import { tableReferences } from './param-sources.js';

/** Columns a person recognises a row by, best first. */
const READABLE = ['name', 'full_name', 'display_name', 'title', 'subject', 'label', 'headline', 'summary'];
/** Handles that name a row when nothing readable does (a person known by their email). */
const HANDLES = ['username', 'email'];
/** Things people are: a row of these can be the user, or someone the user names. */
const PEOPLE = /^(user|member|customer|client|employee|patient|passenger|person|people|contact|guest|traveler|traveller|student|learner|consumer|buyer|seller|staff|candidate|applicant|subscriber|player|author|owner|driver|agent|rider|tenant|worker|volunteer|attendee|participant|account holder)$/;
/** Things people hold a number for (an order number from an email, a booking reference). */
const DOCUMENTS = /^(order|reservation|booking|ticket|invoice|confirmation|shipment|tracking|flight|appointment|subscription|issue|case|receipt|claim|policy|application|incident|trip|ride|package|parcel|delivery|payment|transaction|refund|return|loan|lease|contract|quote|voucher|coupon|license|licence|registration|enrollment|enrolment|visit|prescription|card|account|membership)$/;
/** Columns whose values a person knows about themselves or a thing they hold. */
const NATURAL = /(^|_)(email|e_mail|mail|username|user_name|login|handle|phone|phone_number|mobile|slug|code|sku|isbn|ean|upc|barcode|confirmation|confirmation_code|confirmation_number|reference|reference_number|booking_reference|order_number|tracking_number|invoice_number|serial|serial_number|plate|license_plate|zip|zip_code|postal_code|iata|symbol|ticker)$/;

export interface RowRef {
  table: string;
  row: Record<string, unknown>;
}

const last = (entity: string) => entity.split(' ').pop()!;

export class Rows {
  private readonly tables: Map<string, Table>;
  private readonly refs: Map<string, Array<[string, string, string]>>;
  private readonly statements = new Map<string, { reader: Database.Database; stmt: Database.Statement }>();

  constructor(private readonly domain: Domain) {
    this.tables = new Map(domain.spec.tables.map((t) => [t.name, t]));
    this.refs = tableReferences(domain);
  }

  table(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** The single-column primary key of a table, if it has one. */
  key(table: string): string | undefined {
    const t = this.tables.get(table);
    return t && t.primaryKey.length === 1 ? t.primaryKey[0] : undefined;
  }

  /** Whether rows of a table are people (customers, members, users...). */
  isPeople(table: string): boolean {
    const t = this.tables.get(table);
    if (!t) return false;
    if (PEOPLE.test(last(entityOf(table)))) return true;
    const cols = new Set(t.columns.map((c) => c.name));
    return cols.has('email') && (cols.has('first_name') || cols.has('firstname') || cols.has('given_name'));
  }

  /** Whether a person would hold a number for rows of this table (orders, bookings, tickets). */
  isDocument(table: string): boolean {
    return DOCUMENTS.test(last(entityOf(table)));
  }

  /** Whether a column holds something a person knows and says (an email, an order number), not an internal key. */
  isNatural(table: string, column: string): boolean {
    if (this.key(table) === column) return false;
    const col = this.tables.get(table)?.columns.find((c) => c.name === column);
    if (!col || col.references) return false;
    return NATURAL.test(column.toLowerCase()) || READABLE.includes(column) || HANDLES.includes(column);
  }

  /** The readable name of a row and the column it came from: name, title, email... or first and last name. */
  label(table: string, row: Record<string, unknown>): { column: string; value: string } | undefined {
    const t = this.tables.get(table);
    if (!t) return undefined;
    const key = this.key(table);
    for (const column of READABLE) {
      if (column === key || !(column in row)) continue;
      const value = nameText(row[column]);
      if (value && value.length >= 2 && value.length <= 80) return { column, value };
    }
    for (const [first, lastName] of [['first_name', 'last_name'], ['firstname', 'lastname'], ['given_name', 'family_name']]) {
      const a = nameText(row[first]);
      const b = nameText(row[lastName]);
      if (a && b) return { column: 'name', value: `${a} ${b}` };
    }
    for (const column of HANDLES) {
      const value = column !== key && typeof row[column] === 'string' ? (row[column] as string) : undefined;
      if (value && value.length >= 2) return { column, value };
    }
    return undefined;
  }

  /** One row by a column value (the first, in key order), as stored. */
  find(table: string, column: string, value: unknown, reader: Database.Database = this.domain.base): Record<string, unknown> | undefined {
    if (!this.tables.get(table)?.columns.some((c) => c.name === column)) return undefined;
    const v = typeof value === 'boolean' ? Number(value) : value;
    if (v !== null && typeof v === 'object') return undefined;
    const key = `${table}|${column}`;
    let cached = this.statements.get(key);
    if (!cached || cached.reader !== reader) this.statements.set(key, (cached = { reader, stmt: reader.prepare(`SELECT * FROM "${table}" WHERE "${column}" = ? LIMIT 1`) }));
    const row = cached.stmt.get(v) as Record<string, unknown> | undefined;
    return row ? this.parsed(table, row) : undefined;
  }

  /** JSON columns parsed, booleans as booleans: the row as tools show it. */
  parsed(table: string, row: Record<string, unknown>): Record<string, unknown> {
    const t = this.tables.get(table)!;
    const out: Record<string, unknown> = { ...row };
    for (const c of t.columns) {
      if (c.type === 'json' && typeof out[c.name] === 'string') {
        try {
          out[c.name] = JSON.parse(out[c.name] as string);
        } catch {
          // Stored text that is not JSON stays text.
        }
      } else if (c.type === 'boolean' && typeof out[c.name] === 'number') out[c.name] = out[c.name] === 1;
    }
    return out;
  }

  /** Columns of a table that point at rows of another table: [column, referenced table, referenced column]. */
  references(table: string): Array<[string, string, string]> {
    return this.refs.get(table) ?? [];
  }
}

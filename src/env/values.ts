import type { Column } from '../spec/domain.js';

/** What SQLite can bind: JSON values become text, booleans 0/1, missing values NULL. */
export type SqlValue = string | number | bigint | null;

export function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  // better-sqlite3 binds every JS number as REAL; whole numbers must reach SQLite as INTEGER.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'bigint') return value;
  return JSON.stringify(value);
}

/** A stored column value as the JSON value a tool returns. */
export function fromColumnValue(type: Column['type'] | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'json') return JSON.parse(String(value));
  if (type === 'boolean') return value === 1 || value === 1n;
  return value;
}

/** A seed value as stored in a column of the given type. */
export function toColumnValue(type: Column['type'], value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (type === 'json') return JSON.stringify(value);
  return toSqlValue(value);
}

import type { Column } from '../spec/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';

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

/** A stored value in the JSON shape a parameter's schema expects (for arguments taken from rows); a single value where a list is expected becomes a list of one. */
export function fitValue(prop: JsonSchema, value: unknown): unknown {
  const type = Array.isArray(prop.type) ? (prop.type as string[]).find((t) => t !== 'null') : prop.type;
  if (typeof value === 'bigint') value = Number(value);
  if (type === 'boolean') return value === 1 || value === true || value === '1' || value === 'true';
  if ((type === 'array' || type === 'object') && typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // Plain text: an array of it below, or left for validation to name.
    }
  }
  // One stored value where a list is expected (`case_id: [6]` from a row's case_id 6).
  if (type === 'array') return Array.isArray(value) || value === null || value === undefined ? value : [fitValue((prop.items ?? {}) as JsonSchema, value)];
  if (type === 'object') return value;
  if (type === 'string' && typeof value === 'number') return String(value);
  if ((type === 'integer' || type === 'number') && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

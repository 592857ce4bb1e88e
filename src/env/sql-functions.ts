import type Database from 'better-sqlite3';
import { TRACK_FUNCTION } from './schema-sql.js';

/** What a connection's helper functions act on. */
export interface FunctionHooks {
  /** The domain's simulated now, ISO 8601. */
  now: string;
  /** Next value of a named sequence; absent on read-only connections. */
  seq?: (name: string) => number;
  /** Receives every changed row from the tracking triggers; absent on read-only connections. */
  track?: (table: string, sign: 1 | -1, canonicalRow: string) => void;
}

function readOnly(what: string): never {
  throw new Error(`${what} is not available on a read-only state`);
}

/**
 * The deterministic SQL helpers: now() (the domain clock) and seq(name) (per-state sequences),
 * plus the engine's own tracking function that the image's triggers call.
 */
export function registerFunctions(db: Database.Database, hooks: FunctionHooks): void {
  const { now, seq, track } = hooks;
  db.function('now', { deterministic: true }, () => now);
  db.function('seq', (name: unknown) => (seq ? BigInt(seq(String(name))) : readOnly('seq()')));
  db.function(TRACK_FUNCTION, (table: unknown, sign: unknown, row: unknown) => {
    if (!track) readOnly('writing');
    track(String(table), Number(sign) > 0 ? 1 : -1, String(row));
    return null;
  });
}

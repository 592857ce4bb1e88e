import Database from 'better-sqlite3';
import { StepFailure } from './executor.js';
import { TRACK_FUNCTION } from './schema-sql.js';
import { REAL_CLOCK_VALUE } from './sql-check.js';

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

/** SQLite's date and time functions, with how many leading arguments are not time values. */
const DATE_FUNCTIONS: ReadonlyArray<[name: string, before: number]> = [
  ['date', 0],
  ['time', 0],
  ['datetime', 0],
  ['julianday', 0],
  ['unixepoch', 0],
  ['timediff', 0],
  ['strftime', 1],
];
/** What CURRENT_TIME, CURRENT_DATE and CURRENT_TIMESTAMP compile to. */
const CLOCK_FUNCTIONS = ['current_time', 'current_date', 'current_timestamp'];

/**
 * A connection without overrides, where SQLite's own date functions compute (lazily opened).
 * Integers come back as BigInt so that they return to SQLite as INTEGER, not REAL.
 */
let plain: Database.Database | undefined;
const builtins = new Map<string, Database.Statement>();
function builtin(name: string, args: unknown[]): unknown {
  const key = `${name}/${args.length}`;
  let stmt = builtins.get(key);
  if (!stmt) builtins.set(key, (stmt = (plain ??= new Database(':memory:')).prepare(`SELECT ${name}(${args.map(() => '?').join(', ')})`).pluck().safeIntegers(true)));
  return stmt.get(...args);
}

/**
 * SQLite's date functions read the machine's clock for 'now' (or no time value at all) and its
 * time zone for 'localtime' and 'utc', however the string was built: from an argument, a column,
 * or replace('nxw', 'x', 'o'). On every connection they are replaced by checked versions that
 * refuse those values (a tool error) and otherwise compute as SQLite does.
 */
function registerDateFunctions(db: Database.Database): void {
  const refuse = (what: string): never => {
    throw new StepFailure(`Error: ${what} would read the machine's clock or time zone; the domain's time is now().`);
  };
  for (const [name, before] of DATE_FUNCTIONS) {
    db.function(name, { varargs: true, deterministic: true, safeIntegers: true }, (...args: unknown[]) => {
      if (args.length <= before) refuse(`${name}() without a time value`);
      for (const a of args) if (typeof a === 'string' && REAL_CLOCK_VALUE.test(a)) refuse(`"${a}"`);
      return builtin(name, args);
    });
  }
  for (const name of CLOCK_FUNCTIONS) db.function(name, { deterministic: true }, () => refuse(name.toUpperCase()));
}

/**
 * The deterministic SQL helpers: now() (the domain clock) and seq(name) (per-state sequences),
 * checked date functions, plus the engine's own tracking function that the image's triggers call.
 */
export function registerFunctions(db: Database.Database, hooks: FunctionHooks): void {
  const { now, seq, track } = hooks;
  db.function('now', { deterministic: true }, () => now);
  registerDateFunctions(db);
  db.function('seq', (name: unknown) => (seq ? BigInt(seq(String(name))) : readOnly('seq()')));
  db.function(TRACK_FUNCTION, (table: unknown, sign: unknown, row: unknown) => {
    if (!track) readOnly('writing');
    track(String(table), Number(sign) > 0 ? 1 : -1, String(row));
    return null;
  });
}

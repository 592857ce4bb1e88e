import type Database from 'better-sqlite3';
import { tokenize, namedParameters, type Token } from './sql-tokens.js';

/** Raised when spec SQL breaks a rule; the loader adds domain, tool and step to the message. */
export class SqlRuleError extends Error {}

export interface StatementRules {
  /** May the statement change state (INSERT/UPDATE/DELETE)? */
  write: boolean;
  /** Root pages of the tables and indexes the statement may open. */
  allowedRoots: ReadonlySet<number>;
}

export interface CheckedStatement {
  sql: string;
  /** Named parameters, without prefix. */
  params: string[];
  /** Whether it may delete rows (DELETE, or REPLACE which deletes on conflict). */
  deletes: boolean;
  /** Parameters passed to date and time functions: their values are checked at call time. */
  timeParams: string[];
  /** Result columns (for reads): name, and the table and column each comes straight from, if any. */
  columns: Array<{ name: string; table: string | null; column: string | null }>;
}

const READ_STARTS = new Set(['SELECT', 'WITH', 'VALUES']);
const WRITE_STARTS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'WITH']);
/** Names that reach outside the domain's own tables, or into the engine's internals. */
const FORBIDDEN_NAME = /^(sqlite_|pragma_|_es_|dbstat$)/i;
/** Schema qualifiers: spec SQL names the domain's tables directly. */
const SCHEMA_NAMES = new Set(['main', 'temp', 'temporary']);
/** Functions whose results depend on something other than the state and the arguments. */
const FORBIDDEN_FUNCTIONS = new Set(['load_extension', 'random', 'randomblob', 'changes', 'total_changes', 'sqlite_offset']);
const CLOCK_WORDS = new Set(['CURRENT_TIME', 'CURRENT_DATE', 'CURRENT_TIMESTAMP']);
const DATE_FUNCTIONS = new Set(['date', 'time', 'datetime', 'julianday', 'unixepoch', 'timediff']);
/** Time values and modifiers that read the machine's clock or time zone. */
export const REAL_CLOCK_VALUE = /^\s*(now|localtime|utc)\s*$/i;

/** Parameters that appear among the arguments of a date or time function. */
function timeParameters(tokens: Token[]): string[] {
  const out = new Set<string>();
  tokens.forEach((t, i) => {
    const lower = t.kind === 'word' ? t.text.toLowerCase() : '';
    if (!(DATE_FUNCTIONS.has(lower) || lower === 'strftime') || tokens[i + 1]?.text !== '(') return;
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const x = tokens[j];
      if (x.kind === 'punct' && x.text === '(') depth++;
      else if (x.kind === 'punct' && x.text === ')' && --depth === 0) break;
      else if (x.kind === 'param') out.add(x.text.slice(1));
    }
  });
  return [...out];
}

/** Number of top-level arguments of the call whose '(' is at tokens[open]. */
function argumentCount(tokens: Token[], open: number): number {
  let depth = 0;
  let count = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') {
      if (depth === 1 && count === 0) count = 1;
      continue;
    }
    if (t.text === '(') {
      if (depth === 1 && count === 0) count = 1;
      depth++;
    } else if (t.text === ')') {
      depth--;
      if (depth === 0) return count;
    } else if (t.text === ',' && depth === 1) count++;
  }
  return count;
}

function checkTokens(tokens: Token[], rules: StatementRules): void {
  const first = tokens.find((t) => t.kind === 'word')?.text.toUpperCase();
  const starts = rules.write ? WRITE_STARTS : READ_STARTS;
  if (!first || !starts.has(first)) {
    const allowed = [...starts].join(', ');
    throw new SqlRuleError(`must start with one of ${allowed} (found ${first ?? 'nothing'})`);
  }
  tokens.forEach((t, i) => {
    if (t.kind === 'param' && t.text[0] === '?') throw new SqlRuleError('uses a positional parameter; name it (:name)');
    if (t.kind === 'string' && REAL_CLOCK_VALUE.test(t.text)) {
      throw new SqlRuleError(`uses the real clock or time zone ('${t.text.trim()}'); use now() for the domain's simulated time`);
    }
    if (t.kind !== 'word' && t.kind !== 'ident') return;
    const qualifies = tokens[i + 1]?.kind === 'punct' && tokens[i + 1].text === '.';
    if (FORBIDDEN_NAME.test(t.text) || (qualifies && SCHEMA_NAMES.has(t.text.toLowerCase()))) {
      throw new SqlRuleError(`refers to "${t.text}", which is outside the domain's tables`);
    }
    if (t.kind !== 'word') return;
    const upper = t.text.toUpperCase();
    const lower = t.text.toLowerCase();
    if (CLOCK_WORDS.has(upper)) throw new SqlRuleError(`uses the real clock (${upper}); use now() for the domain's simulated time`);
    const isCall = tokens[i + 1]?.kind === 'punct' && tokens[i + 1].text === '(';
    if (!isCall) return;
    if (FORBIDDEN_FUNCTIONS.has(lower)) throw new SqlRuleError(`calls ${lower}(), which is not allowed in domain SQL`);
    if (DATE_FUNCTIONS.has(lower) && argumentCount(tokens, i + 1) === 0) {
      throw new SqlRuleError(`calls ${lower}() without a time value, which reads the real clock; pass now()`);
    }
    if (lower === 'strftime' && argumentCount(tokens, i + 1) < 2) {
      throw new SqlRuleError('calls strftime() without a time value, which reads the real clock; pass now()');
    }
    if (lower === 'seq' && !rules.write) throw new SqlRuleError('calls seq(), which only write steps may use');
  });
}

const OPEN_OPS = new Set(['OpenRead', 'OpenWrite', 'ReopenIdx', 'OpenDup']);

/** Look at the compiled program: every table it opens must be one of the domain's own, in `main`. */
function checkProgram(db: Database.Database, sql: string, params: string[], rules: StatementRules): void {
  const nulls = Object.fromEntries(params.map((p) => [p, null]));
  const program = db.prepare(`EXPLAIN ${sql}`).all(nulls) as Array<{ opcode: string; p2: number; p3: number; p4: unknown }>;
  for (const op of program) {
    if (OPEN_OPS.has(op.opcode) && (op.p3 !== 0 || !rules.allowedRoots.has(op.p2))) {
      throw new SqlRuleError('opens a table that is not one of the domain\'s own');
    }
    if (op.opcode === 'VUpdate') throw new SqlRuleError('writes to a virtual table');
  }
}

/**
 * Check one statement of spec SQL and compile it once: a single statement, of the right kind,
 * touching only the domain's tables, deterministic. Throws SqlRuleError with the reason.
 */
export function checkStatement(db: Database.Database, sql: string, rules: StatementRules): CheckedStatement {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch (err) {
    throw new SqlRuleError((err as Error).message);
  }
  checkTokens(tokens, rules);
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(sql);
  } catch (err) {
    const msg = (err as Error).message;
    throw new SqlRuleError(/more than one statement/i.test(msg) ? 'holds more than one statement' : `does not compile: ${msg}`);
  }
  if (!rules.write && !stmt.readonly) throw new SqlRuleError('could change state, but this step may only read');
  if (rules.write && stmt.readonly) throw new SqlRuleError('does not change state; use a query step');
  const params = namedParameters(tokens);
  checkProgram(db, sql, params, rules);
  const deletes = tokens.some((t) => t.kind === 'word' && /^(DELETE|REPLACE)$/i.test(t.text));
    const columns = stmt.reader ? stmt.columns().map((c) => ({ name: c.name, table: c.table, column: c.column })) : [];
  return { sql, params, deletes, timeParams: timeParameters(tokens), columns };
}

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
  /** Result columns (for reads): name, and the table and column each comes straight from, if any. */
  columns: Array<{ name: string; table: string | null; column: string | null }>;
}

const READ_STARTS = new Set(['SELECT', 'WITH', 'VALUES']);
const WRITE_STARTS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'WITH']);
/** Names that reach outside the domain's own tables, or into the engine's internals. */
const FORBIDDEN_NAME = /^(sqlite_|pragma_|_es_|dbstat$)/i;
/** Schema qualifiers: spec SQL names the domain's tables directly. */
const SCHEMA_NAMES = new Set(['main', 'temp', 'temporary']);
/**
 * Functions whose results depend on something other than the state and the arguments, or that
 * build values of any size from a number (zeroblob).
 */
const FORBIDDEN_FUNCTIONS = new Set(['load_extension', 'random', 'randomblob', 'changes', 'total_changes', 'sqlite_offset', 'zeroblob']);
/** The keywords, and the functions they name (callable as "current_date"()), that read the real clock. */
const CLOCK_WORDS = new Set(['CURRENT_TIME', 'CURRENT_DATE', 'CURRENT_TIMESTAMP']);
/** printf() and format() widths and precisions above this build strings far larger than any result. */
const MAX_FORMAT_WIDTH = 1000;
/** A recursive CTE must stop after at most this many rows (its LIMIT). */
export const MAX_RECURSION_LIMIT = 100_000;
const DATE_FUNCTIONS = new Set(['date', 'time', 'datetime', 'julianday', 'unixepoch', 'timediff']);
/** Time values and modifiers that read the machine's clock or time zone. */
export const REAL_CLOCK_VALUE = /^\s*(now|localtime|utc)\s*$/i;

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

/** The index of the token that closes the parenthesis opened at tokens[open]. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return i;
  }
  return tokens.length;
}

const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text.toUpperCase() === word;
const isPunct = (t: Token | undefined, text: string) => t?.kind === 'punct' && t.text === text;
/** A name as SQLite compares it: any quoting ("x", [x], `x`) and any case. */
const nameOf = (t: Token | undefined) => (t && (t.kind === 'word' || t.kind === 'ident') ? t.text.toLowerCase() : undefined);

/**
 * printf() and format() with a literal format whose widths and precisions are small numbers: a
 * `*` or a large width lets one call build a string of hundreds of megabytes.
 */
function checkFormat(tokens: Token[], open: number, name: string): void {
  const format = tokens[open + 1];
  if (format?.kind !== 'string' || !(isPunct(tokens[open + 2], ',') || isPunct(tokens[open + 2], ')'))) {
    throw new SqlRuleError(`calls ${name}() with a format that is not a string literal; write the format in the SQL`);
  }
  for (const m of format.text.matchAll(/%[-+ 0#,!]*(\*|\d+)?(?:\.(\*|\d+))?/g)) {
    for (const size of [m[1], m[2]]) {
      if (size === '*' || Number(size) > MAX_FORMAT_WIDTH) {
        throw new SqlRuleError(`calls ${name}() with a width or precision of ${size}; use at most ${MAX_FORMAT_WIDTH}, written in the format`);
      }
    }
  }
}

/**
 * Every recursive CTE (one whose body names itself; SQLite needs no RECURSIVE keyword for that)
 * must end with LIMIT <number>: nothing can interrupt a statement once it runs, and a recursion
 * without a bound (SELECT x + 1 FROM c) never ends.
 */
function checkRecursion(tokens: Token[]): void {
  tokens.forEach((t, i) => {
    if (!isWord(t, 'WITH')) return;
    let j = isWord(tokens[i + 1], 'RECURSIVE') ? i + 2 : i + 1;
    for (;;) {
      const name = nameOf(tokens[j]);
      if (!name) return;
      j++;
      if (isPunct(tokens[j], '(')) j = closing(tokens, j) + 1;
      if (!isWord(tokens[j], 'AS')) return;
      j++;
      while (isWord(tokens[j], 'NOT') || isWord(tokens[j], 'MATERIALIZED')) j++;
      if (!isPunct(tokens[j], '(')) return;
      const end = closing(tokens, j);
      const body = tokens.slice(j + 1, end);
      if (body.some((b) => nameOf(b) === name)) checkRecursionLimit(body, name);
      j = end + 1;
      if (!isPunct(tokens[j], ',')) return;
      j++;
    }
  });
}

function checkRecursionLimit(body: Token[], name: string): void {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    if (depth !== 0 || !isWord(t, 'LIMIT')) continue;
    // LIMIT n, LIMIT n OFFSET m, or LIMIT m, n (offset first).
    const first = body[i + 1];
    const limit = isPunct(body[i + 2], ',') ? body[i + 3] : first;
    if (first?.kind === 'number' && limit?.kind === 'number' && Number(limit.text) <= MAX_RECURSION_LIMIT) return;
    throw new SqlRuleError(`has a recursive WITH (${name}) whose LIMIT is not a number up to ${MAX_RECURSION_LIMIT}; write LIMIT n with n at most ${MAX_RECURSION_LIMIT}`);
  }
  throw new SqlRuleError(`has a recursive WITH (${name}) without a LIMIT, which could run forever; end its SELECT with LIMIT n (n at most ${MAX_RECURSION_LIMIT})`);
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
    const qualifies = isPunct(tokens[i + 1], '.');
    if (FORBIDDEN_NAME.test(t.text) || (qualifies && SCHEMA_NAMES.has(t.text.toLowerCase()))) {
      throw new SqlRuleError(`refers to "${t.text}", which is outside the domain's tables`);
    }
    const upper = t.text.toUpperCase();
    const lower = t.text.toLowerCase();
    const isCall = isPunct(tokens[i + 1], '(');
    // A bare keyword, or the function it names called in any quoting ("current_date"()).
    if (CLOCK_WORDS.has(upper) && (t.kind === 'word' || isCall)) throw new SqlRuleError(`uses the real clock (${upper}); use now() for the domain's simulated time`);
    // Function names count in every quoting form: "random"(), [random](), `random`().
    if (!isCall) return;
    if (FORBIDDEN_FUNCTIONS.has(lower)) throw new SqlRuleError(`calls ${lower}(), which is not allowed in domain SQL`);
    if (DATE_FUNCTIONS.has(lower) && argumentCount(tokens, i + 1) === 0) {
      throw new SqlRuleError(`calls ${lower}() without a time value, which reads the real clock; pass now()`);
    }
    if (lower === 'strftime' && argumentCount(tokens, i + 1) < 2) {
      throw new SqlRuleError('calls strftime() without a time value, which reads the real clock; pass now()');
    }
    if (lower === 'printf' || lower === 'format') checkFormat(tokens, i + 1, lower);
    if (lower === 'seq' && !rules.write) throw new SqlRuleError('calls seq(), which only write steps may use');
  });
  checkRecursion(tokens);
}

/** Opcodes whose P2 is the root page of a table or index (OpenDup's is another cursor: a CTE read twice). */
const OPEN_OPS = new Set(['OpenRead', 'OpenWrite', 'ReopenIdx']);

/** Look at the compiled program: every table it opens must be one of the domain's own, in `main`. */
function checkProgram(db: Database.Database, sql: string, params: string[], rules: StatementRules): void {
  const nulls = Object.fromEntries(params.map((p) => [p, null]));
  // Rows as arrays (addr, opcode, p1, p2, p3, ...): output SQL for large response shapes compiles
  // to thousands of opcodes, and objects per row were most of this check's cost.
  const program = db.prepare(`EXPLAIN ${sql}`).raw(true).all(nulls) as Array<[number, string, number, number, number]>;
  for (const [, opcode, , p2, p3] of program) {
    if (OPEN_OPS.has(opcode) && (p3 !== 0 || !rules.allowedRoots.has(p2))) {
      throw new SqlRuleError('opens a table that is not one of the domain\'s own');
    }
    if (opcode === 'VUpdate') throw new SqlRuleError('writes to a virtual table');
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
  return { sql, params, deletes, columns };
}

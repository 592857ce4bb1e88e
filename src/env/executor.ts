import type Database from 'better-sqlite3';
import type { CompiledOutput, CompiledTool } from './domain.js';
import type { CheckedStatement } from './sql-check.js';
import { fromColumnValue, toSqlValue, type SqlValue } from './values.js';

/** The outcome of one tool call. `text` is what the agent sees. */
export type ToolResult =
  | { ok: true; value: unknown; text: string }
  | { ok: false; error: string; text: string; /** a fault of the spec or engine, not of the agent's input */ internal?: boolean };

/** Thrown by a step whose condition fails; rolls the transaction back. */
export class StepFailure extends Error {}

/** A step failure is an expected outcome, not a bug: skip the cost of capturing a stack. */
function failure(message: string): StepFailure {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new StepFailure(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Prepared statements of one connection, compiled on first use. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(readonly db: Database.Database) {}
  get(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

function bind(stmt: CheckedStatement, values: Record<string, SqlValue>): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const p of stmt.params) out[p] = values[p] ?? null;
  return out;
}

/** `{name}` in a message becomes the value of that argument or bound column. */
function fill(message: string, values: Record<string, SqlValue>): string {
  return message.replace(/\{([A-Za-z0-9_]+)\}/g, (m, name: string) => (name in values ? String(values[name] ?? '') : m));
}

const truthy = (v: unknown) => v !== null && v !== undefined && v !== 0 && v !== 0n && v !== '' && v !== '0';

function shapeOutput(output: CompiledOutput, stmt: Database.Statement, params: Record<string, SqlValue>): unknown {
  const typed = (row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const c of output.columns) out[c.name] = fromColumnValue(c.type, row[c.name]);
    return out;
  };
  switch (output.shape) {
    case 'rows':
      return (stmt.all(params) as Array<Record<string, unknown>>).map(typed);
    case 'row': {
      const row = stmt.get(params) as Record<string, unknown> | undefined;
      return row ? typed(row) : null;
    }
    case 'value': {
      const v = stmt.raw().get(params) as unknown[] | undefined;
      stmt.raw(false);
      return v ? v[0] : null;
    }
    case 'json': {
      const v = stmt.raw().get(params) as unknown[] | undefined;
      stmt.raw(false);
      return v && v[0] !== null ? JSON.parse(String(v[0])) : null;
    }
  }
}

export function resultText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Run a tool's steps and output query on a connection. The caller owns the transaction: any
 * StepFailure or SQLite error thrown from here must roll back.
 */
export function runSteps(cache: StatementCache, tool: CompiledTool, args: Record<string, unknown>): unknown {
  const values: Record<string, SqlValue> = {};
  for (const [k, v] of Object.entries(args)) values[k] = toSqlValue(v);
  for (const step of tool.steps) {
    const stmt = cache.get(step.stmt.sql);
    const params = bind(step.stmt, values);
    if (step.kind === 'run') {
      const { changes } = stmt.run(params);
      if (step.expect === 'change' && changes === 0) throw failure(fill(step.error!, values));
    } else if (step.kind === 'check') {
      const row = stmt.raw().get(params) as unknown[] | undefined;
      stmt.raw(false);
      if (!row || !truthy(row[0])) throw failure(fill(step.error, values));
    } else {
      // Bound columns keep their SQLite types: integers as BigInt, reals as numbers.
      const row = step.as ? (stmt.safeIntegers(true).get(params) as Record<string, SqlValue> | undefined) : (stmt.get(params) as Record<string, unknown> | undefined);
      if (step.expect === 'row' && !row) throw failure(fill(step.error!, values));
      if (row && step.as) for (const [k, v] of Object.entries(row)) values[`${step.as}__${k}`] = v as SqlValue;
      if (step.expect === 'none' && row) throw failure(fill(step.error!, values));
    }
  }
  if (!tool.output) return tool.spec.kind === 'write' ? 'OK' : null;
  return shapeOutput(tool.output, cache.get(tool.output.stmt.sql), bind(tool.output.stmt, values));
}

import Database from 'better-sqlite3';
import type { InitialStatement } from '../spec/task.js';
import type { Domain } from './domain.js';
import { argumentProblem, describeArgumentError } from './arguments.js';
import { resultText, runSteps, StatementCache, StepFailure, type ToolResult } from './executor.js';
import { SEQ_TABLE } from './schema-sql.js';
import { registerFunctions } from './sql-functions.js';
import { addRow, hashSums, mergeSums, type StateSums, type TableSum } from './state-hash.js';
import { toSqlValue } from './values.js';
import { UserError } from '../util/errors.js';

interface Fork {
  db: Database.Database;
  cache: StatementCache;
  /** Next values of seq() sequences, copied from the image at fork time and saved with each write. */
  seq: Map<string, number>;
  touchedSeq: Set<string>;
}

/**
 * How far a session's state may grow beyond its domain's seed image. Past it a write fails with a
 * tool error: memory per session stays bounded whatever a client writes.
 */
export const MAX_STATE_GROWTH_BYTES = 64 * 1024 * 1024;

/** Page cache of a session's private copy, KB. */
export const SESSION_CACHE_KB = 32;

/** Compiled statements of each domain's shared base view, cached once per domain. */
const baseCaches = new WeakMap<Domain, StatementCache>();
function baseCache(domain: Domain): StatementCache {
  let cache = baseCaches.get(domain);
  if (!cache) baseCaches.set(domain, (cache = new StatementCache(domain.base)));
  return cache;
}

/**
 * One isolated state of a domain. Until its first write a session reads the domain's shared seed
 * view, so opening one costs next to nothing; the first write forks a private copy of the image.
 * Its state hash is kept up to date row by row as writes happen.
 */
export class Session {
  private fork?: Fork;
  private sums: StateSums;
  /** Row digests of the transaction in flight; applied on commit, dropped on rollback. */
  private pending?: Map<string, TableSum>;
  private cachedHash?: string;
  private closed = false;

  constructor(readonly domain: Domain) {
    this.sums = domain.image.sums;
  }

  /** Whether this session has its own copy of the state (it has written). */
  get forked(): boolean {
    return this.fork !== undefined;
  }

  /** The connection holding this session's current state, for reading only. */
  get reader(): Database.Database {
    this.assertOpen();
    return this.fork?.db ?? this.domain.base;
  }

  /**
   * Validate the arguments and run the tool; domain failures come back as results, not throws.
   * `limitsChecked`: the caller found no argumentProblem in `args` already (the episode does, to
   * record what it may), so the walk is not repeated.
   */
  call(toolName: string, args: Record<string, unknown> = {}, limitsChecked = false): ToolResult {
    this.assertOpen();
    const tool = this.domain.tools.get(toolName);
    if (!tool) throw new UnknownToolError(toolName, this.domain);
    const problem = limitsChecked ? undefined : argumentProblem(args);
    if (problem) {
      const error = `Invalid arguments for ${toolName}: ${problem}.`;
      return { ok: false, error, text: error };
    }
    const input = structuredClone(args);
    if (!tool.validate(input)) {
      const error = `Invalid arguments for ${toolName}: ${describeArgumentError(tool.validate.errors![0])}.`;
      return { ok: false, error, text: error };
    }
    if (tool.spec.kind === 'read') {
      return this.guard(toolName, () => runSteps(this.fork?.cache ?? baseCache(this.domain), tool, input));
    }
    const fork = this.ensureFork();
    return this.guard(toolName, () => this.inTransaction(fork, () => runSteps(fork.cache, tool, input)));
  }

  /** Apply a task's initial statements (already checked by Domain.checkInitial) in one transaction. */
  applyInitial(statements: InitialStatement[]): void {
    if (statements.length === 0) return;
    const fork = this.ensureFork();
    this.inTransaction(fork, () => {
      for (const s of statements) {
        const params: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(s.params)) params[k] = toSqlValue(v);
        fork.cache.get(s.sql).run(params);
      }
    });
  }

  /** Per-table row counts and digest sums of the current state. */
  get tableSums(): StateSums {
    return this.sums;
  }

  /**
   * Run `body` on this session, then put the state back exactly as it was: rows, hash and
   * sequences. For exploring many call sequences from one state without forking each time.
   */
  rewindAfter<T>(body: () => T): T {
    const fork = this.ensureFork();
    const sums = this.sums;
    const hash = this.cachedHash;
    const seq = new Map(fork.seq);
    fork.db.exec('SAVEPOINT es_rewind');
    try {
      return body();
    } finally {
      fork.db.exec('ROLLBACK TO es_rewind');
      fork.db.exec('RELEASE es_rewind');
      this.sums = sums;
      this.cachedHash = hash;
      fork.seq = seq;
    }
  }

  /** The canonical state hash, maintained incrementally. */
  stateHash(): string {
    this.assertOpen();
    return (this.cachedHash ??= hashSums(this.sums));
  }

  /** The whole state as a SQLite database file image. */
  serialize(): Buffer {
    return this.fork ? this.fork.db.serialize() : Buffer.from(this.domain.image.bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fork?.db.close();
    this.fork = undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`session of ${this.domain.name} is closed`);
  }

  private guard(toolName: string, run: () => unknown): ToolResult {
    try {
      const value = run();
      return { ok: true, value, text: resultText(value) };
    } catch (err) {
      if (err instanceof StepFailure) return { ok: false, error: err.message, text: err.message };
      const e = err as { code?: string; message: string };
      if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
        const error = `Error: ${e.message}`;
        return { ok: false, error, text: error };
      }
      if (e.code === 'SQLITE_FULL') {
        const error = `Error: this session's state is full (it may grow ${MAX_STATE_GROWTH_BYTES / 1024 / 1024} MB beyond the domain's seed); end the session and start a new one.`;
        return { ok: false, error, text: error };
      }
      const error = `Internal error in ${toolName}: ${e.message}`;
      return { ok: false, error, text: error, internal: true };
    }
  }

  private inTransaction<T>(fork: Fork, body: () => T): T {
    this.pending = new Map();
    fork.touchedSeq.clear();
    const before = new Map(fork.seq);
    try {
      const value = fork.db.transaction(() => {
        const v = body();
        if (fork.touchedSeq.size > 0) {
          const save = fork.cache.get(`INSERT INTO ${SEQ_TABLE} (name, next) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET next = excluded.next`);
          for (const name of fork.touchedSeq) save.run(name, fork.seq.get(name));
        }
        return v;
      })();
      if (this.pending.size > 0) {
        this.sums = mergeSums(this.sums, this.pending);
        this.cachedHash = undefined;
      }
      return value;
    } catch (err) {
      fork.seq = before;
      throw err;
    } finally {
      this.pending = undefined;
    }
  }

  private ensureFork(): Fork {
    if (this.fork) return this.fork;
    const db = new Database(this.domain.image.bytes);
    db.pragma('foreign_keys = ON');
    // The copy is in memory already; SQLite's page cache would hold a second copy of every page
    // read (up to 16 MB a session by default). A small cache bounds that for thousands of sessions.
    db.pragma(`cache_size = -${SESSION_CACHE_KB}`);
    // REPLACE must report the rows it deletes to the tracking triggers.
    db.pragma('recursive_triggers = ON');
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.ceil((this.domain.image.bytes.length + MAX_STATE_GROWTH_BYTES) / pageSize)}`);
    const fork: Fork = { db, cache: new StatementCache(db), seq: new Map(this.domain.image.sequences), touchedSeq: new Set() };
    registerFunctions(db, {
      now: this.domain.spec.clock,
      seq: (name) => {
        const next = fork.seq.get(name) ?? 1;
        fork.seq.set(name, next + 1);
        fork.touchedSeq.add(name);
        return next;
      },
      track: (table, sign, row) => addRow(this.pending!, table, sign, row),
    });
    this.fork = fork;
    return fork;
  }
}

export class UnknownToolError extends UserError {
  constructor(
    readonly tool: string,
    domain: Domain,
  ) {
    super(`No tool ${tool} in domain ${domain.name}; it has ${[...domain.tools.keys()].join(', ')}.`);
  }
}

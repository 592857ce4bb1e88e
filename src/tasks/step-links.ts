import type Database from 'better-sqlite3';
import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import { isTransferTool } from '../spec/chat.js';
import type { Action } from '../spec/task.js';
import { meaningfulValues, reuses } from './links.js';
import { isKeyColumn, tableReferences, type ParamSource } from './param-sources.js';

/** Most values of one step looked for in the rows of the state (an output can hold hundreds). */
const MOST_VALUES = 200;

/**
 * Whether each step of a task builds on the steps before it, for check-tasks. A step does when its
 * arguments reuse a value an earlier step used or returned (also inside a text: a sum of earlier
 * prices), or when a row it looks up or returns is linked to one of those values: they sit in one
 * row of the state (the order's customer, a project's membership of the member named). A handover
 * to a human, and a retry of a call that failed, build on what came before by nature.
 */
export class StepLinks {
  /** Pairs of columns of one table that hold keys: a key and a reference, or two references. */
  private readonly pairs: Array<{ table: string; a: string; b: string }> = [];
  private readonly statements = new Map<string, { reader: Database.Database; stmt: Database.Statement }>();

  constructor(
    private readonly domain: Domain,
    private readonly sources: Map<string, Map<string, ParamSource>>,
  ) {
    const refs = tableReferences(domain);
    for (const table of domain.spec.tables) {
      const keyish = [...new Set([...(table.primaryKey.length === 1 ? table.primaryKey : []), ...(refs.get(table.name) ?? []).map(([c]) => c)])];
      for (const a of keyish) for (const b of keyish) if (a !== b) this.pairs.push({ table: table.name, a, b });
    }
  }

  /**
   * Follow one task's steps: call `before` ahead of each step's call (it looks up rows the call may
   * change) and `after` with its result. `after` answers whether the step builds on the ones before.
   */
  start(session: Session): { before(action: Action): void; after(action: Action, ok: boolean, result: unknown): boolean } {
    const earlier = new Set<string>();
    const failed = new Set<string>();
    let first = true;
    let pending: { looked: string[] } = { looked: [] };
    return {
      before: (action) => {
        pending = { looked: this.lookedUp(action) };
      },
      after: (action, ok, result) => {
        const linked =
          first ||
          isTransferTool(action.tool) ||
          failed.has(action.tool) ||
          reuses(action.args, earlier) ||
          this.inText(action.args, earlier) ||
          this.together(session, pending.looked, earlier) ||
          (this.domain.tools.get(action.tool)?.spec.kind === 'read' && this.together(session, [...meaningfulValues(result)].slice(0, MOST_VALUES), earlier));
        // Until a call succeeds nothing has been found to build on: a lookup after a failed one starts afresh.
        if (ok) first = false;
        if (!ok) failed.add(action.tool);
        meaningfulValues(action.args, earlier);
        meaningfulValues(result, earlier);
        return linked;
      },
    };
  }

  /** Keys of the rows a call looks up (its key arguments). */
  private lookedUp(action: Action): string[] {
    const out: string[] = [];
    for (const [param, value] of Object.entries(action.args)) {
      const src = this.sources.get(action.tool)?.get(param);
      const table = src && this.domain.spec.tables.find((t) => t.name === src.table);
      if (!src || src.role !== 'lookup' || !table || !isKeyColumn(table, src.column)) continue;
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
    }
    return out;
  }

  /** A text argument that holds an earlier value (a calculation over earlier prices). */
  private inText(args: Record<string, unknown>, earlier: Set<string>): boolean {
    const texts = Object.values(args).filter((v): v is string => typeof v === 'string' && v.length > 3);
    return texts.some((t) => [...earlier].some((e) => e.length >= 3 && t !== e && t.includes(e)));
  }

  /** Whether one of `values` and one earlier value sit in the same row, in two key columns. */
  private together(session: Session, values: string[], earlier: Set<string>): boolean {
    if (values.length === 0 || earlier.size === 0) return false;
    const a = JSON.stringify(values.flatMap(both));
    const b = JSON.stringify([...earlier].flatMap(both));
    for (const { table, a: ca, b: cb } of this.pairs) {
      const key = `${table}|${ca}|${cb}`;
      let cached = this.statements.get(key);
      if (!cached || cached.reader !== session.reader) {
        const sql = `SELECT 1 FROM "${table}" WHERE "${ca}" IN (SELECT value FROM json_each(?)) AND "${cb}" IN (SELECT value FROM json_each(?)) LIMIT 1`;
        this.statements.set(key, (cached = { reader: session.reader, stmt: session.reader.prepare(sql) }));
      }
      if (cached.stmt.get(a, b) !== undefined) return true;
    }
    return false;
  }
}

/** A value as text and, when it reads as one, as a number: key columns hold either. */
const both = (v: string): Array<string | number> => (/^-?\d+(\.\d+)?$/.test(v) ? [v, Number(v)] : [v]);

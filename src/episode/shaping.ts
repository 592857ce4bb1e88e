import type { Domain } from '../env/domain.js';
import { diffStates, keyOf, readRows } from '../env/diff.js';
import { openTaskSession, runActions } from '../env/replay.js';
import type { Session } from '../env/session.js';
import type { Table } from '../spec/domain.js';
import type { Task } from '../spec/task.js';

/**
 * Dense reward shaping, off unless asked for. Each step is rewarded with the progress it made
 * toward the gold state (potential-based: the steps' progress terms sum to the progress of the
 * final state, so shaping never changes which trajectories are best) and penalized for a call
 * the domain refused or did not know. The sparse reward is unchanged and comes on the last step.
 */
export interface ShapingOptions {
  /** Weight of progress, the share of the gold state's row changes that the state holds; default 1. */
  progress?: number;
  /** Subtracted for every refused call (a domain refusal, an unknown tool, malformed arguments); default 0.1. */
  refusal?: number;
}

type Row = Record<string, unknown>;
/** One row change of the gold state: does the current state hold it? */
interface Change {
  key: string;
  holds: (row: Row | undefined) => boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Progress toward a task's gold state: the gold row changes (rows added, rows removed, columns
 * changed, from the task's initial state to gold) and how many of them a state holds.
 */
export class Progress {
  readonly weight: number;
  readonly penalty: number;
  private readonly changes = new Map<Table, Change[]>();
  private readonly total: number;

  constructor(domain: Domain, task: Task, options: ShapingOptions) {
    this.weight = options.progress ?? 1;
    this.penalty = options.refusal ?? 0.1;
    const start = openTaskSession(domain, task);
    const gold = openTaskSession(domain, task);
    try {
      runActions(gold, task.gold.actions);
      const diff = diffStates(domain.spec.tables, { db: start.reader, sums: start.tableSums }, { db: gold.reader, sums: gold.tableSums });
      for (const d of diff) {
        const table = domain.spec.tables.find((t) => t.name === d.table)!;
        const list: Change[] = [];
        for (const row of d.added) list.push({ key: keyOf(table, row), holds: (now) => now !== undefined && same(now, row) });
        for (const row of d.removed) list.push({ key: keyOf(table, row), holds: (now) => now === undefined });
        for (const c of d.changed) {
          const key = keyOf(table, c.key);
          for (const [column, { after }] of Object.entries(c.columns)) list.push({ key, holds: (now) => now !== undefined && same(now[column], after) });
        }
        this.changes.set(table, list);
      }
    } finally {
      start.close();
      gold.close();
    }
    this.total = [...this.changes.values()].reduce((n, l) => n + l.length, 0);
  }

  /** The share of gold row changes the state holds (1 for a task whose gold changes nothing). */
  share(state: Session): number {
    if (this.total === 0) return 1;
    let held = 0;
    for (const [table, list] of this.changes) {
      const rows = readRows(state.reader, table);
      for (const c of list) if (c.holds(rows.get(c.key))) held++;
    }
    return held / this.total;
  }
}

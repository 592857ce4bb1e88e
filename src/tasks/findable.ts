import type { Domain } from '../env/domain.js';
import type { Session } from '../env/session.js';
import type { ParamSource } from './param-sources.js';

const ROUNDS = 3;
const CANDIDATES_PER_PARAM = 5;
const CALLS_PER_ROUND = 200;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a value is mentioned: long values anywhere, short ones (a name like "Li") as a whole word. */
function mentions(haystack: string, value: string): boolean {
  const v = value.toLowerCase();
  return v.length >= 5 ? haystack.includes(v) : haystack.includes(v) && new RegExp(`(^|\\W)${escape(v)}($|\\W)`).test(haystack);
}

/** The column a parameter reads: from the SQL when known, else a column of the same name in one table. */
function columnOf(domain: Domain, sources: Map<string, ParamSource> | undefined, param: string): ParamSource | undefined {
  const src = sources?.get(param);
  if (src) return src;
  const owners = domain.spec.tables.filter((t) => t.columns.some((c) => c.name === param));
  return owners.length === 1 ? { table: owners[0].name, column: param, role: 'lookup' } : undefined;
}

/**
 * Read results and column values by state: reads depend only on the state and their arguments,
 * so tasks that start from the same state (most do) share them.
 */
export class ReadMemo {
  private readonly results = new Map<string, string | undefined>();
  private readonly values = new Map<string, string[]>();
  private readonly scans = new Map<string, Map<string, Set<string>>>();

  /** The text of a successful read, or undefined when it fails. */
  read(session: Session, tool: string, args: Record<string, unknown>): string | undefined {
    const key = `${session.stateHash()}|${tool}|${JSON.stringify(args)}`;
    if (!this.results.has(key)) {
      const result = session.call(tool, args);
      this.results.set(key, result.ok ? result.text : undefined);
    }
    return this.results.get(key);
  }

  /**
   * The values of a column a text mentions. Texts recur across tasks (the lists argument-free
   * reads return, a user's details), so each is scanned once per column and state.
   */
  mentioned(session: Session, src: ParamSource, text: string): Set<string> {
    const key = `${session.stateHash()}|${src.table}.${src.column}`;
    let byText = this.scans.get(key);
    if (!byText) this.scans.set(key, (byText = new Map()));
    let found = byText.get(text);
    if (!found) {
      const lower = text.toLowerCase();
      found = new Set(this.columnValues(session, src).filter((v) => mentions(lower, v)));
      if (byText.size > 2000) byText.clear();
      byText.set(text, found);
    }
    return found;
  }

  /** Distinct values of a column worth looking for in text (two characters or more). */
  columnValues(session: Session, src: ParamSource): string[] {
    const key = `${session.stateHash()}|${src.table}.${src.column}`;
    let list = this.values.get(key);
    if (!list) {
      const rows = session.reader.prepare(`SELECT DISTINCT "${src.column}" FROM "${src.table}" WHERE "${src.column}" IS NOT NULL LIMIT 20000`).pluck().all();
      this.values.set(key, (list = rows.map(String).filter((v) => v.length >= 2)));
    }
    return list;
  }
}

/**
 * Everything a user and agent can learn from what the user knows: starting from `texts`, call
 * every read tool whose required arguments all appear in what is known so far, and add its
 * result; a few rounds, so chains like email -> user -> orders -> order are followed.
 */
export function findableTexts(session: Session, sources: Map<string, Map<string, ParamSource>>, texts: string[], memo = new ReadMemo()): string[] {
  const domain = session.domain;
  const seen = [...texts];
  const called = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    for (const tool of domain.tools.values()) {
      if (tool.spec.kind !== 'read') continue;
      const required = (tool.spec.parameters.required as string[] | undefined) ?? [];
      if (required.length === 0) continue;
      const options = required.map((p) => {
        const src = columnOf(domain, sources.get(tool.spec.name), p);
        if (!src) return [];
        const hits = new Set<string>();
        for (const text of seen) for (const v of memo.mentioned(session, src, text)) hits.add(v);
        return memo.columnValues(session, src).filter((v) => hits.has(v)).slice(0, CANDIDATES_PER_PARAM);
      });
      if (options.some((o) => o.length === 0)) continue;
      let combos: Array<Record<string, string>> = [{}];
      required.forEach((p, i) => (combos = combos.flatMap((c) => options[i].map((v) => ({ ...c, [p]: v })))));
      for (const args of combos.slice(0, CANDIDATES_PER_PARAM ** 2)) {
        const key = `${tool.spec.name}${JSON.stringify(args)}`;
        if (called.has(key) || calls >= CALLS_PER_ROUND) continue;
        called.add(key);
        calls++;
        const text = memo.read(session, tool.spec.name, args);
        if (text !== undefined) seen.push(text);
      }
    }
    if (calls === 0) break;
  }
  return seen;
}

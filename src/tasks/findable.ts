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
 * Everything a user and agent can learn from what the user knows: starting from `texts`, call
 * every read tool whose required arguments all appear in what is known so far, and add its
 * result; a few rounds, so chains like email -> user -> orders -> order are followed.
 */
export function findableTexts(session: Session, sources: Map<string, Map<string, ParamSource>>, texts: string[]): string[] {
  const domain = session.domain;
  const seen = [...texts];
  const called = new Set<string>();
  const columnValues = new Map<string, string[]>();
  const valuesOf = (src: ParamSource) => {
    const key = `${src.table}.${src.column}`;
    if (!columnValues.has(key)) {
      const rows = session.reader.prepare(`SELECT DISTINCT "${src.column}" FROM "${src.table}" WHERE "${src.column}" IS NOT NULL LIMIT 20000`).pluck().all();
      columnValues.set(key, rows.map(String).filter((v) => v.length >= 2));
    }
    return columnValues.get(key)!;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const haystack = seen.join('\n').toLowerCase();
    let calls = 0;
    for (const tool of domain.tools.values()) {
      if (tool.spec.kind !== 'read') continue;
      const required = (tool.spec.parameters.required as string[] | undefined) ?? [];
      if (required.length === 0) continue;
      const options = required.map((p) => {
        const src = columnOf(domain, sources.get(tool.spec.name), p);
        return src ? valuesOf(src).filter((v) => mentions(haystack, v)).slice(0, CANDIDATES_PER_PARAM) : [];
      });
      if (options.some((o) => o.length === 0)) continue;
      let combos: Array<Record<string, string>> = [{}];
      required.forEach((p, i) => (combos = combos.flatMap((c) => options[i].map((v) => ({ ...c, [p]: v })))));
      for (const args of combos.slice(0, CANDIDATES_PER_PARAM ** 2)) {
        const key = `${tool.spec.name}${JSON.stringify(args)}`;
        if (called.has(key) || calls >= CALLS_PER_ROUND) continue;
        called.add(key);
        calls++;
        const result = session.call(tool.spec.name, args);
        if (result.ok) seen.push(result.text);
      }
    }
    if (calls === 0) break;
  }
  return seen;
}

import { diffStates, formatDiff, type StateDiff } from './diff.js';
import { loadDomain } from './load.js';

export interface CallOnceResult {
  ok: boolean;
  value?: unknown;
  text: string;
  stateHash: string;
  diff: StateDiff;
  diffText: string;
}

/** Run one tool on a fresh state of a domain and compare the state after with the seed. */
export function callOnce(ref: string, tool: string, args: Record<string, unknown>): CallOnceResult {
  const domain = loadDomain(ref);
  const session = domain.openSession();
  try {
    const result = session.call(tool, args);
    const diff = diffStates(domain.spec.tables, { db: domain.base, sums: domain.image.sums }, { db: session.reader, sums: session.tableSums });
    return {
      ok: result.ok,
      value: result.ok ? result.value : undefined,
      text: result.text,
      stateHash: session.stateHash(),
      diff,
      diffText: formatDiff(diff),
    };
  } finally {
    session.close();
  }
}

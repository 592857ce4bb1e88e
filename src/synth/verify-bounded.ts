import type { DomainSpec } from '../spec/domain.js';
import { compiledEntry, forkWatched } from '../util/watched-process.js';
import type { ToolVerdict } from '../spec/verification.js';
import type { VerifyResult } from './verify.js';

/** Child to parent: which tool's calls begin, and the whole result. */
export type FromVerifier = { type: 'tool'; tool: string } | { type: 'result'; result: VerifyResult };

export const VERIFY_DEFAULTS = { toolTimeoutMs: 10_000 };
const STARTUP_LIMIT_MS = 180_000;

/**
 * verifySpec in a watched child process: a tool whose calls keep it busy past `toolTimeoutMs`
 * (SQL that never ends, or ends too late to serve) fails as 'timed out' with the reason, and the
 * other tools are verified again without it, so verification always finishes.
 */
export async function verifyBounded(spec: DomainSpec, toolTimeoutMs = VERIFY_DEFAULTS.toolTimeoutMs): Promise<VerifyResult> {
  // Tools that stopped a verifying process, with their verdicts; the others are verified again.
  const timedOut = new Map<string, ToolVerdict>();
  for (;;) {
    const rest = { ...spec, tools: spec.tools.filter((t) => !timedOut.has(t.name)) };
    const outcome = await verifyOnce(rest, toolTimeoutMs);
    if ('result' in outcome) {
      const byName = new Map(outcome.result.verdicts.map((v) => [v.tool, v]));
      return { ...outcome.result, verdicts: spec.tools.map((t) => timedOut.get(t.name) ?? byName.get(t.name)!) };
    }
    const tool = spec.tools.find((t) => t.name === outcome.stuck);
    if (!tool) throw new Error(`verification of ${spec.name} stopped (${outcome.cause}) before any tool`);
    const reason = outcome.stalled
      ? `a call of ${tool.name} did not finish within ${toolTimeoutMs / 1000} s; its SQL may never end (a join or recursion without a bound over the data)`
      : `calling ${tool.name} ended the verifying process (${outcome.cause}), for example by running out of memory`;
    timedOut.set(tool.name, { tool: tool.name, kind: tool.kind, ok: false, code: outcome.stalled ? 'timed out' : 'internal error', reason, warnings: [] });
  }
}

function verifyOnce(spec: DomainSpec, limitMs: number): Promise<{ result: VerifyResult } | { stuck?: string; stalled: boolean; cause: string }> {
  return new Promise((resolve) => {
    let current: string | undefined;
    let result: VerifyResult | undefined;
    const child = forkWatched<FromVerifier>(compiledEntry(import.meta.url, 'synth/verify-child'), {
      // Verification runs on one synchronous loop: each tool's start is the heartbeat. Before the
      // first one the child loads and compiles the domain, which is bounded but can take seconds.
      limitMs: () => (current === undefined ? STARTUP_LIMIT_MS : limitMs),
      onMessage: (m) => {
        if (m.type === 'tool') current = m.tool;
        else result = m.result;
      },
      onExit: (stalled, cause) => resolve(result && !stalled ? { result } : { stuck: current, stalled, cause }),
    });
    child.send(spec);
  });
}

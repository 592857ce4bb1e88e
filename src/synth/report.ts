import { markdownTable } from '../util/table.js';
import { outcomeStats, type DomainOutcome } from './pipeline.js';

const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : '-');

/** How many of each code, with the first example of each. */
function tally(items: ReadonlyArray<readonly [string, string]>): Map<string, { n: number; example: string }> {
  const out = new Map<string, { n: number; example: string }>();
  for (const [code, example] of items) {
    const r = out.get(code) ?? { n: 0, example };
    r.n++;
    out.set(code, r);
  }
  return out;
}

/** The quality figures of a synthesis run: verified share, writes that change state, sizes, failures by reason, warnings by code. */
export function qualityTables(outcomes: DomainOutcome[]): string {
  const stats = outcomes.map(outcomeStats);
  const sum = (f: (s: ReturnType<typeof outcomeStats>) => number) => stats.reduce((n, s) => n + f(s), 0);
  const tools = outcomes.reduce((n, o) => n + o.planned, 0);
  const written = outcomes.filter((o) => o.spec);
  const perDomain = (f: (s: ReturnType<typeof outcomeStats>) => number) => {
    const xs = stats.filter((s) => s.tables > 0).map(f).sort((a, b) => a - b);
    return xs.length === 0 ? '-' : `${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)} (${xs[0]}-${xs[xs.length - 1]})`;
  };
  const summary = markdownTable(['measure', 'value'], [
    ['planned domains', outcomes.length],
    ['domains written (at least one working tool)', written.length],
    ['tools', tools],
    ['tools verified', `${sum((s) => s.verified)} (${pct(sum((s) => s.verified), tools)})`],
    ['write tools', sum((s) => s.writes)],
    ['write tools that change state on a valid input', `${sum((s) => s.writesChanging)} (${pct(sum((s) => s.writesChanging), sum((s) => s.writes))})`],
    ['tables per domain, mean (min-max)', perDomain((s) => s.tables)],
    ['seed rows per domain, mean (min-max)', perDomain((s) => s.rows)],
  ]);
  const reasons = tally(outcomes.flatMap((o) => o.verdicts.filter((v) => !v.ok).map((v) => [v.code!, `${o.name}/${v.tool}: ${v.reason ?? ''}`] as const)));
  const warned = tally(outcomes.flatMap((o) => o.verdicts.filter((v) => v.ok).flatMap((v) => v.warnings.map((w) => [w.code, `${o.name}/${v.tool}: ${w.message}`] as const))));
  const byCode = (m: Map<string, { n: number; example: string }>, head: string) =>
    markdownTable([head, 'tools', 'example'], [...m].sort((a, b) => b[1].n - a[1].n).map(([code, r]) => [code, r.n, r.example.replace(/\|/g, '\\|').slice(0, 160)]));
  return `${summary}\n\nFailures by reason:\n\n${reasons.size > 0 ? byCode(reasons, 'failure') : 'none'}\n\nWarnings of verified tools by code:\n\n${warned.size > 0 ? byCode(warned, 'warning') : 'none'}`;
}

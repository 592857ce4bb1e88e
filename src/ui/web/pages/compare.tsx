import { useState } from 'preact/hooks';
import { api, type CompareCell, type RunSummary } from '../api.js';
import { ErrorBox, Loading } from '../components/common.js';
import { num, pct } from '../format.js';
import { useData } from '../hooks.js';
import { href, navigate } from '../router.js';

const rate = (c: CompareCell) => (c.n ? c.passed / c.n : null);
const label = (r: RunSummary) => `#${r.run.id} ${r.run.domain} · ${r.run.agent?.spec ?? '–'} · ${r.run.user?.spec ?? '–'}`;

function Cell({ c, run }: { c: CompareCell; run: number }) {
  if (c.n === 0) return <td class="muted">not run</td>;
  return (
    <td>
      <span class="chips">
        {c.episodes.map((e) => (
          <a class={`chip ${e.status !== 'done' ? 'running' : e.reward === 1 ? 'pass' : 'fail'}`} href={href(['episodes', e.id], { run })} title={`episode ${e.id}: reward ${e.reward ?? '–'}`}>
            {e.reward === 1 ? '✓' : e.status !== 'done' ? '…' : '✗'}
          </a>
        ))}
      </span>{' '}
      <span class="muted">
        {c.passed}/{c.n}
      </span>
    </td>
  );
}

/** Two runs task by task: which tasks one passes and the other fails (two agents, or before and after a change). */
export function ComparePage({ query }: { query: Record<string, string> }) {
  const runs = useData(() => api.runs(), []);
  const a = Number(query.a) || undefined;
  const b = Number(query.b) || undefined;
  const cmp = useData(() => (a && b ? api.compare(a, b) : Promise.resolve(undefined)), [a, b]);
  const [onlyDiff, setOnlyDiff] = useState(query.diff === '1');
  const pick = (key: 'a' | 'b', value: string) => navigate(href(['compare'], { ...query, [key]: value }), true);
  const choices = runs.data?.runs ?? [];
  const rows = (cmp.data?.tasks ?? []).filter((t) => !onlyDiff || rate(t.a) !== rate(t.b));
  return (
    <div class="page">
      <div class="page-head">
        <h1>Compare</h1>
        {(['a', 'b'] as const).map((key) => (
          <select value={query[key] ?? ''} onChange={(e) => pick(key, e.currentTarget.value)} aria-label={`run ${key}`}>
            <option value="">pick run {key.toUpperCase()}</option>
            {choices.map((r) => (
              <option value={r.run.id}>{label(r)}</option>
            ))}
          </select>
        ))}
        <label>
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.currentTarget.checked)} /> only tasks that differ
        </label>
      </div>
      {(runs.error || cmp.error) && <ErrorBox message={(runs.error ?? cmp.error)!} />}
      {!(a && b) && <div class="empty">Pick two runs (on the runs page: tick two rows, then Compare).</div>}
      {a && b && !cmp.data && cmp.loading && <Loading />}
      {cmp.data && (
        <>
          <table class="grid summary">
            <thead>
              <tr>
                <th></th>
                <th>run A: {label(cmp.data.a)}</th>
                <th>run B: {label(cmp.data.b)}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>mean reward</td>
                <td>{num(cmp.data.a.meanReward)}</td>
                <td>{num(cmp.data.b.meanReward)}</td>
              </tr>
              {Array.from({ length: Math.max(cmp.data.a.passK.length, cmp.data.b.passK.length) }, (_, k) => (
                <tr>
                  <td>pass^{k + 1}</td>
                  <td>{pct(cmp.data!.a.passK[k], 1)}</td>
                  <td>{pct(cmp.data!.b.passK[k], 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="grid rows compare" data-testid="compare">
            <thead>
              <tr>
                <th>task</th>
                <th>run A #{a}</th>
                <th>run B #{b}</th>
                <th class="num">B − A</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => {
                const [ra, rb] = [rate(t.a), rate(t.b)];
                const delta = ra !== null && rb !== null ? rb - ra : null;
                return (
                  <tr class={delta === null || delta === 0 ? '' : delta > 0 ? 'better' : 'worse'} data-task={t.task}>
                    <td class="mono">{t.task || '(no task)'}</td>
                    <Cell c={t.a} run={a!} />
                    <Cell c={t.b} run={b!} />
                    <td class="num">{delta === null ? '–' : `${delta > 0 ? '+' : ''}${pct(delta)}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length === 0 && <div class="muted empty">No tasks{onlyDiff ? ' differ' : ''}.</div>}
        </>
      )}
    </div>
  );
}

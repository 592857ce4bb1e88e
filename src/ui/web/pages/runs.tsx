import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type RunSummary } from '../api.js';
import { ErrorBox, Fold, Loading, Pill, Stats } from '../components/common.js';
import { EpisodeList } from '../components/episode-list.js';
import { Json } from '../components/json.js';
import { num, pct, when } from '../format.js';
import { scrollIntoViewIfNeeded, useData, useKeys } from '../hooks.js';
import { useLive } from '../live.js';
import { href, navigate } from '../router.js';

type SortKey = 'id' | 'domain' | 'agent' | 'user' | 'episodes' | 'meanReward' | 'pass1';
const sortValue = (r: RunSummary, k: SortKey): string | number =>
  k === 'id' ? r.run.id : k === 'domain' ? r.run.domain : k === 'agent' ? (r.run.agent?.spec ?? '') : k === 'user' ? (r.run.user?.spec ?? '') : k === 'episodes' ? r.episodes : k === 'meanReward' ? (r.meanReward ?? -1) : (r.passK[0] ?? -1);

const modelText = (m: RunSummary['run']['agent']) => (m ? `${m.spec}${m.model && !m.spec.includes(m.model) ? ` (${m.model})` : ''}` : '–');

/** Mean reward as a number and a bar. */
function RewardBar({ value }: { value: number | null }) {
  if (value === null) return <span class="muted">–</span>;
  return (
    <span class="bar" title={num(value)}>
      <span class="bar-fill" style={{ width: `${Math.round(value * 100)}%` }} />
      <span class="bar-text">{num(value, 3)}</span>
    </span>
  );
}

/** The funnel of one run, loaded when its row shows (it reads every event of the run once; cached by the server). */
function FunnelCell({ id }: { id: number }) {
  const f = useData(() => api.funnel(id), [id]);
  if (!f.data) return <span class="muted">{f.error ? '!' : '…'}</span>;
  return (
    <span class="funnel" title={f.data.dropped.join('\n') || 'nothing dropped'}>
      {[f.data.total, ...f.data.after.map((a) => a.kept)].join(' → ')}
    </span>
  );
}

export function RunsPage({ query }: { query: Record<string, string> }) {
  const runs = useData(() => api.runs(), []);
  const [filter, setFilter] = useState(query.q ?? '');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'id', desc: true });
  const [picked, setPicked] = useState<number[]>([]);
  const [selected, setSelected] = useState(0);
  const box = useRef<HTMLInputElement>(null);
  const table = useRef<HTMLTableElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useLive(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(runs.reload, 800);
  });

  const rows = useMemo(() => {
    const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
    const list = (runs.data?.runs ?? []).filter((r) => {
      const text = `${r.run.id} ${r.run.kind} ${r.run.domain} ${r.run.agent?.spec ?? ''} ${r.run.agent?.model ?? ''} ${r.run.user?.spec ?? ''}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    const dir = sort.desc ? -1 : 1;
    return list.sort((a, b) => {
      const [x, y] = [sortValue(a, sort.key), sortValue(b, sort.key)];
      return (x < y ? -1 : x > y ? 1 : 0) * dir || b.run.id - a.run.id;
    });
  }, [runs.data, filter, sort]);
  useEffect(() => scrollIntoViewIfNeeded(table.current?.querySelector('tr.selected')), [selected]);

  const maxK = Math.min(4, Math.max(0, ...rows.map((r) => r.passK.length)));
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const compare = () => picked.length === 2 && navigate(href(['compare'], { a: picked[0], b: picked[1] }));
  useKeys({
    j: () => setSelected((s) => Math.min(s + 1, rows.length - 1)),
    ArrowDown: () => setSelected((s) => Math.min(s + 1, rows.length - 1)),
    k: () => setSelected((s) => Math.max(s - 1, 0)),
    ArrowUp: () => setSelected((s) => Math.max(s - 1, 0)),
    Enter: () => (rows[selected] ? navigate(href(['runs', rows[selected].run.id])) : false),
    o: () => (rows[selected] ? navigate(href(['runs', rows[selected].run.id])) : false),
    x: () => (rows[selected] ? toggle(rows[selected].run.id) : false),
    c: () => (picked.length === 2 ? compare() : false),
    '/': () => box.current?.focus(),
  });
  const head = (key: SortKey, label: string, cls = '') => (
    <th class={`sortable ${cls}`} onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : true }))}>
      {label}
      {sort.key === key ? (sort.desc ? ' ▾' : ' ▴') : ''}
    </th>
  );

  return (
    <div class="page">
      <div class="page-head">
        <h1>Runs</h1>
        <input ref={box} class="search" placeholder="filter by domain, agent, user… (/)" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button disabled={picked.length !== 2} onClick={compare} title="pick two runs with the checkboxes (x), then compare (c)">
          Compare {picked.length === 2 ? `#${picked[0]} and #${picked[1]}` : '(pick two)'}
        </button>
      </div>
      {runs.error && <ErrorBox message={runs.error} />}
      {!runs.data && runs.loading && <Loading />}
      {runs.data && runs.data.total === 0 && (
        <div class="empty">
          No runs in this store yet. Record some with <code>npx envscale rollout &lt;domain&gt; --store runs.db</code> or <code>npx envscale serve &lt;domain&gt; --http --store runs.db</code>.
        </div>
      )}
      {rows.length > 0 && (
        <table class="grid rows" ref={table} data-testid="runs">
          <thead>
            <tr>
              <th></th>
              {head('id', 'run')}
              <th>kind</th>
              {head('domain', 'domain')}
              {head('agent', 'agent')}
              {head('user', 'user')}
              <th>created</th>
              {head('episodes', 'episodes', 'num')}
              {head('meanReward', 'mean reward')}
              {Array.from({ length: maxK }, (_, k) => (k === 0 ? head('pass1', 'pass^1', 'num') : <th class="num">pass^{k + 1}</th>))}
              <th title="episodes, then left after validity → state → exact">funnel</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr class={i === selected ? 'selected' : ''} onClick={() => navigate(href(['runs', r.run.id]))} data-run={r.run.id}>
                <td onClick={(e) => e.stopPropagation()}>
                  <input type="checkbox" checked={picked.includes(r.run.id)} onChange={() => toggle(r.run.id)} aria-label={`pick run ${r.run.id} to compare`} />
                </td>
                <td>
                  <a href={href(['runs', r.run.id])}>#{r.run.id}</a>
                </td>
                <td>
                  <Pill kind={r.run.kind === 'serve' ? 'info' : 'muted'}>{r.run.kind}</Pill>
                </td>
                <td>{r.run.domain}</td>
                <td class="mono">{modelText(r.run.agent)}</td>
                <td class="mono">{modelText(r.run.user)}</td>
                <td class="muted">{when(r.run.created_at)}</td>
                <td class="num">
                  {r.done}/{r.episodes}
                  {r.running > 0 && <Pill kind="running">{r.running} running</Pill>}
                  {r.failed > 0 && <Pill kind="fail">{r.failed} failed</Pill>}
                </td>
                <td>
                  <RewardBar value={r.meanReward} />
                </td>
                {Array.from({ length: maxK }, (_, k) => (
                  <td class="num">{k < r.passK.length ? pct(r.passK[k], 1) : ''}</td>
                ))}
                <td>{i < 100 && <FunnelCell id={r.run.id} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function RunPage({ id, query }: { id: number; query: Record<string, string> }) {
  const run = useData(() => api.run(id), [id]);
  useLive((c) => c.episodes.some((e) => e.run_id === id) && run.reload());
  useKeys({ u: () => navigate(href(['runs'])) });
  if (run.error) return <ErrorBox message={run.error} />;
  if (!run.data) return <Loading />;
  const r = run.data;
  return (
    <div class="page">
      <div class="page-head">
        <a href="#/runs" class="muted">
          ← runs
        </a>
        <h1>
          Run #{r.run.id} <span class="muted">{r.run.domain}</span>
        </h1>
        <Pill kind={r.run.kind === 'serve' ? 'info' : 'muted'}>{r.run.kind}</Pill>
        <a href={href(['domains', r.run.domain])}>domain</a>
        <a href={href(['compare'], { a: r.run.id })}>compare with…</a>
      </div>
      <Stats
        items={[
          [modelText(r.run.agent), 'agent'],
          [modelText(r.run.user), 'user'],
          [`${r.done}/${r.episodes}`, `done${r.running ? `, ${r.running} running` : ''}${r.failed ? `, ${r.failed} failed` : ''}`],
          [num(r.meanReward), `mean reward (${r.scored} scored)`],
          ...r.passK.map((v, k): [string, string] => [pct(v, 1), `pass^${k + 1}`]),
          [<FunnelCell id={r.run.id} />, 'funnel: all → validity → state → exact'],
          [when(r.run.created_at), 'created'],
        ]}
      />
      <Fold title="settings" open={false}>
        <Json value={r.run.settings} />
      </Fold>
      <EpisodeList query={query} base={['runs', id]} fixed={{ run: String(id) }} />
    </div>
  );
}

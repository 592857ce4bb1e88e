import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type EpisodeRow } from '../api.js';
import { duration } from '../format.js';
import { scrollIntoViewIfNeeded, useData, useKeys } from '../hooks.js';
import { useLive } from '../live.js';
import { href, navigate } from '../router.js';
import { ErrorBox, Loading, Pager, Pill, Reward } from './common.js';

/** The list filters that travel with an episode link (so ←/→ on the episode page walk this list). */
export const FILTER_KEYS = ['run', 'domain', 'status', 'outcome', 'task', 'stop'] as const;
export const listQuery = (q: Record<string, string>) => Object.fromEntries(FILTER_KEYS.filter((k) => q[k]).map((k) => [k, q[k]]));

const STOPS = ['user_stop', 'transfer', 'out_of_scope', 'max_turns', 'max_errors', 'agent_error', 'user_error', 'session_end'];
const PAGE = 50;

function Parts({ held }: { held: EpisodeRow['held'] }) {
  if (!held) return <span class="muted">–</span>;
  return (
    <span class="parts">
      {(['state', 'communicate', 'actions'] as const).map((p) => (
        <span class={held[p] ? 'ok' : 'bad'} title={`${p}: ${held[p] ? 'holds' : 'does not hold'}`}>
          {p[0]}
        </span>
      ))}
    </span>
  );
}

/**
 * Episodes matching the filters in `query` (kept in the page URL), paged, with keyboard
 * selection; `fixed` filters (a run) are not shown as controls.
 */
export function EpisodeList({ query, base, fixed = {} }: { query: Record<string, string>; base: Array<string | number>; fixed?: Record<string, string> }) {
  const filter = { ...listQuery(query), ...fixed };
  const offset = Number(query.offset ?? 0);
  const list = useData(() => api.episodes({ ...filter, offset, limit: PAGE }), [JSON.stringify(filter), offset]);
  const [selected, setSelected] = useState(0);
  const table = useRef<HTMLTableElement>(null);
  const taskBox = useRef<HTMLInputElement>(null);
  const [task, setTask] = useState(query.task ?? '');
  useEffect(() => setSelected(0), [JSON.stringify(filter), offset]);
  useEffect(() => scrollIntoViewIfNeeded(table.current?.querySelector('tr.selected')), [selected]);

  const set = (changes: Record<string, string | undefined>) => navigate(href(base, { ...query, offset: undefined, ...changes }), true);
  const episodes = list.data?.episodes ?? [];
  const open = (e: EpisodeRow) => navigate(href(['episodes', e.id], filter));
  useLive((change) => {
    const run = filter.run ? Number(filter.run) : undefined;
    if (change.episodes.some((e) => run === undefined || e.run_id === run)) list.reload();
  });
  useKeys({
    j: () => setSelected((s) => Math.min(s + 1, episodes.length - 1)),
    ArrowDown: () => setSelected((s) => Math.min(s + 1, episodes.length - 1)),
    k: () => setSelected((s) => Math.max(s - 1, 0)),
    ArrowUp: () => setSelected((s) => Math.max(s - 1, 0)),
    Enter: () => (episodes[selected] ? open(episodes[selected]) : false),
    o: () => (episodes[selected] ? open(episodes[selected]) : false),
    n: () => (list.data && offset + PAGE < list.data.total ? set({ offset: String(offset + PAGE) }) : false),
    p: () => (offset > 0 ? set({ offset: String(Math.max(0, offset - PAGE)) }) : false),
    '/': () => taskBox.current?.focus(),
  });

  return (
    <div class="episode-list">
      <div class="filters">
        <select value={query.outcome ?? ''} onChange={(e) => set({ outcome: e.currentTarget.value })} aria-label="outcome">
          <option value="">any outcome</option>
          <option value="pass">reward 1</option>
          <option value="fail">reward below 1</option>
          <option value="unscored">no reward</option>
        </select>
        <select value={query.status ?? ''} onChange={(e) => set({ status: e.currentTarget.value })} aria-label="status">
          <option value="">any status</option>
          <option value="done">done</option>
          <option value="running">running</option>
          <option value="failed">failed</option>
        </select>
        <select value={query.stop ?? ''} onChange={(e) => set({ stop: e.currentTarget.value })} aria-label="stop reason">
          <option value="">any stop</option>
          {STOPS.map((s) => (
            <option value={s}>{s}</option>
          ))}
        </select>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            set({ task });
          }}
        >
          <input ref={taskBox} placeholder="task id contains… (/)" value={task} onInput={(e) => setTask(e.currentTarget.value)} aria-label="task" />
        </form>
        {!fixed.domain && query.domain && (
          <Pill kind="muted">
            domain {query.domain}{' '}
            <button class="link" onClick={() => set({ domain: undefined })}>
              ×
            </button>
          </Pill>
        )}
      </div>
      {list.error && <ErrorBox message={list.error} />}
      {!list.data && list.loading && <Loading />}
      {list.data && (
        <>
          <table class="grid rows" ref={table} data-testid="episodes">
            <thead>
              <tr>
                <th>episode</th>
                {!fixed.run && <th>run</th>}
                <th>task</th>
                <th>trial</th>
                <th>reward</th>
                <th title="state / communicate / actions">s c a</th>
                <th>stop</th>
                <th class="num">turns</th>
                <th class="num">calls</th>
                <th class="num">errors</th>
                <th>time</th>
                <th>funnel</th>
              </tr>
            </thead>
            <tbody>
              {episodes.map((e, i) => (
                <tr class={i === selected ? 'selected' : ''} onClick={() => open(e)} data-episode={e.id}>
                  <td>
                    <a href={href(['episodes', e.id], filter)}>#{e.id}</a>
                  </td>
                  {!fixed.run && (
                    <td>
                      <a href={href(['runs', e.run_id])} onClick={(ev) => ev.stopPropagation()}>
                        {e.run_id}
                      </a>
                    </td>
                  )}
                  <td class="mono">{e.task_id ?? <span class="muted">(no task)</span>}</td>
                  <td class="num">{e.trial}</td>
                  <td>
                    <Reward value={e.reward} status={e.status} />
                  </td>
                  <td>
                    <Parts held={e.held} />
                  </td>
                  <td class="muted">{e.stop_reason ?? (e.error ? 'error' : '–')}</td>
                  <td class="num">{e.counts?.turns ?? '–'}</td>
                  <td class="num">{e.counts?.tool_calls ?? '–'}</td>
                  <td class={`num ${e.counts?.tool_errors ? 'warn' : ''}`}>{e.counts?.tool_errors ?? '–'}</td>
                  <td class="muted">{duration(e.started_at, e.ended_at)}</td>
                  <td>{e.funnel ? <span class="bad" title={e.funnel.reason}>✗ {e.funnel.stage}</span> : <span class="ok">kept</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {episodes.length === 0 && <div class="muted empty">No episodes match.</div>}
          <Pager offset={offset} limit={PAGE} total={list.data.total} onPage={(o) => set({ offset: String(o) })} />
        </>
      )}
    </div>
  );
}

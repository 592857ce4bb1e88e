import { useMemo } from 'preact/hooks';
import { api, type EpisodeDetail, type StateDiff } from '../api.js';
import { Copy, ErrorBox, Fold, Loading, Pill, Reward } from '../components/common.js';
import { DiffView, diffSummary } from '../components/diff.js';
import { listQuery } from '../components/episode-list.js';
import { Json } from '../components/json.js';
import { asJson, duration, when } from '../format.js';
import { useData, useKeys } from '../hooks.js';
import { useLive } from '../live.js';
import { href, navigate } from '../router.js';

type Event = EpisodeDetail['events'][number];
type ToolResult = Extract<Event, { kind: 'tool_result' }>;

const argsText = (args: Record<string, unknown>) =>
  Object.entries(args)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');

function ToolResultView({ result, changes }: { result?: ToolResult; changes?: StateDiff }) {
  if (!result) return <div class="result missing">no result recorded</div>;
  const parsed = asJson(result.content);
  return (
    <div class={`result ${result.ok ? 'ok' : 'err'}`}>
      <div class="result-head">
        {result.ok ? <Pill kind="pass">ok</Pill> : <Pill kind="fail">error{result.error ? `: ${result.error}` : ''}</Pill>}
        <span class="muted">{result.ms.toFixed(1)} ms</span>
        {result.state_hash && <span class="muted mono" title={result.state_hash}>state {result.state_hash.slice(0, 10)}</span>}
      </div>
      {parsed !== undefined ? <Json value={parsed} fold={14} /> : <pre class="text">{result.content}</pre>}
      {changes && changes.length > 0 && (
        <div class="wrote" data-testid="write-changes">
          <div class="wrote-head">✎ wrote {diffSummary(changes)}</div>
          <DiffView diff={changes} from="before" to="after" />
        </div>
      )}
    </div>
  );
}

function Conversation({ d }: { d: EpisodeDetail }) {
  const results = useMemo(() => new Map(d.events.flatMap((e) => (e.kind === 'tool_result' ? [[e.call_id, e] as const] : []))), [d.events]);
  const called = useMemo(() => new Set(d.events.flatMap((e) => (e.kind === 'message' ? (e.tool_calls ?? []).map((c) => c.id) : []))), [d.events]);
  const place = new Map((d.versus ?? []).flatMap((p, i) => (p.callId ? [[p.callId, i] as const] : [])));
  let calls = 0;
  return (
    <div class="chat" data-testid="chat">
      {d.events.map((e) => {
        if (e.kind === 'error')
          return (
            <div class="event-error">
              ⚠ {e.source} error{e.retry ? ` (retry ${e.retry})` : ''}: {e.message}
            </div>
          );
        // Results are shown under their call; one that answers no call stands alone.
        if (e.kind === 'tool_result') return called.has(e.call_id) ? null : <ToolResultView result={e} />;
        if (e.role === 'system')
          return (
            <details class="system">
              <summary>system prompt ({e.content.length.toLocaleString()} characters)</summary>
              <pre class="text">{e.content}</pre>
            </details>
          );
        return (
          <div class={`turn ${e.role}`}>
            <div class="who">
              {e.role}
              {e.role === 'assistant' && !e.generated && <span class="muted"> (fixed greeting)</span>}
            </div>
            {e.content && <div class="bubble">{e.content}</div>}
            {(e.tool_calls ?? []).map((c) => {
              const n = ++calls;
              const args = asJson(c.arguments);
              const at = place.get(c.id);
              const match = at === undefined ? null : d.versus![at].match;
              return (
                <div class="call" data-call={c.id} data-tool={c.name}>
                  <div class="call-head">
                    <span class="muted">call {n}</span> <b class="mono">{c.name || '(no name)'}</b>
                    {match === 'same' && <Pill kind="pass" title={`the same as gold action ${at! + 1}`}>= gold {at! + 1}</Pill>}
                    {match === 'args' && <Pill kind="warn" title={`gold action ${at! + 1} calls this tool with other arguments`}>≠ gold {at! + 1} args</Pill>}
                    {match === 'differs' && <Pill kind="warn" title="gold has another action at this place">≠ gold</Pill>}
                  </div>
                  {args !== undefined ? <Json value={args} fold={12} /> : <pre class="text bad">{c.arguments || '(no arguments)'}</pre>}
                  <ToolResultView result={results.get(c.id)} changes={d.state?.calls[c.id]} />
                </div>
              );
            })}
          </div>
        );
      })}
    </div>
  );
}

function Verdict({ d }: { d: EpisodeDetail }) {
  const v = d.episode.verdict;
  return (
    <div class="verdict" data-testid="verdict">
      <Reward value={d.episode.reward} status={d.episode.status} />
      {v &&
        (['state', 'communicate', 'actions'] as const).map((p) => (
          <span class={`part ${v.held[p] ? 'ok' : 'bad'} ${v.counted[p] ? '' : 'uncounted'}`} title={v.counted[p] ? 'counts for the reward' : 'does not count for this task'}>
            {v.held[p] ? '✓' : '✗'} {p}
            {!v.counted[p] && <span class="muted"> (not counted)</span>}
          </span>
        ))}
      {v && v.missing.length > 0 && <span class="bad">never said: {v.missing.map((m) => JSON.stringify(m)).join(', ')}</span>}
      <span class={d.funnel ? 'bad' : 'ok'}>{d.funnel ? `funnel: dropped at ${d.funnel.stage}: ${d.funnel.reason}` : 'funnel: kept for training'}</span>
      {d.episode.error && <span class="bad">error: {d.episode.error}</span>}
      {d.state?.matchesRecorded === false && <span class="warn">the replayed state differs from the recorded one: the domain changed since this episode ran</span>}
      {d.stateError && <span class="warn">{d.stateError}</span>}
    </div>
  );
}

function CallsVsGold({ d }: { d: EpisodeDetail }) {
  const effects = d.state?.gold ?? [];
  return (
    <table class="grid versus" data-testid="versus">
      <thead>
        <tr>
          <th>#</th>
          <th>episode's calls</th>
          <th>gold actions</th>
        </tr>
      </thead>
      <tbody>
        {(d.versus ?? []).map((p, i) => (
          <tr class={p.match}>
            <td class="num">{i + 1}</td>
            <td class="mono">
              {p.call ? (
                <>
                  <b>{p.call.tool}</b>({argsText(p.call.args)}) {!p.call.ok && <Pill kind="fail">error</Pill>}
                  {p.callId && d.state?.calls[p.callId] && <div class="muted">✎ {diffSummary(d.state.calls[p.callId])}</div>}
                </>
              ) : (
                <span class="muted">–</span>
              )}
            </td>
            <td class="mono">
              {p.gold ? (
                <>
                  <b>{p.gold.tool}</b>({argsText(p.gold.args)}) {effects[i] && !effects[i].ok && <Pill kind="fail">error</Pill>}
                  {effects[i]?.changes.length > 0 && <div class="muted">✎ {diffSummary(effects[i].changes)}</div>}
                </>
              ) : (
                <span class="muted">–</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EpisodePage({ id, query }: { id: number; query: Record<string, string> }) {
  const filter = listQuery(query);
  const ep = useData(() => api.episode(id, filter), [id, JSON.stringify(filter)]);
  useLive((c) => c.episodes.some((e) => e.id === id) && ep.reload());
  // Until the episode asked for has loaded, the keys do nothing (a second ← must not repeat the first).
  const d = ep.data?.episode.id === id ? ep.data : undefined;
  const back = filter.run ? href(['runs', filter.run], filter) : href(['episodes'], filter);
  const go = (to: number | null | undefined) => (to ? navigate(href(['episodes', to], filter)) : false);
  useKeys({
    ArrowRight: () => go(d?.neighbours.next),
    j: () => go(d?.neighbours.next),
    ArrowLeft: () => go(d?.neighbours.prev),
    k: () => go(d?.neighbours.prev),
    u: () => navigate(back),
    Escape: () => navigate(back),
    c: () => void (d && navigator.clipboard?.writeText(episodeJson(d)).catch(() => undefined)),
  });
  if (ep.error) return <ErrorBox message={ep.error} />;
  // While the next episode loads, the last one stays on screen.
  const shown = d ?? ep.data;
  return shown ? <EpisodeView d={shown} back={back} go={go} /> : <Loading />;
}

/** The episode as `envscale show --json` prints it. */
const episodeJson = (d: EpisodeDetail) => JSON.stringify({ episode: d.episode, task: d.task, events: d.events }, null, 2);

function EpisodeView({ d, back, go }: { d: EpisodeDetail; back: string; go: (to: number | null) => unknown }) {
  const json = () => episodeJson(d);
  const e = d.episode;
  return (
    <div class="page episode" data-episode={e.id}>
      <div class="page-head sticky">
        <a href={back} class="muted" title="back to the list (u)">
          ← list
        </a>
        <h1>Episode #{e.id}</h1>
        <a href={href(['runs', e.run_id])}>run #{e.run_id}</a>
        <a href={href(['domains', e.domain])}>{e.domain}</a>
        <span class="mono">{e.task_id ?? '(no task)'}</span>
        <span class="muted">trial {e.trial}</span>
        <span class="muted">{e.stop_reason ?? e.status}</span>
        {e.counts && (
          <span class="muted">
            {e.counts.turns} turns · {e.counts.tool_calls} calls · {e.counts.tool_errors} errors
          </span>
        )}
        <span class="muted" title={`${when(e.started_at)} → ${when(e.ended_at)}`}>
          {duration(e.started_at, e.ended_at)}
        </span>
        <span class="spacer" />
        <button disabled={!d.neighbours.prev} onClick={() => go(d.neighbours.prev)} title="previous episode (← or k)">
          ‹
        </button>
        <span class="muted" data-testid="position">
          {d.neighbours.index + 1} / {d.neighbours.total}
        </span>
        <button disabled={!d.neighbours.next} onClick={() => go(d.neighbours.next)} title="next episode (→ or j)">
          ›
        </button>
        <Copy text={json} label="Copy JSON" title="the episode, its task and its events (c)" />
        <Copy text={() => location.href} label="Copy link" />
      </div>
      <Verdict d={d} />
      <div class="episode-body">
        <div class="chat-col">
          {d.task && (
            <Fold title={<>Task <span class="mono">{d.task.id}</span></>}>
              <p class="instructions">{d.task.user.instructions}</p>
              {Object.keys(d.task.user.known).length > 0 && <Json value={d.task.user.known} />}
              {d.task.communicate.length > 0 && <p>must say: {d.task.communicate.map((s) => JSON.stringify(s)).join(', ')}</p>}
            </Fold>
          )}
          <Conversation d={d} />
        </div>
        <div class="state-col">
          <Fold title="Final state against gold" extra={d.state?.diff && d.state.diff.length === 0 ? <Pill kind="pass">matches</Pill> : null}>
            {!d.task && <div class="muted">No task: nothing to compare with.</div>}
            {d.task && !d.state && <div class="muted">{e.status === 'running' ? 'The episode is still running.' : 'The state could not be rebuilt.'}</div>}
            {d.task && d.state?.diff && (
              <div data-testid="gold-diff">
                <DiffView diff={d.state.diff} from="gold" to="episode" empty="✓ the final state is the gold state" />
              </div>
            )}
          </Fold>
          {d.task && (
            <Fold title="Calls and gold actions">
              <CallsVsGold d={d} />
            </Fold>
          )}
          {d.task && d.state?.gold && d.state.gold.some((g) => g.changes.length > 0) && (
            <Fold title="What the gold actions write" open={false}>
              {d.state.gold.map((g, i) =>
                g.changes.length ? (
                  <div class="gold-write">
                    <div class="mono">
                      {i + 1}. <b>{g.tool}</b>({argsText(g.args)})
                    </div>
                    <DiffView diff={g.changes} from="before" to="after" />
                  </div>
                ) : null,
              )}
            </Fold>
          )}
          {d.episode.verdict && d.episode.verdict.explanation !== 'success' && (
            <Fold title="Verdict explanation" open={false}>
              <pre class="text">{d.episode.verdict.explanation}</pre>
            </Fold>
          )}
          <Fold title={`Tools offered (${d.tools.length})`} open={false}>
            {d.tools.map((t) => (
              <details class="tool-def">
                <summary class="mono">{t.name}</summary>
                <p>{t.description}</p>
                <Json value={t.parameters} />
              </details>
            ))}
          </Fold>
        </div>
      </div>
    </div>
  );
}

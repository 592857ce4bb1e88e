import type { ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type DomainDetail } from '../api.js';
import { ErrorBox, Fold, Loading, Pager, Pill, Stats } from '../components/common.js';
import { Json } from '../components/json.js';
import { cell, int } from '../format.js';
import { useData, useKeys } from '../hooks.js';
import { href, navigate } from '../router.js';

const TABS = ['overview', 'tables', 'tools', 'tasks', 'graph'] as const;
const ROWS = 25;
type Tool = DomainDetail['tools'][number];

function stepOf(step: Tool['steps'][number]): { kind: string; sql: string; extra: string[] } {
  if ('query' in step) return { kind: 'query', sql: step.query, extra: [step.as ? `as ${step.as}` : '', step.expect !== 'any' ? `expect ${step.expect}` : '', step.error ? `error: ${step.error}` : ''] };
  if ('check' in step) return { kind: 'check', sql: step.check, extra: [`error: ${step.error}`] };
  return { kind: 'run', sql: step.run, extra: [step.expect !== 'any' ? `expect ${step.expect}` : '', step.error ? `error: ${step.error}` : ''] };
}

export function ToolCard({ tool, open = false }: { tool: Tool; open?: boolean }) {
  const output = tool.output ? Object.entries(tool.output)[0] : undefined;
  return (
    <details class="tool" open={open} data-tool={tool.name}>
      <summary>
        <b class="mono">{tool.name}</b> <Pill kind={tool.kind === 'write' ? 'warn' : 'info'}>{tool.kind}</Pill>{' '}
        {tool.verdict && (tool.verdict.ok ? <Pill kind="pass">verified</Pill> : <Pill kind="fail" title={tool.verdict.reason}>{tool.verdict.code}</Pill>)}
        {tool.verdict?.warnings.length ? <Pill kind="warn" title={tool.verdict.warnings.join('\n')}>{tool.verdict.warnings.length} warnings</Pill> : null}
        <span class="muted"> {tool.description.slice(0, 140)}</span>
      </summary>
      <p>{tool.description}</p>
      {tool.source && <p class="muted">source: {tool.source}</p>}
      <h4>Parameters</h4>
      <Json value={tool.parameters} fold={30} />
      <h4>Steps</h4>
      <ol class="steps">
        {tool.steps.map((s) => {
          const step = stepOf(s);
          return (
            <li>
              <span class={`step-kind ${step.kind}`}>{step.kind}</span>
              <pre class="sql">{step.sql}</pre>
              {step.extra.filter(Boolean).map((x) => (
                <div class="muted">{x}</div>
              ))}
            </li>
          );
        })}
        {tool.steps.length === 0 && <li class="muted">no steps</li>}
      </ol>
      {output && (
        <>
          <h4>Output ({output[0]})</h4>
          <pre class="sql">{output[1]}</pre>
        </>
      )}
      {tool.verdict && (
        <>
          <h4>Verification</h4>
          {tool.verdict.ok ? <p class="ok">passed{tool.verdict.example ? ' with' : ''}</p> : <p class="bad">{tool.verdict.reason}</p>}
          {tool.verdict.example && <Json value={tool.verdict.example} />}
        </>
      )}
    </details>
  );
}

function Tables({ d, query }: { d: DomainDetail; query: Record<string, string> }) {
  const table = query.table ?? d.tables[0]?.name;
  const offset = Number(query.offset ?? 0);
  const [q, setQ] = useState(query.q ?? '');
  const box = useRef<HTMLInputElement>(null);
  const set = (changes: Record<string, string | undefined>) => navigate(href(['domains', d.name], { ...query, tab: 'tables', offset: undefined, ...changes }), true);
  const rows = useData(() => api.rows(d.name, table, { q: query.q, offset, limit: ROWS }), [d.name, table, query.q, offset]);
  const spec = d.tables.find((t) => t.name === table);
  useKeys({
    n: () => (rows.data && offset + ROWS < rows.data.total ? set({ table, q: query.q, offset: String(offset + ROWS) }) : false),
    p: () => (offset > 0 ? set({ table, q: query.q, offset: String(offset - ROWS) }) : false),
    '/': () => box.current?.focus(),
  });
  return (
    <div class="tables">
      <ul class="side-list">
        {d.tables.map((t) => (
          <li class={t.name === table ? 'active' : ''}>
            <a href={href(['domains', d.name], { tab: 'tables', table: t.name })}>
              {t.name} <span class="muted">{int(t.rows)}</span>
            </a>
          </li>
        ))}
      </ul>
      <div class="table-view">
        {spec?.description && <p class="muted">{spec.description}</p>}
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            set({ table, q });
          }}
        >
          <input ref={box} placeholder={`search ${table}… (/)`} value={q} onInput={(e) => setQ(e.currentTarget.value)} aria-label="search rows" />
          <button type="submit">Search</button>
        </form>
        {rows.error && <ErrorBox message={rows.error} />}
        {rows.data && (
          <>
            <div class="scroll-x">
              <table class="grid data" data-testid="rows">
                <thead>
                  <tr>
                    {rows.data.columns.map((c) => {
                      const col = spec?.columns.find((x) => x.name === c);
                      return (
                        <th title={[col?.type, col?.references ? `→ ${col.references}` : '', col?.description ?? ''].filter(Boolean).join(' · ')}>
                          {spec?.primaryKey.includes(c) ? '🔑 ' : ''}
                          {c}
                          {col?.references && <span class="muted"> →</span>}
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {rows.data.rows.map((r) => (
                    <tr>
                      {rows.data!.columns.map((c) => (
                        <td class="mono" title={cell(r[c])}>
                          {cell(r[c])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager offset={offset} limit={ROWS} total={rows.data.total} onPage={(o) => set({ table, q: query.q, offset: String(o) })} />
          </>
        )}
      </div>
    </div>
  );
}

const graphModule = () => import('./domain-graph.js').then((m) => m.DomainGraph);

function LazyGraph({ d, query }: { d: DomainDetail; query: Record<string, string> }) {
  const [Graph, setGraph] = useState<ComponentType<{ d: DomainDetail; query: Record<string, string> }> | null>(null);
  useEffect(() => {
    graphModule().then((g) => setGraph(() => g));
  }, []);
  return Graph ? <Graph d={d} query={query} /> : <Loading />;
}

export function DomainPage({ name, query }: { name: string; query: Record<string, string> }) {
  const domain = useData(() => api.domain(name), [name]);
  const tab = (TABS as readonly string[]).includes(query.tab) ? query.tab : 'overview';
  useKeys({ u: () => navigate(href(['domains'])) });
  if (domain.error) return <ErrorBox message={domain.error} />;
  if (!domain.data) return <Loading />;
  const d = domain.data;
  return (
    <div class="page domain">
      <div class="page-head">
        <a href="#/domains" class="muted">
          ← domains
        </a>
        <h1>{d.name}</h1>
        <span class="muted">{d.description}</span>
        <span class="spacer" />
        <a href={href(['episodes'], { domain: d.name })}>episodes</a>
      </div>
      <nav class="tabs">
        {TABS.map((t) => (
          <a class={t === tab ? 'active' : ''} href={href(['domains', d.name], { tab: t })}>
            {t}
            {t === 'tables' ? ` (${d.tables.length})` : t === 'tools' ? ` (${d.tools.length})` : t === 'tasks' ? ` (${d.tasks.length})` : ''}
          </a>
        ))}
      </nav>
      {tab === 'overview' && (
        <div class="overview">
          <Stats
            items={[
              [d.tables.length, 'tables'],
              [int(d.tables.reduce((n, t) => n + t.rows, 0)), 'seed rows'],
              [d.tools.filter((t) => t.kind === 'read').length, 'read tools'],
              [d.tools.filter((t) => t.kind === 'write').length, 'write tools'],
              [d.tasks.length, 'tasks'],
              [d.clock.slice(0, 19).replace('T', ' '), 'clock'],
            ]}
          />
          {d.dropped.length > 0 && (
            <Fold title={`Tools dropped by verification (${d.dropped.length})`}>
              <table class="grid">
                {d.dropped.map((v) => (
                  <tr>
                    <td class="mono">{v.tool}</td>
                    <td>
                      <Pill kind="fail">{v.code}</Pill>
                    </td>
                    <td>{v.reason}</td>
                  </tr>
                ))}
              </table>
            </Fold>
          )}
          <Fold title="Policy">
            <pre class="text policy" data-testid="policy">
              {d.policy || '(no policy.md)'}
            </pre>
          </Fold>
          <p class="muted mono">{d.dir}</p>
        </div>
      )}
      {tab === 'tables' && <Tables d={d} query={query} />}
      {tab === 'tools' && (
        <div class="tools">
          {d.tools.map((t) => (
            <ToolCard tool={t} open={query.tool === t.name} />
          ))}
        </div>
      )}
      {tab === 'tasks' && (
        <div class="tasks">
          {d.tasks.map((t) => (
            <details class="task" data-task={t.id}>
              <summary>
                <b class="mono">{t.id}</b> <span class="muted">{t.gold.actions.length} gold actions</span> {t.tags.map((g) => <Pill kind="muted">{g}</Pill>)}
                <div class="clip muted">{t.user.instructions}</div>
              </summary>
              <p class="instructions">{t.user.instructions}</p>
              {Object.keys(t.user.known).length > 0 && (
                <>
                  <h4>The user knows</h4>
                  <Json value={t.user.known} />
                </>
              )}
              <h4>Gold actions</h4>
              <ol class="gold">
                {t.gold.actions.map((a) => (
                  <li class="mono">
                    <a href={href(['domains', d.name], { tab: 'tools', tool: a.tool })}>
                      <b>{a.tool}</b>
                    </a>
                    ({JSON.stringify(a.args)})
                  </li>
                ))}
              </ol>
              {t.communicate.length > 0 && <p>must say: {t.communicate.map((s) => JSON.stringify(s)).join(', ')}</p>}
              {t.initial.length > 0 && (
                <>
                  <h4>Initial statements</h4>
                  {t.initial.map((s) => (
                    <pre class="sql">{s.sql}</pre>
                  ))}
                </>
              )}
              <p>
                <a href={href(['episodes'], { domain: d.name, task: t.id })}>episodes of this task</a>
              </p>
            </details>
          ))}
          {d.tasks.length === 0 && <div class="muted">No tasks.json in this domain.</div>}
        </div>
      )}
      {tab === 'graph' && <LazyGraph d={d} query={query} />}
    </div>
  );
}

import { UndirectedGraph } from 'graphology';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type PlanDomainView, type PlanGraphView } from '../api.js';
import { ErrorBox, Loading, Pill, Stats } from '../components/common.js';
import { GraphView, type GraphHandle } from '../components/graph.js';
import { colour, int, num } from '../format.js';
import { useData, useKeys } from '../hooks.js';
import { href, navigate } from '../router.js';

const domainKey = (name: string) => `d:${name}`;
const toolKey = (name: string) => `t:${name}`;
/** Zoomed in past this camera ratio, the domains on screen show their tools (large plans). */
const EXPAND_RATIO = 0.12;
const EXPAND_AT_ONCE = 6;

/** The plan's graph for sigma: every tool coloured by domain (small plans), or domains as nodes (large ones). */
function buildGraph(plan: PlanGraphView): UndirectedGraph {
  const g = new UndirectedGraph();
  const toolLevel = plan.tools !== undefined;
  plan.domains.forEach((d, i) => {
    g.addNode(domainKey(d.name), {
      x: d.x,
      y: d.y,
      size: toolLevel ? 1 : 2 + 1.2 * Math.sqrt(d.tools),
      color: colour(i),
      label: d.name,
      forceLabel: toolLevel,
      domain: i,
      zIndex: 2,
    });
  });
  if (plan.tools) {
    const t = plan.tools;
    // Small plans get larger dots: a few dozen tools should read as clusters, thousands as a cloud.
    const size = Math.max(3, 8 - 1.3 * Math.log10(t.names.length));
    t.names.forEach((name, i) => g.addNode(toolKey(name), { x: t.x[i], y: t.y[i], size, color: colour(t.domain[i]), label: name, domain: t.domain[i] }));
    for (const [a, b] of t.edges) {
      const [ka, kb] = [toolKey(t.names[a]), toolKey(t.names[b])];
      if (!g.hasEdge(ka, kb)) g.addEdge(ka, kb, { size: 0.4, color: t.domain[a] === t.domain[b] ? colour(t.domain[a]) + '55' : '#b8c0cc55' });
    }
  } else {
    const max = Math.max(1e-9, ...plan.edges.map((e) => e[2]));
    for (const [a, b, w] of plan.edges) g.addEdge(domainKey(plan.domains[a].name), domainKey(plan.domains[b].name), { size: 0.5 + 2.5 * Math.sqrt(w / max), color: '#b8c0cc88' });
  }
  return g;
}

/** A large plan's domain opened in place: its tools around it, with their edges. */
function expand(g: UndirectedGraph, plan: PlanGraphView, detail: PlanDomainView): void {
  const i = plan.domains.findIndex((d) => d.name === detail.name);
  const key = domainKey(detail.name);
  if (!g.hasNode(key) || g.getNodeAttribute(key, 'expanded')) return;
  g.mergeNodeAttributes(key, { expanded: true, size: 2, forceLabel: true });
  for (const t of detail.tools) if (!g.hasNode(toolKey(t.name))) g.addNode(toolKey(t.name), { x: t.x, y: t.y, size: 2.5, color: colour(i), label: t.name, domain: i });
  for (const [a, b] of detail.edges) {
    const [ka, kb] = [toolKey(detail.tools[a].name), toolKey(detail.tools[b].name)];
    if (!g.hasEdge(ka, kb)) g.addEdge(ka, kb, { size: 0.4, color: colour(i) + '66' });
  }
}

function DomainPanel({ name, plan, onTool }: { name: string; plan: PlanGraphView; onTool: (tool: string) => void }) {
  const d = useData(() => api.planDomain(name), [name]);
  const i = plan.domains.findIndex((x) => x.name === name);
  const summary = plan.domains[i];
  return (
    <div class="panel-domain" data-testid="plan-domain">
      <h2>
        <span class="swatch" style={{ background: colour(i) }} /> {name}
      </h2>
      {summary && (
        <p class="muted">
          {summary.tools} tools{summary.variants ? `, ${summary.variants} variants set aside` : ''} · community {summary.community}
        </p>
      )}
      <p>
        {(d.data?.terms ?? summary?.terms ?? []).map((t) => (
          <Pill kind="muted">{t}</Pill>
        ))}
      </p>
      {d.data?.synthesized ?? summary?.synthesized ? (
        <p>
          <a href={href(['domains', name])} data-testid="open-domain">
            Open the domain page →
          </a>
        </p>
      ) : (
        <p class="muted">not synthesized in the viewer's domain folders</p>
      )}
      {d.error && <ErrorBox message={d.error} />}
      {d.data && (
        <ul class="tool-list">
          {d.data.tools.map((t) => (
            <li onClick={() => onTool(t.name)}>
              <b class="mono">{t.name}</b>
              {t.method && (
                <span class="muted mono">
                  {' '}
                  {t.method} {t.path}
                </span>
              )}
              {t.description && <div class="muted clip">{t.description}</div>}
            </li>
          ))}
          {d.data.variants.length > 0 && <li class="muted">variants set aside: {d.data.variants.map((v) => `${v.tool} (of ${v.of})`).join(', ')}</li>}
        </ul>
      )}
    </div>
  );
}

export function PartitionPage({ query }: { query: Record<string, string> }) {
  const plan = useData(() => api.plan(), []);
  const [search, setSearch] = useState('');
  const handle = useRef<GraphHandle | undefined>(undefined);
  const box = useRef<HTMLInputElement>(null);
  const graph = useMemo(() => (plan.data ? buildGraph(plan.data) : undefined), [plan.data]);
  const selected = query.domain && plan.data?.domains.some((d) => d.name === query.domain) ? query.domain : null;
  const [version, setVersion] = useState(0);
  const focus = useMemo(() => {
    if (!graph || !selected) return null;
    const i = plan.data!.domains.findIndex((d) => d.name === selected);
    const near = new Set<string>();
    graph.forEachNode((n, a) => a.domain === i && near.add(n));
    if (!plan.data!.tools) graph.neighbors(domainKey(selected)).forEach((n) => near.add(n));
    return near;
  }, [graph, selected, version]);

  const select = (name: string | null) => navigate(href(['partition'], { domain: name ?? undefined }), true);
  const open = async (name: string) => {
    if (!graph || !plan.data) return;
    if (!plan.data.tools) {
      expand(graph, plan.data, await api.planDomain(name));
      setVersion((v) => v + 1);
    }
  };
  // A selected domain: opened (large plans) and brought to the middle of the screen.
  useEffect(() => {
    if (!selected || !graph) return;
    void open(selected).then(() => {
      const s = handle.current?.sigma;
      const at = s?.getNodeDisplayData(domainKey(selected));
      if (s && at) s.getCamera().animate({ x: at.x, y: at.y, ratio: Math.min(s.getCamera().ratio, plan.data!.tools ? 0.5 : 0.1) }, { duration: 400 });
    });
  }, [selected, graph]);

  const onReady = (h: GraphHandle) => {
    handle.current = h;
    if (!plan.data || plan.data.tools) return;
    // Zoomed in on a large plan: the domains near the middle of the screen show their tools.
    let busy = false;
    h.sigma.getCamera().on('updated', (state) => {
      if (busy || state.ratio > EXPAND_RATIO) return;
      const { width, height } = h.sigma.getDimensions();
      const candidates = plan.data!.domains
        .map((d) => ({ d, at: h.sigma.graphToViewport({ x: d.x, y: d.y }) }))
        .filter(({ d, at }) => at.x >= 0 && at.y >= 0 && at.x <= width && at.y <= height && !h.graph.getNodeAttribute(domainKey(d.name), 'expanded'))
        .sort((p, q) => Math.hypot(p.at.x - width / 2, p.at.y - height / 2) - Math.hypot(q.at.x - width / 2, q.at.y - height / 2))
        .slice(0, EXPAND_AT_ONCE);
      if (candidates.length === 0) return;
      busy = true;
      void Promise.all(candidates.map(({ d }) => api.planDomain(d.name).then((detail) => expand(h.graph, plan.data!, detail)))).finally(() => (busy = false));
    });
  };

  useKeys({ '/': () => box.current?.focus(), Escape: () => (selected ? select(null) : false) });
  if (plan.error) return <ErrorBox message={plan.error} />;
  if (!plan.data || !graph) return <Loading what="Laying out the plan" />;
  const p = plan.data;
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const listed = p.domains
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => words.every((w) => d.name.includes(w) || d.terms.some((t) => t.includes(w))))
    .sort((a, b) => b.d.tools - a.d.tools);
  return (
    <div class="partition">
      <aside class="side">
        <h1>Partition</h1>
        <Stats
          small
          items={[
            [int(p.stats.tools), 'tools'],
            [int(p.stats.domains), 'domains'],
            [int(p.stats.edges), 'edges'],
            [num(p.stats.modularity), 'modularity'],
            [int(p.isolated), 'isolated'],
          ]}
        />
        <p class="muted small">
          {p.tools ? 'Every tool, coloured by domain.' : 'Domains as nodes (a large plan): click one, or zoom in, to see its tools.'} {p.note}
        </p>
        <input ref={box} class="search" placeholder="find a domain or term… (/)" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        {selected ? (
          <>
            <button class="link" onClick={() => select(null)}>
              ← all domains
            </button>
            <DomainPanel
              name={selected}
              plan={p}
              onTool={(tool) => {
                const at = handle.current?.sigma.getNodeDisplayData(toolKey(tool));
                if (at) handle.current!.sigma.getCamera().animate({ x: at.x, y: at.y, ratio: 0.05 }, { duration: 400 });
              }}
            />
          </>
        ) : (
          <ul class="domain-list" data-testid="plan-domains">
            {listed.slice(0, 300).map(({ d, i }) => (
              <li onClick={() => select(d.name)} data-domain={d.name}>
                <span class="swatch" style={{ background: colour(i) }} /> <b>{d.name}</b> <span class="muted">{d.tools}</span>
                <div class="muted small clip">{d.terms.slice(0, 5).join(' · ')}</div>
              </li>
            ))}
            {listed.length > 300 && <li class="muted">… {listed.length - 300} more (search to narrow)</li>}
          </ul>
        )}
      </aside>
      <GraphView
        graph={graph}
        onReady={onReady}
        focus={focus}
        onNode={(node) => select(p.domains[graph.getNodeAttribute(node, 'domain') as number].name)}
        onStage={() => select(null)}
        settings={{ labelRenderedSizeThreshold: p.tools ? 9 : 4, hideEdgesOnMove: p.stats.tools > 5000 }}
        class="graph-full"
      />
    </div>
  );
}

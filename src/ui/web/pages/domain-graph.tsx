import { DirectedGraph } from 'graphology';
import { useMemo } from 'preact/hooks';
import type { DomainDetail } from '../api.js';
import { GraphView } from '../components/graph.js';
import { href, navigate } from '../router.js';
import { ToolCard } from './domain.js';

const KIND_COLOUR: Record<string, string> = { read: '#3b82c4', write: '#d9822b' };

/** The tool dependency graph task sampling walks: A -> B when what A returns can feed B's lookup parameters. */
export function DomainGraph({ d, query }: { d: DomainDetail; query: Record<string, string> }) {
  const graph = useMemo(() => {
    const g = new DirectedGraph();
    for (const n of d.graph.nodes) g.addNode(n.id, { x: n.x, y: n.y, size: 6 + Math.min(8, g.order / 4), label: n.id, color: KIND_COLOUR[n.kind] ?? '#888' });
    for (const e of d.graph.edges) g.addDirectedEdge(e.from, e.to, { size: 1.2, color: '#9aa4b288', type: 'arrow', label: e.params.join(', ') });
    g.forEachNode((n) => g.setNodeAttribute(n, 'size', 5 + 2 * Math.sqrt(g.degree(n))));
    return g;
  }, [d]);
  const selected = query.tool && graph.hasNode(query.tool) ? query.tool : null;
  const focus = useMemo(() => (selected ? new Set([selected, ...graph.neighbors(selected)]) : null), [graph, selected]);
  const tool = d.tools.find((t) => t.name === selected);
  const select = (node: string | null) => navigate(href(['domains', d.name], { tab: 'graph', tool: node ?? undefined }), true);
  return (
    <div class="domain-graph">
      <p class="muted">
        {d.graph.reviewed ? 'Reviewed dependencies (domain.json)' : 'Dependencies derived from the SQL'}: an arrow from A to B means what A returns can feed a parameter B looks rows up by. Blue tools read, orange
        tools write. {d.graph.edges.length} edges. Click a tool to see it and its neighbours.
      </p>
      <GraphView graph={graph} onNode={select} onStage={() => select(null)} focus={focus} settings={{ labelRenderedSizeThreshold: 0 }} class="graph-medium" />
      {tool && <ToolCard tool={tool} open />}
    </div>
  );
}

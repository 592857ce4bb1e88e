import type { PartitionPlan } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { domainOfTool } from './membership.js';
import type { Edge } from './neighbours.js';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Each tool's domain name (or `isolated`) and top-level community, by tool index. */
function membership(tools: ToolSpec[], plan: PartitionPlan): Array<{ domain: string; community: number }> {
  const byName = domainOfTool(plan);
  return tools.map((t) => {
    const d = byName.get(t.name);
    return d ? { domain: d.name, community: d.community } : { domain: 'isolated', community: -1 };
  });
}

/** The tool graph as GEXF 1.3 (Gephi, Cytoscape, networkx read it): node attributes domain and community, edge weights. */
export function toGexf(tools: ToolSpec[], edges: Edge[], plan: PartitionPlan): string {
  const member = membership(tools, plan);
  const nodes = tools.map(
    (t, i) =>
      `      <node id="${i}" label="${xml(t.name)}"><attvalues><attvalue for="domain" value="${xml(member[i].domain)}"/>` +
      `<attvalue for="community" value="${member[i].community}"/></attvalues></node>`,
  );
  const links = edges.map((e, n) => `      <edge id="${n}" source="${e.a}" target="${e.b}" weight="${e.weight.toFixed(6)}"/>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
    '  <graph defaultedgetype="undirected">',
    '    <attributes class="node">',
    '      <attribute id="domain" title="domain" type="string"/>',
    '      <attribute id="community" title="community" type="integer"/>',
    '    </attributes>',
    '    <nodes>',
    ...nodes,
    '    </nodes>',
    '    <edges>',
    ...links,
    '    </edges>',
    '  </graph>',
    '</gexf>',
    '',
  ].join('\n');
}

/** The tool graph in graphology's serialization format (`Graph.from(json)` loads it). */
export function toGraphologyJson(tools: ToolSpec[], edges: Edge[], plan: PartitionPlan): string {
  const member = membership(tools, plan);
  return `${JSON.stringify({
    options: { type: 'undirected', multi: false, allowSelfLoops: false },
    attributes: {},
    nodes: tools.map((t, i) => ({ key: String(i), attributes: { label: t.name, ...member[i] } })),
    edges: edges.map((e) => ({ source: String(e.a), target: String(e.b), attributes: { weight: Number(e.weight.toFixed(6)) } })),
  })}\n`;
}

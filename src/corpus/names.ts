import type { IngestReport } from '../spec/plan.js';
import { canonicalJson } from './canonical.js';
import { documentOf, type RawTool } from './types.js';

const MAX = 64;

/** An MCP-valid name (`^[a-zA-Z0-9_-]{1,64}$`) close to the original: other characters become `_`. */
export function sanitizeName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  return clean.slice(0, MAX).replace(/_+$/, '') || 'tool';
}

/**
 * Keep exact duplicates (same name, description and parameters) once per document and group (a
 * file of many servers' tools names each server in `group`), then make every name valid and
 * unique: a later tool with a taken name gets the first free suffix `_2`, `_3`, ... in input order. A tool renamed because an earlier one has the same sanitized name records that
 * tool as `variantOf`. An exact copy in another document stays (as a variant): every API keeps its
 * own generic helpers (`calculate`, `transfer_to_human_agents`), so that partition can leave them
 * in their API's domain, where a single pooled copy would serve only one of them.
 */
export function assignNames(tools: RawTool[]): { tools: RawTool[] } & Pick<IngestReport, 'duplicates' | 'renamed'> {
  const seen = new Map<string, string>();
  const used = new Set<string>();
  /** The first tool's name for each sanitized source name. */
  const firstOfBase = new Map<string, string>();
  const out: RawTool[] = [];
  const duplicates: IngestReport['duplicates'] = [];
  const renamed: IngestReport['renamed'] = [];
  for (const tool of tools) {
    const base = sanitizeName(tool.name);
    const key = `${documentOf(tool.source)}\u0000${tool.group ?? ''}\u0000${base}\u0000${tool.description}\u0000${canonicalJson(tool.parameters)}`;
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ source: tool.source, duplicateOf: first });
      continue;
    }
    seen.set(key, tool.source);
    let name = base;
    for (let n = 2; used.has(name); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, MAX - suffix.length)}${suffix}`;
    }
    used.add(name);
    if (name !== tool.name) renamed.push({ from: tool.name, to: name, source: tool.source });
    const variantOf = firstOfBase.get(base);
    if (variantOf === undefined) firstOfBase.set(base, name);
    out.push(variantOf === undefined ? { ...tool, name } : { ...tool, name, variantOf });
  }
  return { tools: out, duplicates, renamed };
}

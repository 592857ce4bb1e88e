/**
 * The shared real corpora enlarged deterministically with realistic variations (vendor copies,
 * renamed verbs and parameters, dropped optional parameters, reworded descriptions). Used by the
 * partition and synthesis benchmarks, so both measure the same 30,000-tool pool.
 */
import { seededRng } from '../src/graph/rng.js';
import type { ToolSpec } from '../src/spec/tool.js';

const VENDORS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'wonka', 'soylent', 'aperture'];
const VERBS: Array<[RegExp, string[]]> = [
  [/^get/i, ['fetch', 'retrieve', 'read']],
  [/^list/i, ['browse', 'enumerate', 'search']],
  [/^create/i, ['add', 'new', 'register']],
  [/^delete/i, ['remove', 'drop', 'erase']],
  [/^update/i, ['modify', 'edit', 'change']],
];
const PARAM_SYNONYMS: Record<string, string> = { id: 'identifier', name: 'title', limit: 'max_results', query: 'q', user: 'account', date: 'day', page: 'offset' };

/** One variation of a real tool, as another vendor might publish it. */
function variant(tool: ToolSpec, copy: number, rng: () => number): ToolSpec {
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  // Each copy of a tool comes from another vendor, so copies never collide as exact duplicates.
  const vendor = VENDORS[(copy - 1) % VENDORS.length];
  let name = tool.name;
  for (const [re, alts] of VERBS) if (re.test(name)) name = name.replace(re, pick(alts));
  const props = Object.entries(tool.parameters.properties ?? {});
  const required = new Set((tool.parameters.required as string[] | undefined) ?? []);
  const kept = props.filter(([p]) => required.has(p) || rng() > 0.2);
  const renamed = kept.map(([p, s]): [string, unknown] => {
    const swap = Object.keys(PARAM_SYNONYMS).find((w) => p.toLowerCase().endsWith(w));
    return [swap && rng() < 0.5 ? p.slice(0, p.length - swap.length) + PARAM_SYNONYMS[swap] : rng() < 0.3 ? p.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) : p, s];
  });
  const sentences = tool.description.split(/(?<=\.)\s+/);
  const description = `${pick(['', `${vendor} `, `Via ${vendor}: `])}${sentences.slice(0, Math.max(1, sentences.length - (rng() < 0.4 ? 1 : 0))).join(' ')}`;
  const names = new Set<string>();
  const properties = Object.fromEntries(renamed.filter(([p]) => !names.has(p) && names.add(p)));
  return {
    ...tool,
    name: `${vendor}_${name}`,
    description,
    parameters: { ...tool.parameters, properties: properties as ToolSpec['parameters']['properties'], required: [...required].filter((r) => r in properties) },
  };
}

/** A tool under the name its source gives it: reading the pool back, ingest suffixes variants of one name again. */
const asInSource = ({ variantOf, ...tool }: ToolSpec): ToolSpec => (variantOf ? { ...tool, name: variantOf } : tool);

export function enlarge(ingested: ToolSpec[], size: number): ToolSpec[] {
  const rng = seededRng(20_240_601);
  const base = ingested.map(asInSource);
  const out = [...base];
  for (let copy = 1; out.length < size; copy++) for (const t of base) if (out.length < size) out.push(variant(t, copy, rng));
  return out;
}


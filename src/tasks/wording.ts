import type { Domain } from '../env/domain.js';
import type { JsonSchema } from '../spec/json-schema.js';

/** A name only a program would write: snake_case, camelCase, or letters run into digits (address1). */
const IDENTIFIER_SHAPED = /_|[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z]/;
const SHINGLE = 8;

interface DomainWords {
  /** Tool and parameter names shaped like identifiers. */
  identifiers: string[];
  /** Tool names of three words or more, as words ("find member by email"). */
  toolPhrases: string[];
  /** Every run of SHINGLE consecutive words of a tool description. */
  shingles: Set<string>;
}

const cache = new WeakMap<Domain, DomainWords>();

export const wordsOf = (text: string) => text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
const nameWords = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function propertyNames(schema: JsonSchema | undefined, out: Set<string>): void {
  if (!schema || typeof schema !== 'object') return;
  for (const [name, prop] of Object.entries((schema.properties as Record<string, JsonSchema> | undefined) ?? {})) {
    out.add(name);
    propertyNames(prop, out);
    propertyNames(prop.items as JsonSchema | undefined, out);
  }
}

function domainWords(domain: Domain): DomainWords {
  let words = cache.get(domain);
  if (words) return words;
  const names = new Set<string>();
  const shingles = new Set<string>();
  const toolPhrases: string[] = [];
  for (const { spec } of domain.tools.values()) {
    names.add(spec.name);
    propertyNames(spec.parameters, names);
    const w = nameWords(spec.name);
    if (w.length >= 3) toolPhrases.push(w.join(' '));
    const desc = wordsOf(spec.description);
    for (let i = 0; i + SHINGLE <= desc.length; i++) shingles.add(desc.slice(i, i + SHINGLE).join(' '));
  }
  const identifiers = [...names].filter((n) => IDENTIFIER_SHAPED.test(n));
  words = { identifiers, toolPhrases, shingles };
  cache.set(domain, words);
  return words;
}

/** Tool and parameter names an instruction spells out (as identifiers, or a tool name as words). */
export function namedIdentifiers(domain: Domain, text: string): string[] {
  const { identifiers, toolPhrases } = domainWords(domain);
  // snake_case is never written by people, whatever the case; camelCase only as spelled (userName, not username).
  const lower = text.toLowerCase();
  const found = identifiers.filter((n) => {
    const snake = n.includes('_');
    const hay = snake ? lower : text;
    const needle = snake ? n.toLowerCase() : n;
    return hay.includes(needle) && new RegExp(`(?<![A-Za-z0-9_])${escape(needle)}(?![A-Za-z0-9_])`).test(hay);
  });
  // The words of a tool name, unless it was just found spelled as an identifier.
  const spaced = ` ${lower.replace(/[a-z0-9]+(?:_[a-z0-9]+)+/g, ' ').match(/[a-z0-9']+/g)?.join(' ') ?? ''} `;
  return [...found, ...toolPhrases.filter((p) => spaced.includes(` ${p} `))];
}

/** Whether an instruction repeats a run of eight or more words of a tool description. */
export function copiesDescription(domain: Domain, text: string): boolean {
  const { shingles } = domainWords(domain);
  const words = wordsOf(text);
  for (let i = 0; i + SHINGLE <= words.length; i++) if (shingles.has(words.slice(i, i + SHINGLE).join(' '))) return true;
  return false;
}

/** Leftovers of a template or of serialized data that no person writes; words people double for emphasis ("really really") are not. */
const ARTIFACT = /[{}]|\[object Object\]|\bundefined\b|\bNaN\b|using what was found before|\(\s*[,;]?\s*\)|\b(?!(?:really|very|so|much|many|more|far|too|bye|ha|no|yes|now|well|again|long|little)\b)([a-z]{2,}) \1\b/;

export function templateArtifact(text: string): string | undefined {
  return ARTIFACT.exec(text)?.[0];
}

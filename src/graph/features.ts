import type { ToolSpec } from '../spec/tool.js';
import { contentWords, splitIdentifier } from './tokens.js';

/** A bag of terms with weights: what TF-IDF turns into a vector. */
export type TermBag = Map<string, number>;

/**
 * How much each part of a tool counts. Parameters carry the most weight; the tool's own name and
 * description count less. `wholeParam` adds each full parameter name as one term, so that
 * `issue_id` matches `issue_id` more than `id` matches `id`. Parameter types are not terms: as
 * `:integer` (weights 0.2 to 1) or as `name:type` they moved the labeled sets of
 * scripts/eval-partition.ts by noise only, up on one seed and down on another. Nor are the field
 * names of the output contract (ToolSpec.outputSchema, with its entity `title`): at weight 0.5 to 2
 * they blurred the areas of one API (16 tagged specs above 40 operations partitioned alone, ARI
 * against their tags 0.37 -> 0.32 at weight 1: responses share ids, dates and paging wrappers),
 * helped tell APIs apart only with sources ignored (openapi-extra pooled, communities 0.73 -> 0.83),
 * which sources already do (1.00), and lowered the stripped BFCL row (0.53 -> 0.49), whose
 * response fields `returns` already holds. Where the output contract helps is in cutting a large
 * source without tags or paths: the entity its response is named after (cut.ts).
 */
export interface FeatureWeights {
  paramWords: number;
  wholeParam: number;
  paramDescription: number;
  name: number;
  description: number;
  /** What the tool returns (its response description and returned fields). */
  returns: number;
  /** Each leading path prefix of an OpenAPI operation (`/calendars`, `/calendars/acl`) as one term. */
  pathPrefix: number;
  /** Stem and drop stopwords (the plain baseline does neither). */
  clean: boolean;
}

export const DEFAULT_WEIGHTS: FeatureWeights = {
  paramWords: 1,
  wholeParam: 1,
  paramDescription: 0.3,
  name: 0.6,
  description: 1,
  // Measured 0.5, 1 and 1.5: all raised the stripped BFCL row; 0.5 cost the full OpenAPI pool least.
  returns: 0.5,
  pathPrefix: 2,
  clean: true,
};

/** The plain form of the method: split parameter names, tool name and description, nothing more. */
export const PLAIN_WEIGHTS: FeatureWeights = {
  paramWords: 1,
  wholeParam: 0,
  paramDescription: 0,
  name: 1,
  description: 1,
  returns: 0,
  pathPrefix: 0,
  clean: false,
};

/** The plain form on parameter names alone, the weakest reference the issue quotes. */
export const PARAM_NAME_WEIGHTS: FeatureWeights = { ...PLAIN_WEIGHTS, name: 0, description: 0 };

function add(bag: TermBag, words: string[], weight: number): void {
  if (weight <= 0) return;
  for (const w of words) bag.set(w, (bag.get(w) ?? 0) + weight);
}

/** How many leading literal segments of a path make prefix terms: the API area and the resource in it. */
const PREFIX_DEPTH = 2;

/**
 * Path prefixes as whole terms. Operations of one API share its resource hierarchy (`/calendars/...`,
 * `/api/2/...`), which the words of the path alone do not say: `/calendars/acl` and `/acl` share
 * words but not a prefix. Template segments (`{calendarId}`) are skipped.
 */
export function pathPrefixes(path: string): string[] {
  const segments = path.split(/[/?]/).filter((s) => s !== '' && !s.includes('{'));
  return segments.slice(0, PREFIX_DEPTH).map((_, d) => `/${segments.slice(0, d + 1).join('/').toLowerCase()}`);
}

function properties(schema: unknown): Array<[string, Record<string, unknown>]> {
  const props = (schema as { properties?: unknown } | undefined)?.properties;
  if (!props || typeof props !== 'object') return [];
  return Object.entries(props as Record<string, unknown>).filter(
    (e): e is [string, Record<string, unknown>] => typeof e[1] === 'object' && e[1] !== null,
  );
}

/** The weighted terms of one tool. */
export function toolTerms(tool: ToolSpec, w: FeatureWeights = DEFAULT_WEIGHTS): TermBag {
  const words = w.clean ? contentWords : splitIdentifier;
  const bag: TermBag = new Map();
  for (const [name, schema] of properties(tool.parameters)) {
    add(bag, words(name), w.paramWords);
    if (w.wholeParam > 0) bag.set(`=${name.toLowerCase()}`, (bag.get(`=${name.toLowerCase()}`) ?? 0) + w.wholeParam);
    if (typeof schema.description === 'string') add(bag, words(schema.description), w.paramDescription);
    // Fields of object parameters (request bodies, nested models) say what the tool handles.
    for (const [sub] of properties(schema)) add(bag, words(sub), w.paramWords / 2);
  }
  add(bag, words(tool.name), w.name);
  if (tool.path) {
    add(bag, words(tool.path.replace(/\{[^}]*\}/g, ' ')), w.name);
    add(bag, pathPrefixes(tool.path), w.pathPrefix);
  }
  add(bag, words(tool.description), w.description);
  if (tool.returns) add(bag, words(tool.returns), w.returns);
  return bag;
}

/** One text per tool for embedding models: name, description, then each parameter with its description. */
export function toolText(tool: ToolSpec): string {
  const params = properties(tool.parameters).map(([name, schema]) =>
    typeof schema.description === 'string' ? `${name}: ${schema.description}` : name,
  );
  return [`${tool.name}: ${tool.description}`, ...params].join('\n');
}

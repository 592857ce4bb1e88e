import type { JsonSchema } from '../spec/json-schema.js';
import type { ToolSpec } from '../spec/tool.js';
import { classifyTool, leadingVerb, VERBS } from './classify.js';
import { schemaType, type Contract } from './contract.js';
import { identifier, singular, snake, splitWords } from './words.js';

/**
 * Pass 2, entities: the thing each tool is about. A named response schema says it (`Customer`,
 * a wrapper's `customers` key); otherwise the OpenAPI path, then the nouns of the tool's name,
 * where a noun that is also one of the tool's parameters is an attribute (`find_user_by_email` is
 * about users), and what a create makes is its last noun.
 */

/** Prepositions, articles and conjunctions: never an entity (`associated_with_id` points at no table of `withs`). */
const FUNCTION_WORDS = new Set(['by', 'for', 'the', 'a', 'an', 'of', 'in', 'on', 'to', 'from', 'with', 'and', 'or', 'at', 'as', 'is', 'into', 'about', 'per', 'via', 'than', 'within', 'without', 'over', 'under', 'between']);
const STOP = new Set([...FUNCTION_WORDS, 'details', 'detail', 'info', 'data', 'api', 'id', 'ids', 'current', 'specific', 'my', 'multiple', 'using', 'via', 'v1', 'v2', 'v3', 'name', 'new', 'given', 'based', 'into', 'its', 'it', 'all', 'any', 'each', 'per', 'about', 'list', 'get', 'json', 'xml']);
/** Path segments that are operations on a collection, not a collection. */
const PATH_OPS = new Set(['count', 'search', 'me', 'self', 'batch', 'bulk', 'latest', 'export', 'import', 'query', 'find', 'lookup', 'stats', 'summary']);

const isNoun = (w: string) => !VERBS.has(w) && !STOP.has(w) && /^[a-z]/.test(w) && w.length > 1;

/** Candidate entity words of a tool name (singular): what is left once verbs, filler words and the tool's own attributes are gone. */
export function nameNouns(tool: Pick<ToolSpec, 'name' | 'parameters'>): string[] {
  const verb = leadingVerb(tool);
  const words = splitWords(tool.name);
  const at = verb ? words.indexOf(verb) : -1;
  const attributes = new Set(Object.keys(tool.parameters.properties ?? {}).map(snake));
  const nouns = words.filter((w, i) => i !== at && isNoun(w)).map(singular);
  const entities = nouns.filter((w) => !attributes.has(w));
  return entities.length > 0 ? entities : nouns;
}

/** The entity a REST path is about: its last literal segment that names a collection (`/customer_categories/{id}.json` -> customer_category). */
function pathEntity(path: string | undefined): string | undefined {
  const segments = (path ?? '').split('/').map((s) => s.replace(/\.(json|xml)$/i, '')).filter((s) => s && !s.includes('{') && !/^(v\d+(\.\d+)*|api)$/i.test(s));
  for (const seg of segments.reverse()) {
    const words = splitWords(seg).filter((w) => isNoun(w) && !PATH_OPS.has(w));
    if (words.length > 0) return [...words.slice(-3, -1), singular(words[words.length - 1])].join('_');
  }
  return undefined;
}

/** The entity an `<x>_id` parameter points at, or undefined when the parameter is no id. */
export function idEntity(param: string, schema: JsonSchema): string | undefined {
  const t = schemaType(schema);
  // Ids are text or whole numbers; some specs type them `number` (`comicId: number`).
  if (t !== undefined && t !== 'string' && t !== 'integer' && t !== 'number') return undefined;
  const words = splitWords(param);
  if (words.length < 2 || words[words.length - 1] !== 'id') return undefined;
  const noun = words[words.length - 2];
  return /^[a-z]/.test(noun) && !FUNCTION_WORDS.has(noun) ? singular(noun) : undefined;
}

/**
 * The entity of each tool (identifiers). From its contract when that names one; else the path;
 * else the last noun of the name unless it is unique to this tool and another noun of the name is
 * shared with other tools of the domain (shared names make shared tables) — except for creates,
 * which make what their last noun names.
 */
export function toolEntities(tools: ToolSpec[], contracts: Array<Contract | undefined>, fallback: string): string[] {
  const nouns = tools.map(nameNouns);
  const freq = new Map<string, number>();
  for (const list of nouns) for (const w of new Set(list)) freq.set(w, (freq.get(w) ?? 0) + 1);
  return tools.map((tool, i) => {
    const named = contracts[i]?.entity ?? pathEntity(tool.path);
    if (named) return identifier(named);
    const list = nouns[i];
    if (list.length === 0) {
      const own = Object.entries(tool.parameters.properties ?? {}).map(([p, s]) => idEntity(p, s)).find((e) => e !== undefined);
      return identifier(own ?? fallback);
    }
    const last = list[list.length - 1];
    if (freq.get(last)! > 1 || classifyTool(tool).op === 'create') return identifier(last);
    const shared = [...list].reverse().find((w) => freq.get(w)! > 1);
    return identifier(shared ?? last);
  });
}

import type { JsonSchema } from '../spec/json-schema.js';
import type { ToolSpec } from '../spec/tool.js';
import { standardSchema } from '../util/openapi-schema.js';
import { mapSubschemas } from '../util/schema-walk.js';
import { satisfiableNode } from './satisfiable.js';
import { singular, splitWords } from './words.js';

/**
 * Pass 1, the output contract: what a tool's source says a call returns, read as data the world
 * must hold. A response is a record of an entity, a list of them, a wrapper around either
 * (`{data: [...], meta}`, `{items, total}`, `{customer: {...}}`), or something else (a scalar, a
 * map), which then has no entity.
 */

export interface Contract {
  /** The response schema in plain JSON Schema (OpenAPI's `nullable` and friends rewritten, `x-*` dropped). */
  schema: JsonSchema;
  /** The properties leading from the response to the entity records (`['data']`), empty when the response is the record or the list. */
  path: string[];
  /** Whether the entity records sit in a list at the end of the path. */
  list: boolean;
  /** The schema of one entity record: an object with properties. */
  record?: JsonSchema;
  /** The entity's name from the schemas (a component name, or the wrapper's key), when they give one. */
  entity?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The non-null type of a schema (`['object', 'null']` -> 'object'), or what its shape implies. */
export function schemaType(schema: unknown, depth = 0): string | undefined {
  if (!isObject(schema) || depth > 8) return undefined;
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  if (isObject(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  // `allOf: [{$ref}]` (a described reference) and `anyOf` choices say it through their members.
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const members = schema[key];
    if (!Array.isArray(members)) continue;
    const found = members.map((m) => schemaType(m, depth + 1)).find((x) => x !== undefined && x !== 'null');
    if (found) return found;
  }
  return undefined;
}

/**
 * An object schema with its `allOf` parts merged into one set of properties (the usual way
 * APIs extend a model), and an `anyOf`/`oneOf` choice taken as its first object alternative,
 * merged with the schema's own properties when it has some (a base model whose subtypes are the
 * choices, as RFC 7807 problems: `{properties: {type}, oneOf: [GenericProblem, ...]}`).
 */
export function objectSchema(schema: unknown): JsonSchema | undefined {
  if (!isObject(schema)) return undefined;
  if (merged.has(schema)) return merged.get(schema);
  const out = mergeObject(schema);
  merged.set(schema, out);
  return out;
}

/** Merged object schemas by schema object: values for every row ask for the same ones. */
const merged = new WeakMap<object, JsonSchema | undefined>();

function mergeObject(schema: Record<string, unknown>): JsonSchema | undefined {
  const choice = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (choice && !isObject(schema.properties)) {
    const first = choice.map(objectSchema).find((s) => s !== undefined);
    return first ? { ...first, ...(typeof schema.title === 'string' ? { title: schema.title } : {}) } : undefined;
  }
  const alternative = choice?.map(objectSchema).find((s) => s !== undefined);
  const parts = [schema, ...(Array.isArray(schema.allOf) ? schema.allOf.map(objectSchema) : []), alternative].filter(isObject);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    if (isObject(part.properties)) Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) required.push(...part.required.filter((r): r is string => typeof r === 'string'));
  }
  if (Object.keys(properties).length === 0) return undefined;
  const { allOf: _merged, anyOf: _any, oneOf: _one, ...rest } = schema;
  return { ...rest, type: 'object', properties, ...(required.length > 0 ? { required: [...new Set(required)] } : {}) };
}

/**
 * A scalar schema with its `allOf` members folded in (`allOf: [{$ref: Id}]` plus a description):
 * the pattern, format, enum and bounds of the members apply to the value.
 */
export function flatSchema(schema: unknown): JsonSchema | undefined {
  if (!isObject(schema)) return undefined;
  if (!Array.isArray(schema.allOf) || isObject(schema.properties)) return schema;
  const out: Record<string, unknown> = {};
  for (const member of schema.allOf.map(flatSchema)) if (member) for (const [k, v] of Object.entries(member)) if (!(k in out)) out[k] = v;
  const { allOf: _folded, ...own } = schema;
  return { ...out, ...own };
}

/** Properties that describe a list rather than hold its items: counts, pages, links, status flags. */
const LIST_META = /^(total|count|total_count|total_results|total_items|total_pages|num_results|result_count|size|page|page_size|per_page|limit|offset|skip|next|previous|prev|next_cursor|cursor|next_page|next_page_token|next_token|has_more|more|links|meta|metadata|paging|pagination|response_metadata|ok|success|status|message|warnings|errors|query|took|kind|etag|object|url|href|first|last|self)$/;

/** Words of a schema title that say what kind of schema it is, not what it holds. */
const TITLE_NOISE = new Set(['complete', 'detailed', 'mini', 'lite', 'short', 'paging', 'simplified', 'current', 'minimal', 'compact', 'expanded', 'nested', 'embedded', 'linked', 'count', 'response', 'responses', 'result', 'results', 'dto', 'model', 'object', 'objs', 'obj', 'schema', 'resource', 'entity', 'fields', 'body', 'payload', 'wrapper', 'envelope', 'data', 'output', 'reply', 'success', 'default', 'item', 'items', 'list', 'array', 'collection', 'page', 'paged', 'paginated', 'get', 'post', 'put', 'patch', 'create', 'update', 'v1', 'v2', 'v3', 'json', 'api', 'info', 'details', 'detail', 'record', 'records', 'view', 'summary', 'full', 'base', 'extended', 'public', 'private', 'simple', 'response200', 'ok']);

/**
 * The entity a schema title names: `CustomerFields` -> customer, `objs_conversation` ->
 * conversation, `ListUsersResponse` -> user. Titles that are sentences ("Default success
 * template") name no entity.
 */
export function entityFromTitle(title: unknown): string | undefined {
  if (typeof title !== 'string' || /\s/.test(title.trim()) || title.length > 60) return undefined;
  const words = splitWords(title).filter((w) => !TITLE_NOISE.has(w) && /^[a-z]/.test(w));
  if (words.length === 0) return undefined;
  return [...words.slice(0, -1), singular(words[words.length - 1])].slice(-3).join('_');
}

/** The entity a property name holding records names: `payment_methods` -> payment_method. */
function entityFromKey(key: string): string | undefined {
  const words = splitWords(key).filter((w) => /^[a-z]/.test(w));
  if (words.length === 0 || LIST_META.test(words.join('_')) || TITLE_NOISE.has(words.join('_'))) return undefined;
  return [...words.slice(0, -1), singular(words[words.length - 1])].join('_');
}

/** A record schema: an object with properties, not a free map. */
const recordOf = (schema: unknown): JsonSchema | undefined => (schemaType(schema) === 'object' ? objectSchema(schema) : undefined);

/** Follow wrappers down to the records: lists, a lone holder of records among meta fields, a single root key. */
function locate(schema: JsonSchema, path: string[], depth: number): Omit<Contract, 'schema'> | undefined {
  if (schemaType(schema) === 'array') {
    const record = recordOf(schema.items);
    return record ? { path, list: true, record, entity: entityFromTitle(record.title) ?? entityFromTitle(schema.title) } : undefined;
  }
  const object = recordOf(schema);
  if (!object) return undefined;
  const props = object.properties as Record<string, JsonSchema>;
  const holders = Object.entries(props).filter(([key, s]) => !LIST_META.test(key.toLowerCase()) && (schemaType(s) === 'array' ? recordOf(s.items) : recordOf(s)) !== undefined);
  const others = Object.keys(props).filter((k) => !holders.some(([h]) => h === k));
  // A wrapper holds one list or record and nothing but list metadata besides.
  if (depth < 2 && holders.length === 1 && others.every((k) => LIST_META.test(k.toLowerCase()))) {
    const [key, inner] = holders[0];
    const isList = schemaType(inner) === 'array';
    // `{customer: {...}}` and `{data: [...], total}` are wrappers; `{id, name, owner: {...}}` is a record.
    if (isList || others.length === 0) {
      const found = locate(inner, [...path, key], depth + 1);
      if (found) return { ...found, entity: found.entity ?? entityFromKey(key) ?? entityFromTitle(object.title) };
    }
  }
  // A response of counts, pages and flags only (`{count}`, `{ok}`) holds no record.
  if (Object.keys(props).every((k) => LIST_META.test(k.toLowerCase()))) return { path, list: false };
  return { path, list: false, record: object, entity: entityFromTitle(object.title) ?? entityFromIdField(props) };
}

/** An untitled record with exactly one `<x>_id` field (`{booking_id, travel_date}`) is an x. */
function entityFromIdField(props: Record<string, unknown>): string | undefined {
  const ids = Object.keys(props).map((k) => splitWords(k)).filter((w) => w.length >= 2 && w[w.length - 1] === 'id');
  return ids.length === 1 ? entityFromKey(ids[0].slice(0, -1).join('_')) : undefined;
}

/** The schema without annotations (`x-*`), in plain JSON Schema. */
export function plainSchema(schema: unknown): JsonSchema {
  const standard = standardSchema(schema);
  return mapSubschemas(standard, (node) => Object.fromEntries(Object.entries(node).filter(([key]) => !key.startsWith('x-')))) as JsonSchema;
}

/** The contract of a tool, when its source declares what it returns. */
export function readContract(tool: ToolSpec): Contract | undefined {
  if (!tool.outputSchema) return undefined;
  const schema = plainSchema(tool.outputSchema);
  const found = locate(schema, [], 0);
  return found ? { schema, ...found } : { schema, path: [], list: false };
}

/** Keywords left out of a served output schema: MCP clients enforce them, and a value an agent wrote may be a fine string without being, say, a date-time. */
const UNSERVED = new Set(['format', 'pattern', 'example', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'discriminator', 'xml', 'externalDocs']);

/**
 * The output schema a synthesized tool declares (MCP `outputSchema`): the source's response
 * schema, plain JSON Schema, when it is an object; annotations, formats and patterns left out,
 * and made satisfiable where the source's could hold no value (satisfiable.ts).
 */
export function servedSchema(contract: Contract): JsonSchema | undefined {
  if (schemaType(contract.schema) !== 'object') return undefined;
  const lean = mapSubschemas(contract.schema, (node) => satisfiableNode(Object.fromEntries(Object.entries(node).filter(([key]) => !UNSERVED.has(key))))) as JsonSchema;
  return { ...lean, type: 'object' };
}

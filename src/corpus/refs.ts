import { SCHEMA_MAPS } from '../util/schema-walk.js';
import { isRecord } from './types.js';

/** Expanding deeper than this inlines whole API models into every tool; cut there instead. */
const MAX_DEPTH = 12;

/** Schemas made by a cut or holding one somewhere below, to recognize them among the alternatives of a oneOf. */
const truncated = new WeakSet<object>();
const isTruncated = (v: unknown) => typeof v === 'object' && v !== null && truncated.has(v);

/** A local `$ref` that points at nothing: the record that uses it cannot be read. */
export class MissingRefError extends Error {
  constructor(readonly ref: string) {
    super(`$ref ${ref} does not resolve to anything in the document`);
  }
}

/** Look up a local reference (`#/components/schemas/Pet`) in a document. */
export function lookupRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isRecord(node)) node = Object.prototype.hasOwnProperty.call(node, token) ? node[token] : undefined;
    else return undefined;
  }
  return node;
}

/** How references are inlined. */
export interface InlineOptions {
  /**
   * Name what a reference to a named schema (`#/components/schemas/Pet`, `#/definitions/Pet`,
   * `#/$defs/Pet`) resolves to: its `title` becomes the name unless it has one. Output schemas keep
   * their component names this way, so that entities can be named after them.
   */
  titles?: boolean;
}

/** The name a reference gives its target when it points into a map of named schemas. */
function schemaName(ref: string): string | undefined {
  const m = /\/(schemas|definitions|\$defs)\/([^/]+)$/.exec(ref);
  return m ? decodeURIComponent(m[2]).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

/**
 * Inline every `$ref` below `node`. Recursive references are cut at their second occurrence on a
 * path (replaced by a described empty schema) and external ones are kept as a description, each
 * with a note; a local reference to nothing throws MissingRefError.
 */
export function inlineRefs(node: unknown, root: unknown, note: (reason: string) => void, options: InlineOptions = {}): unknown {
  return inline(node, root, note, options, [], 0, false);
}

function inline(node: unknown, root: unknown, note: (reason: string) => void, options: InlineOptions, stack: string[], depth: number, isMap: boolean): unknown {
  if (Array.isArray(node)) return node.map((v) => inline(v, root, note, options, stack, depth + 1, false));
  if (!isRecord(node)) return node;
  // An object whose properties would be cut is cut whole: properties emptied under a kept
  // `required` or `additionalProperties: false` would describe objects that cannot exist.
  if (depth > MAX_DEPTH || (depth === MAX_DEPTH && !isMap && isRecord(node.properties))) {
    note(`schema nesting deeper than ${MAX_DEPTH} levels was cut off`);
    // A map of named schemas (`properties`) is cut to no entries; a schema to its type and description.
    const stub = isMap ? {} : { ...(typeof node.type === 'string' ? { type: node.type } : {}), description: typeof node.description === 'string' ? node.description : 'nested schema omitted' };
    truncated.add(stub);
    return stub;
  }
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const { $ref: _drop, ...siblings } = node;
    if (!ref.startsWith('#')) {
      note(`external $ref ${ref} was not resolved`);
      return { ...siblings, description: `external reference ${ref}` };
    }
    const name = options.titles ? schemaName(ref) : undefined;
    if (stack.includes(ref)) {
      note(`recursive $ref ${ref} was cut off`);
      const stub = { type: 'object', ...(name ? { title: name } : {}), description: `recursive reference to ${ref.split('/').pop()} (cut off)` };
      truncated.add(stub);
      return stub;
    }
    const target = lookupRef(root, ref);
    if (target === undefined) throw new MissingRefError(ref);
    const resolved = inline(target, root, note, options, [...stack, ref], depth + 1, false);
    if (!isRecord(resolved)) return resolved;
    const named = name !== undefined && typeof resolved.title !== 'string' ? { title: name, ...resolved } : resolved;
    const result = { ...named, ...(inline(siblings, root, note, options, stack, depth, false) as object) };
    if (truncated.has(resolved)) truncated.add(result);
    return result;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Examples are data, not schema; a `$ref` key inside them is not a reference.
    out[k] = k === 'example' || k === 'examples' ? v : inline(v, root, note, options, stack, depth + 1, SCHEMA_MAPS.has(k));
  }
  // Alternatives cut short may no longer tell values apart, so "exactly one of" might never hold: any one of them does.
  if (Array.isArray(out.oneOf) && out.oneOf.some(isTruncated) && !('anyOf' in out)) {
    out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  if (Object.values(out).some((v) => isTruncated(v) || (Array.isArray(v) && v.some(isTruncated)))) truncated.add(out);
  return out;
}


/**
 * A parameters schema with its own local `$ref`s (`#/$defs/Passenger`) inlined and its
 * definitions dropped, so that readers which do not follow references (argument generators,
 * seeders, the partition's features) see the whole shape. Throws MissingRefError like inlineRefs.
 */
export function selfContained(schema: Record<string, unknown>, note: (reason: string) => void, options: InlineOptions = {}): Record<string, unknown> {
  if (!JSON.stringify(schema).includes('"$ref"')) return schema;
  const { $defs: _defs, definitions: _definitions, ...rest } = inlineRefs(schema, schema, note, options) as Record<string, unknown>;
  return rest;
}

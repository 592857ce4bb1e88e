import { SCHEMA_MAPS } from '../util/schema-walk.js';
import { isRecord } from './types.js';

/** Expanding deeper than this inlines whole API models into every tool; cut there instead. */
const MAX_DEPTH = 12;

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

/**
 * Inline every `$ref` below `node`. Recursive references are cut at their second occurrence on a
 * path (replaced by a described empty schema) and external ones are kept as a description, each
 * with a note; a local reference to nothing throws MissingRefError.
 */
export function inlineRefs(node: unknown, root: unknown, note: (reason: string) => void, stack: string[] = [], depth = 0, isMap = false): unknown {
  if (Array.isArray(node)) return node.map((v) => inlineRefs(v, root, note, stack, depth + 1));
  if (!isRecord(node)) return node;
  if (depth > MAX_DEPTH) {
    note(`schema nesting deeper than ${MAX_DEPTH} levels was cut off`);
    // A map of named schemas (`properties`) is cut to no entries; a schema to its description.
    if (isMap) return {};
    return { description: typeof node.description === 'string' ? node.description : 'nested schema omitted' };
  }
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const { $ref: _drop, ...siblings } = node;
    if (!ref.startsWith('#')) {
      note(`external $ref ${ref} was not resolved`);
      return { ...siblings, description: `external reference ${ref}` };
    }
    if (stack.includes(ref)) {
      note(`recursive $ref ${ref} was cut off`);
      return { type: 'object', description: `recursive reference to ${ref.split('/').pop()} (cut off)` };
    }
    const target = lookupRef(root, ref);
    if (target === undefined) throw new MissingRefError(ref);
    const resolved = inlineRefs(target, root, note, [...stack, ref], depth + 1);
    return isRecord(resolved) ? { ...resolved, ...(inlineRefs(siblings, root, note, stack, depth) as object) } : resolved;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Examples are data, not schema; a `$ref` key inside them is not a reference.
    out[k] = k === 'example' || k === 'examples' ? v : inlineRefs(v, root, note, stack, depth + 1, SCHEMA_MAPS.has(k));
  }
  return out;
}

/**
 * A parameters schema with its own local `$ref`s (`#/$defs/Passenger`) inlined and its
 * definitions dropped, so that readers which do not follow references (argument generators,
 * seeders, the partition's features) see the whole shape. Throws MissingRefError like inlineRefs.
 */
export function selfContained(schema: Record<string, unknown>, note: (reason: string) => void): Record<string, unknown> {
  if (!JSON.stringify(schema).includes('"$ref"')) return schema;
  const { $defs: _defs, definitions: _definitions, ...rest } = inlineRefs(schema, schema, note) as Record<string, unknown>;
  return rest;
}

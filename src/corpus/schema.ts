import type { ParametersSchema } from '../spec/json-schema.js';
import { isRecord } from './types.js';

/**
 * BFCL's pseudo-types (Python, Java and JavaScript names) mapped to JSON Schema, following BFCL's
 * own conversion table. Types not listed and not JSON Schema types become `string`.
 */
const PSEUDO_TYPES: Record<string, string> = {
  dict: 'object', hashmap: 'object', map: 'object', object: 'object',
  float: 'number', double: 'number', number: 'number',
  int: 'integer', integer: 'integer', long: 'integer', short: 'integer', byte: 'integer', bigint: 'integer',
  tuple: 'array', list: 'array', array: 'array', arraylist: 'array', set: 'array',
  bool: 'boolean', boolean: 'boolean',
  str: 'string', string: 'string', char: 'string', any: 'string',
  null: 'null',
};
const JSON_TYPES = new Set(['object', 'number', 'integer', 'array', 'boolean', 'string', 'null']);

/** Map one `type` value; non-JSON-Schema names are kept as `x-bfcl-type`. */
function mapType(node: Record<string, unknown>): Record<string, unknown> {
  const t = node.type;
  if (typeof t !== 'string' || JSON_TYPES.has(t)) return node;
  const mapped = PSEUDO_TYPES[t.toLowerCase()] ?? 'string';
  return { ...node, type: mapped, 'x-bfcl-type': t };
}

/** Walk a schema and map pseudo-types everywhere a subschema can appear. */
export function mapPseudoTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(mapPseudoTypes);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && isRecord(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapPseudoTypes(v)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      out[key] = mapPseudoTypes(value);
    } else {
      out[key] = value;
    }
  }
  return mapType(out);
}

/**
 * Turn what a record gives as parameters into a JSON Schema object. Returns a reason string when
 * the value cannot be a parameter schema. A missing value means a tool without parameters.
 */
export function toParameters(value: unknown): ParametersSchema | string {
  if (value === undefined || value === null) return { type: 'object', properties: {} };
  if (!isRecord(value)) return 'parameters is not a JSON Schema object';
  const mapped = mapPseudoTypes(value) as Record<string, unknown>;
  if (mapped.type !== undefined && mapped.type !== 'object') {
    return `parameters has type ${JSON.stringify(mapped.type)}; a tool's parameters must be an object schema`;
  }
  if (mapped.properties !== undefined && !isRecord(mapped.properties)) return 'parameters.properties is not an object';
  for (const [k, v] of Object.entries((mapped.properties as Record<string, unknown> | undefined) ?? {})) {
    if (!isRecord(v)) return `parameter ${JSON.stringify(k)} has no schema object`;
  }
  return { ...mapped, type: 'object', properties: (mapped.properties as ParametersSchema['properties']) ?? {} };
}

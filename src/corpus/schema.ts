import type { ParametersSchema } from '../spec/json-schema.js';
import { mapSubschemas } from '../util/schema-walk.js';
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
  const mapped = Object.hasOwn(PSEUDO_TYPES, t.toLowerCase()) ? PSEUDO_TYPES[t.toLowerCase()] : 'string';
  return { ...node, type: mapped, 'x-bfcl-type': t };
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
const fitsType = (v: unknown, type: string) => jsonType(v) === type || (type === 'number' && jsonType(v) === 'integer');

/**
 * A `type` that none or only some of the `enum` values have (BFCL: `boolean` with
 * `["true", "false", "dontcare"]`) admits only those values that fit both, often none, and the
 * tool could never be called. The values are what the source means: the type follows them, and
 * the declared one is kept as `x-declared-type`.
 */
function fitTypeToEnum(node: Record<string, unknown>): Record<string, unknown> {
  const { type, enum: values } = node;
  if (typeof type !== 'string' || !Array.isArray(values) || values.length === 0 || values.every((v) => fitsType(v, type))) return node;
  const types = [...new Set(values.map(jsonType))];
  return { ...node, type: types.length === 1 ? types[0] : types, 'x-declared-type': type };
}

/** Walk a schema and map pseudo-types everywhere a subschema can appear; a type its enum contradicts follows the enum. */
export function mapPseudoTypes(schema: unknown): unknown {
  return mapSubschemas(schema, (node) => fitTypeToEnum(mapType(node)));
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

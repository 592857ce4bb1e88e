import { mapSubschemas } from './schema-walk.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One schema object of OpenAPI's dialect as plain JSON Schema: `nullable: true` (OpenAPI 3.0) and
 * `x-nullable` (Swagger 2) admit null in the type (and the enum), boolean `exclusiveMinimum` /
 * `exclusiveMaximum` (draft 4) become the bound itself, Swagger's `file` type is a string, and a
 * `required` that is not a list (a parameter's flag copied into a schema) is dropped.
 */
function standardNode(node: Record<string, unknown>): Record<string, unknown> {
  const out = { ...node };
  const nullable = out.nullable === true || out['x-nullable'] === true;
  delete out.nullable;
  if (nullable) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else delete out[flag];
  }
  if (out.type === 'file') out.type = 'string';
  if ('required' in out && !Array.isArray(out.required)) delete out.required;
  if ('properties' in out && !isObject(out.properties)) delete out.properties;
  return out;
}

/** A schema written in OpenAPI's dialect (3.0 `nullable`, Swagger 2 `x-nullable`, draft-4 bounds) as plain JSON Schema, everywhere in it. */
export function standardSchema(schema: unknown): unknown {
  return mapSubschemas(schema, standardNode);
}

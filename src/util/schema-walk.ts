/** Keywords whose value maps names to subschemas (the names are data, not keywords). */
export const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a subschema or a list of them. */
const SCHEMA_VALUES = new Set(['items', 'prefixItems', 'additionalProperties', 'contains', 'not', 'anyOf', 'oneOf', 'allOf']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rebuild a JSON Schema bottom-up: `fix` sees every schema object, its subschemas already rebuilt.
 * Property names and other values (enums, defaults, examples) are left as they are.
 */
export function mapSubschemas(schema: unknown, fix: (node: Record<string, unknown>) => Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => mapSubschemas(s, fix));
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, mapSubschemas(sub, fix)]));
    else if (SCHEMA_VALUES.has(key)) out[key] = mapSubschemas(value, fix);
    else out[key] = value;
  }
  return fix(out);
}

import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../spec/json-schema.js';
import { standardSchema } from '../util/openapi-schema.js';
import { SchemaCache } from '../util/schema-cache.js';

/**
 * Values checked against the sources' own schemas, as fidelity measures them: formats not
 * enforced (a date written another way is still a date), OpenAPI's `nullable` honoured, unknown
 * keywords passed. One compile per schema object, and one per distinct schema text.
 */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false, logger: false, addUsedSchema: false, code: { optimize: false } });
const validators = new SchemaCache(ajv);
const compiled = new WeakMap<object, ValidateFunction | null>();

/** A validator of values against a schema, or undefined when the schema does not compile. */
export function schemaValidator(schema: JsonSchema): ValidateFunction | undefined {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    try {
      validate = validators.compile(standardSchema(schema) as JsonSchema);
    } catch {
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate ?? undefined;
}

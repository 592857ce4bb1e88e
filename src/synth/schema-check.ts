import { Ajv, type ValidateFunction } from 'ajv';
import type { JsonSchema } from '../spec/json-schema.js';
import { standardSchema } from '../util/openapi-schema.js';

/**
 * Values checked against the sources' own schemas, as fidelity measures them: formats not
 * enforced (a date written another way is still a date), OpenAPI's `nullable` honoured, unknown
 * keywords passed. One compile per schema object.
 */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: false, logger: false, code: { optimize: false } });
const compiled = new WeakMap<object, ValidateFunction | null>();

/** A validator of values against a schema, or undefined when the schema does not compile. */
export function schemaValidator(schema: JsonSchema): ValidateFunction | undefined {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    try {
      validate = ajv.compile(standardSchema(schema) as JsonSchema);
    } catch {
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate ?? undefined;
}

import type { Ajv, ValidateFunction } from 'ajv';
import { mapSubschemas } from './schema-walk.js';

/** Keywords that say what a value means but not whether it is valid: ajv's code ignores them. */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'example', 'deprecated', 'readOnly', 'writeOnly']);

/** The schema without annotations (and `x-` extensions), so schemas that differ only in wording share code. */
const validationPart = (schema: object): object =>
  mapSubschemas(schema, (node) => Object.fromEntries(Object.entries(node).filter(([k]) => !ANNOTATIONS.has(k) && !k.startsWith('x-')))) as object;

/**
 * Compiled validators keyed by the schema's text. ajv caches by object identity and never forgets:
 * every domain loaded (synthesis verifies thousands, `serve` loads and unloads them) would keep its
 * schemas and compiled code for the life of the process, and equal schemas from different
 * domains (`{id: string}` parameters, one API's shared response shapes) would compile again each
 * time. Here each distinct text compiles once (descriptions and other annotations left out of it),
 * ajv's own entry is dropped at once, and the least recently used validators beyond `limit` are let go.
 */
export class SchemaCache {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly ajv: Ajv,
    private readonly limit = 4096,
  ) {}

  /**
   * The validator of `schema`; `check` runs first on a schema not seen before and may throw (a
   * schema it refuses is not kept). ajv's errors from compiling propagate the same way.
   */
  compile(schema: object, check?: (schema: object) => void): ValidateFunction {
    const lean = validationPart(schema);
    const key = JSON.stringify(lean);
    const hit = this.validators.get(key);
    if (hit) {
      this.validators.delete(key);
      this.validators.set(key, hit);
      return hit;
    }
    check?.(schema);
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(lean);
    } finally {
      this.ajv.removeSchema(lean);
    }
    this.validators.set(key, validate);
    if (this.validators.size > this.limit) this.validators.delete(this.validators.keys().next().value!);
    return validate;
  }
}

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ParametersSchema } from '../spec/json-schema.js';
import { SchemaCache } from '../util/schema-cache.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

// Tool schemas from the wild use formats ajv does not know; those are accepted quietly. Code
// optimization is off: domains compile thousands of small schemas once each, where ajv's
// optimizer costs more time and memory than it saves. Used schemas are not registered by id: two
// domains may declare the same `$id`.
const ajv = addFormats(new Ajv({ strict: false, allErrors: false, useDefaults: true, logger: false, addUsedSchema: false, code: { optimize: false } }));
const validators = new SchemaCache(ajv);

// Checked before compiling: ajv caches a schema before validating it, so a second compile of an
// invalid schema would succeed and domain loading would depend on what was loaded before.
const checked = (dataVar: string) => (schema: object) => {
  if (!ajv.validateSchema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors, { dataVar })}`);
};

/** Compile a tool's parameter schema, at domain load (equal schemas share one validator). */
export function compileArguments(schema: ParametersSchema): ValidateFunction {
  return validators.compile(schema, checked('schema'));
}

/**
 * Compile a tool's output schema, at domain load. MCP clients validate structured results
 * against it, so it must be an object schema that ajv accepts.
 */
export function compileOutputSchema(schema: Record<string, unknown>): ValidateFunction {
  if (schema.type !== 'object') throw new Error('an output schema must have "type": "object" (MCP structured content is an object)');
  return validators.compile(schema, checked('outputSchema'));
}

/** One sentence naming the field and what is wrong with it. */
export function describeArgumentError(err: ErrorObject): string {
  const field = err.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '';
  const p = err.params as Record<string, unknown>;
  if (err.keyword === 'required') return `missing required argument "${field ? `${field}.` : ''}${String(p.missingProperty)}"`;
  if (err.keyword === 'additionalProperties') return `unknown argument "${field ? `${field}.` : ''}${String(p.additionalProperty)}"`;
  if (err.keyword === 'enum') return `argument "${field}" must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return field ? `argument "${field}" ${err.message}` : `arguments ${err.message}`;
}

/** What one call may carry. Beyond these the engine refuses the arguments with a tool error. */
export const ARGUMENT_LIMITS = {
  /** Bytes of text (strings and keys, in UTF-8) in one call's arguments. */
  bytes: 1024 * 1024,
  /** Levels of nesting: the validator, the state and the recorder all walk arguments recursively. */
  depth: 64,
};

const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Why a call's arguments cannot be taken as they are, or undefined: more text than
 * ARGUMENT_LIMITS.bytes, deeper than ARGUMENT_LIMITS.depth, or a string holding a lone UTF-16
 * surrogate (SQLite keeps text as UTF-8, where it would silently become U+FFFD: what is stored
 * would not be what was sent). It runs on every call, so it is cheap: recursion stops at the depth
 * limit, and UTF-8 bytes are counted exactly only when three bytes per UTF-16 unit could pass the limit.
 */
export function argumentProblem(args: unknown): string | undefined {
  const size = { upper: 0 };
  const problem = walk(args, 0, '', size);
  if (problem || size.upper <= ARGUMENT_LIMITS.bytes) return problem;
  return textBytes(args) > ARGUMENT_LIMITS.bytes ? `the arguments hold more than ${ARGUMENT_LIMITS.bytes} bytes of text, the limit for one call` : undefined;
}

const where = (top: string) => (top ? `argument "${top}"` : 'the arguments');

/** Depth and surrogates, adding to `size.upper` three bytes per UTF-16 unit of text (eight per other value). */
function walk(value: unknown, depth: number, top: string, size: { upper: number }): string | undefined {
  if (typeof value === 'string') {
    size.upper += value.length * 3;
    return wellFormed(value) ? undefined : `${where(top)} holds a lone UTF-16 surrogate, which is not valid Unicode text; send well-formed text`;
  }
  if (typeof value !== 'object' || value === null) {
    size.upper += 8;
    return undefined;
  }
  if (depth >= ARGUMENT_LIMITS.depth) return `${where(top)} nests deeper than ${ARGUMENT_LIMITS.depth} levels, the limit for one call`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item, depth + 1, top, size);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    size.upper += key.length * 3;
    if (!wellFormed(key)) return `${where(top || key)} has a key holding a lone UTF-16 surrogate, which is not valid Unicode text; send well-formed text`;
    const problem = walk((value as Record<string, unknown>)[key], depth + 1, top || key, size);
    if (problem) return problem;
  }
  return undefined;
}

/** UTF-8 bytes of the text (strings and keys) in a value already walked, eight per other value. */
function textBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value !== 'object' || value === null) return 8;
  let bytes = 0;
  if (Array.isArray(value)) for (const item of value) bytes += textBytes(item);
  else for (const [key, v] of Object.entries(value)) bytes += Buffer.byteLength(key) + textBytes(v);
  return bytes;
}

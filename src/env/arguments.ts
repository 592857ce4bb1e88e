import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ParametersSchema } from '../spec/json-schema.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

// Tool schemas from the wild use formats ajv does not know; those are accepted quietly. Code
// optimization is off: domains compile thousands of small schemas once each, where ajv's
// optimizer costs more time and memory than it saves.
const ajv = addFormats(new Ajv({ strict: false, allErrors: false, useDefaults: true, logger: false, code: { optimize: false } }));

/** Compile a tool's parameter schema once, at domain load. */
export function compileArguments(schema: ParametersSchema): ValidateFunction {
  // Checked first and apart: ajv caches a schema before validating it, so a second compile of an
  // invalid schema would succeed and domain loading would depend on what was loaded before.
  if (!ajv.validateSchema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`);
  return ajv.compile(schema);
}

/**
 * Compile a tool's output schema once, at domain load. MCP clients validate structured results
 * against it, so it must be an object schema that ajv accepts.
 */
export function compileOutputSchema(schema: Record<string, unknown>): ValidateFunction {
  if (schema.type !== 'object') throw new Error('an output schema must have "type": "object" (MCP structured content is an object)');
  if (!ajv.validateSchema(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(ajv.errors, { dataVar: 'outputSchema' })}`);
  return ajv.compile(schema);
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

import type { JsonSchema, ParametersSchema } from '../spec/json-schema.js';
import { responseSchema, successKeys } from './output.js';
import { inlineRefs, lookupRef, MissingRefError } from './refs.js';
import { childPointer, emptyResult, isRecord, issueAt, sourceOf, type Place, type RawTool, type ReadResult } from './types.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The format label of an OpenAPI or Swagger document, or undefined when it is neither. */
export function openApiFormat(doc: Record<string, unknown>): string | undefined {
  if (typeof doc.openapi === 'string' && doc.openapi.startsWith('3.')) return `openapi-${doc.openapi.slice(0, 3)}`;
  if (String(doc.swagger) === '2.0') return 'swagger-2.0';
  return undefined;
}

/** `get /pets/{petId}/toys` -> `get_pets_by_petId_toys`: a readable name when operationId is missing. */
export function nameFromPath(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `by_${seg.slice(1, -1)}` : seg));
  return [method, ...parts].join('_').replace(/[^a-zA-Z0-9_-]+/g, '_');
}

interface Operation {
  properties: Record<string, JsonSchema>;
  required: string[];
}

/** Add one property, renaming it `<in>_<name>` when another location already uses the name. */
function addProperty(op: Operation, name: string, where: string, schema: JsonSchema, required: boolean): void {
  const key = name in op.properties ? `${where}_${name}` : name;
  op.properties[key] = schema;
  if (required) op.required.push(key);
}

/** Properties of an object schema, with `allOf` members merged (the common way to extend a model). */
function objectParts(schema: Record<string, unknown>): { properties: Record<string, unknown>; required: string[] } | undefined {
  const parts = [schema, ...(Array.isArray(schema.allOf) ? schema.allOf.filter(isRecord) : [])];
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    if (isRecord(part.properties)) Object.assign(properties, part.properties);
    if (Array.isArray(part.required)) required.push(...part.required.filter((r): r is string => typeof r === 'string'));
  }
  return Object.keys(properties).length > 0 ? { properties, required } : undefined;
}

/** A request body schema: its properties become top-level parameters, anything else one `body`. */
function addBody(op: Operation, schema: unknown, required: boolean, where: string): void {
  if (!isRecord(schema)) return;
  const parts = objectParts(schema);
  if (!parts) {
    addProperty(op, 'body', where, schema, required);
    return;
  }
  for (const [name, sub] of Object.entries(parts.properties)) {
    if (isRecord(sub)) addProperty(op, name, where, { ...sub, 'x-in': where }, parts.required.includes(name));
  }
}

/** The schema of a non-body parameter: OpenAPI 3 `schema`/`content`, or Swagger 2's inline fields. */
function parameterSchema(p: Record<string, unknown>): JsonSchema {
  let schema: Record<string, unknown>;
  if (isRecord(p.schema)) schema = { ...p.schema };
  else if (isRecord(p.content)) {
    const first = Object.values(p.content).find(isRecord);
    schema = isRecord(first?.schema) ? { ...first.schema } : {};
  } else {
    schema = {};
    for (const key of ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'pattern']) {
      if (p[key] !== undefined) schema[key] = p[key];
    }
    if (schema.type === 'file') schema.type = 'string';
  }
  if (typeof p.description === 'string' && schema.description === undefined) schema.description = p.description;
  return schema;
}

/** The media type schema to use from a `content` map: JSON first, then any. */
function contentSchema(content: unknown): unknown {
  if (!isRecord(content)) return undefined;
  const keys = Object.keys(content);
  const key = keys.find((k) => k === 'application/json') ?? keys.find((k) => k.includes('json')) ?? keys[0];
  const media = key === undefined ? undefined : content[key];
  return isRecord(media) ? media.schema : undefined;
}

/**
 * Headers that describe the transport, not the call: OpenAPI 3 says a header parameter with one of
 * these names SHALL be ignored (media types and security schemes say it). Swagger 2 has `consumes`,
 * `produces` and `security` for the same, so they are ignored there too.
 */
const TRANSPORT_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function buildOperation(params: Record<string, unknown>[], requestBody: unknown): Operation {
  const op: Operation = { properties: {}, required: [] };
  for (const p of params) {
    const where = String(p.in ?? 'query');
    const name = String(p.name ?? '');
    if (where === 'header' && TRANSPORT_HEADERS.has(name.toLowerCase())) continue;
    if (where === 'body') addBody(op, p.schema, p.required === true, 'body');
    else if (name) addProperty(op, name, where, { ...parameterSchema(p), 'x-in': where }, p.required === true || where === 'path');
  }
  if (isRecord(requestBody)) addBody(op, contentSchema(requestBody.content), requestBody.required === true, 'body');
  return op;
}

/** Path-level parameters overridden by operation-level ones with the same name and location. */
function mergeParameters(pathLevel: unknown, opLevel: unknown): Record<string, unknown>[] {
  const byKey = new Map<string, Record<string, unknown>>();
  for (const list of [pathLevel, opLevel]) {
    if (!Array.isArray(list)) continue;
    for (const p of list.filter(isRecord)) byKey.set(`${String(p.in)}:${String(p.name)}`, p);
  }
  return [...byKey.values()];
}

function firstSuccessDescription(responses: unknown): string | undefined {
  if (!isRecord(responses)) return undefined;
  const key = Object.keys(responses).find((k) => /^2/.test(k));
  const r = key === undefined ? undefined : responses[key];
  return isRecord(r) && typeof r.description === 'string' && r.description.trim() ? r.description.trim() : undefined;
}

/**
 * The JSON schema of the operation's success response, `$ref`s inlined with the names of the
 * referenced schemas kept as titles. A reference to nothing leaves the tool without an output
 * schema (noted): the call itself is still well described.
 */
function outputSchema(rawOp: Record<string, unknown>, doc: Record<string, unknown>, note: (reason: string) => void): JsonSchema | undefined {
  if (!isRecord(rawOp.responses)) return undefined;
  const produces = rawOp.produces ?? doc.produces;
  for (const key of successKeys(rawOp.responses)) {
    try {
      // The response object may be a reference (`#/components/responses/...`); its schema is inlined
      // on its own, so the depth limit counts schema levels only.
      let response = rawOp.responses[key];
      for (let hops = 0; isRecord(response) && typeof response.$ref === 'string' && hops < 5; hops++) {
        const target = lookupRef(doc, response.$ref);
        if (target === undefined) throw new MissingRefError(response.$ref);
        response = target;
      }
      const schema = responseSchema(response, produces);
      if (schema) return inlineRefs(schema, doc, note, { titles: true }) as JsonSchema;
    } catch (err) {
      if (!(err instanceof MissingRefError)) throw err;
      note(`the ${key} response has no output schema: ${err.message}`);
    }
  }
  return undefined;
}

/** Each operation of an OpenAPI 3.x or Swagger 2.0 document becomes one tool. */
export function readOpenApi(doc: Record<string, unknown>, place: Place): ReadResult & { format: string } {
  const format = openApiFormat(doc) ?? 'openapi';
  const out = emptyResult();
  const info = isRecord(doc.info) ? doc.info : {};
  const group = typeof info.title === 'string' ? info.title : undefined;
  const pathsPointer = childPointer(place.pointer, 'paths');
  if (!isRecord(doc.paths)) {
    if (doc.paths !== undefined) out.skipped.push(issueAt(place, pathsPointer, '`paths` is not an object'));
    return { ...out, format };
  }
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const itemPointer = childPointer(pathsPointer, path);
    if (!isRecord(rawItem)) {
      out.skipped.push(issueAt(place, itemPointer, 'the path item is not an object'));
      continue;
    }
    for (const method of METHODS.filter((m) => m in rawItem)) {
      const pointer = childPointer(itemPointer, method);
      const rawOp = rawItem[method];
      if (!isRecord(rawOp)) {
        out.skipped.push(issueAt(place, pointer, 'the operation is not an object'));
        continue;
      }
      const notes = new Set<string>();
      try {
        const resolved = inlineRefs(
          { params: mergeParameters(rawItem.parameters, rawOp.parameters), body: rawOp.requestBody },
          doc,
          (n) => notes.add(n),
        ) as { params: unknown[]; body: unknown };
        const op = buildOperation(resolved.params.filter(isRecord), resolved.body);
        const parameters: ParametersSchema = { type: 'object', properties: op.properties };
        if (op.required.length > 0) parameters.required = [...new Set(op.required)];
        const summary = typeof rawOp.summary === 'string' ? rawOp.summary.trim() : '';
        const details = typeof rawOp.description === 'string' ? rawOp.description.trim() : '';
        const tool: RawTool = {
          name: typeof rawOp.operationId === 'string' && rawOp.operationId.trim() ? rawOp.operationId.trim() : nameFromPath(method, path),
          description: [...new Set([summary, details].filter(Boolean))].join('\n\n') || `${method.toUpperCase()} ${path}`,
          parameters,
          source: sourceOf(place, pointer),
          method: method.toUpperCase(),
          path,
        };
        const returns = firstSuccessDescription(rawOp.responses);
        if (returns) tool.returns = returns;
        const output = outputSchema(rawOp, doc, (n) => notes.add(n));
        if (output) tool.outputSchema = output;
        const tags = Array.isArray(rawOp.tags) ? rawOp.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim()) : [];
        if (tags.length > 0) tool.tags = tags;
        if (group) tool.group = group;
        out.tools.push(tool);
        for (const n of notes) out.notes.push(issueAt(place, pointer, n));
      } catch (err) {
        if (!(err instanceof MissingRefError)) throw err;
        out.skipped.push(issueAt(place, pointer, `${err.message}; fix the reference or add the missing definition`));
      }
    }
  }
  return { ...out, format };
}

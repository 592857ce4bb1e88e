import { functionOutputSchema } from './output.js';
import { MissingRefError, selfContained } from './refs.js';
import { toParameters } from './schema.js';
import { childPointer, emptyResult, isRecord, issueAt, sourceOf, type Place, type RawTool, type ReadResult } from './types.js';

/** The record kinds a function list can hold; the most frequent one names the file's format. */
export type FunctionKind = 'openai' | 'mcp' | 'anthropic' | 'bfcl' | 'functions';

/** True when a value could be meant as a tool record of one of the kinds above. */
export function looksLikeToolRecord(v: unknown): boolean {
  return isRecord(v) && (typeof v.name === 'string' || isRecord(v.function) || Array.isArray(v.function));
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * What a BFCL-style `response` schema says the tool returns: its description, then each returned
 * field with its description. The field names are kept because they name the entities an API
 * hands back (`ticket_id`, `order_history`), which the partition uses as evidence of the API.
 */
function describeResponse(response: unknown): string | undefined {
  if (!isRecord(response)) return undefined;
  const lines = text(response.description) === undefined ? [] : [text(response.description)!];
  if (isRecord(response.properties)) {
    for (const [field, schema] of Object.entries(response.properties)) {
      const about = isRecord(schema) ? text(schema.description) : undefined;
      lines.push(about === undefined ? field : `${field}: ${about}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** A function description with `name`, `description`, `parameters` (OpenAI, bare, BFCL, corpus lists). */
function readFunction(rec: Record<string, unknown>, place: Place, pointer: string, schemaKey: string, out: ReadResult): void {
  const name = text(rec.name);
  if (!name || name.trim() === '') {
    out.skipped.push(issueAt(place, pointer, 'the record has no name; give every tool a non-empty string name'));
    return;
  }
  if (schemaKey === 'inputSchema' && rec.inputSchema === undefined) {
    out.skipped.push(issueAt(place, pointer, `MCP tool ${JSON.stringify(name)} has no inputSchema; MCP requires one (use {"type":"object"} for no arguments)`));
    return;
  }
  const parsed = toParameters(rec[schemaKey]);
  if (typeof parsed === 'string') {
    out.skipped.push(issueAt(place, childPointer(pointer, schemaKey), `tool ${JSON.stringify(name)}: ${parsed}`));
    return;
  }
  let parameters: typeof parsed;
  try {
    parameters = selfContained(parsed, (reason) => out.notes.push(issueAt(place, childPointer(pointer, schemaKey), `tool ${JSON.stringify(name)}: ${reason}`))) as typeof parsed;
  } catch (err) {
    if (!(err instanceof MissingRefError)) throw err;
    out.skipped.push(issueAt(place, childPointer(pointer, schemaKey), `tool ${JSON.stringify(name)}: ${err.message}`));
    return;
  }
  const response = describeResponse(rec.response);
  const tool: RawTool = {
    name,
    description: text(rec.description) ?? '',
    parameters,
    // Corpus lists carry the original provenance; keep it rather than the position in this file.
    source: text(rec.source) ?? sourceOf(place, pointer),
  };
  const returns = text(rec.returns) ?? response;
  if (returns) tool.returns = returns;
  const outputKey = rec.outputSchema !== undefined ? 'outputSchema' : 'response';
  const output = functionOutputSchema(rec[outputKey]);
  if (output) {
    const at = childPointer(pointer, outputKey);
    try {
      tool.outputSchema = selfContained(output, (reason) => out.notes.push(issueAt(place, at, `tool ${JSON.stringify(name)}: ${reason}`)), { titles: true });
    } catch (err) {
      if (!(err instanceof MissingRefError)) throw err;
      out.notes.push(issueAt(place, at, `tool ${JSON.stringify(name)} has no output schema: ${err.message}`));
    }
  }
  const group = text(rec.group);
  if (group) tool.group = group;
  out.tools.push(tool);
}

/** Read one record of a function list; returns its kind, or undefined when it was skipped. */
function readRecord(rec: unknown, place: Place, pointer: string, out: ReadResult): FunctionKind | undefined {
  if (!isRecord(rec)) {
    out.skipped.push(issueAt(place, pointer, 'the entry is not an object; expected a tool definition'));
    return undefined;
  }
  if (rec.type === 'function' && isRecord(rec.function)) {
    readFunction(rec.function, place, childPointer(pointer, 'function'), 'parameters', out);
    return 'openai';
  }
  if (Array.isArray(rec.function) || (isRecord(rec.function) && rec.type === undefined)) {
    // BFCL entry: `function` is the list of function docs offered with one question.
    const list = Array.isArray(rec.function) ? rec.function : [rec.function];
    const base = childPointer(pointer, 'function');
    list.forEach((f, i) => {
      const p = Array.isArray(rec.function) ? childPointer(base, i) : base;
      if (isRecord(f)) readFunction(f, place, p, 'parameters', out);
      else out.skipped.push(issueAt(place, p, 'the function entry is not an object'));
    });
    return 'bfcl';
  }
  if (typeof rec.name === 'string' && 'inputSchema' in rec) {
    readFunction(rec, place, pointer, 'inputSchema', out);
    return 'mcp';
  }
  if (typeof rec.name === 'string' && 'input_schema' in rec) {
    // Anthropic's tool format, which MCP clients also use when they list a server's tools.
    readFunction(rec, place, pointer, 'input_schema', out);
    return 'anthropic';
  }
  if (typeof rec.name === 'string') {
    readFunction(rec, place, pointer, 'parameters', out);
    return 'functions';
  }
  out.skipped.push(issueAt(place, pointer, 'the entry is no tool definition (expected name/parameters, type "function", inputSchema, or a BFCL function list)'));
  return undefined;
}

/** Read a list of tool records found at `place.pointer` in a document. */
export function readFunctionList(list: unknown[], place: Place, mcpList = false): ReadResult & { format: string } {
  const out = emptyResult();
  const kinds = new Map<string, number>();
  list.forEach((rec, i) => {
    const pointer = childPointer(place.pointer, i);
    // Inside an MCP tools/list result every record is an MCP tool, so a missing inputSchema is an error.
    const kind = mcpList && isRecord(rec) && !('inputSchema' in rec) && typeof rec.name === 'string'
      ? (readFunction(rec, place, pointer, 'inputSchema', out), 'mcp' as const)
      : readRecord(rec, place, pointer, out);
    if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  });
  const format = [...kinds.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'functions';
  return { ...out, format };
}

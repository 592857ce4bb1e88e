import { looksLikeToolRecord, readFunctionList } from './functions.js';
import { openApiFormat, readOpenApi } from './openapi.js';
import { childPointer, emptyResult, isRecord, issueAt, type Place, type ReadResult } from './types.js';

export type DocumentResult = (ReadResult & { format: string }) | { unrecognized: string };

const LIST_KEYS = ['tools', 'functions'] as const;

/** Keys a server entry may name its server by. */
const SERVER_NAME_KEYS = ['name', 'server', 'server_name', 'id', 'title'] as const;

/**
 * A server of a collection of servers: a record that holds its own tool list (`{"name": "figma",
 * "tools": [...]}`) and is no tool itself.
 */
function isServerEntry(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && LIST_KEYS.some((k) => Array.isArray(v[k])) && !('inputSchema' in v) && !('input_schema' in v) && !('parameters' in v) && !('function' in v);
}

/** The name a server entry gives its server, if any. */
function serverName(entry: Record<string, unknown>): string | undefined {
  return SERVER_NAME_KEYS.map((k) => entry[k]).find((v): v is string => typeof v === 'string' && v.trim() !== '')?.trim();
}

/** The server's name as its tools' `group`, where they name none. */
const inGroup = <T extends { group?: string }>(tools: T[], server: string): T[] => tools.map((t) => (t.group === undefined ? { ...t, group: server } : t));

/**
 * A collection of servers (an array of server entries, or `servers` as an array or a map by name):
 * each server read as a document of its own at its pointer, so that its tools record it as their
 * origin; a server's name becomes its tools' `group` when they carry none.
 */
function readServers(entries: Array<[string | number, unknown]>, place: Place): ReadResult & { format: string } {
  const out = emptyResult();
  const formats = new Map<string, number>();
  for (const [key, entry] of entries) {
    const at = { ...place, pointer: childPointer(place.pointer, key) };
    if (!isServerEntry(entry)) {
      out.skipped.push(issueAt(place, at.pointer, 'the server entry has no tool list; give each server its tools as a `tools` array'));
      continue;
    }
    const result = readDocument(entry, at);
    if ('unrecognized' in result) continue; // Not reached: a server entry has a tool list.
    const server = serverName(entry) ?? (typeof key === 'string' && key.trim() !== '' ? key.trim() : undefined);
    out.tools.push(...(server === undefined ? result.tools : inGroup(result.tools, server)));
    out.skipped.push(...result.skipped);
    out.notes.push(...result.notes);
    formats.set(result.format, (formats.get(result.format) ?? 0) + 1);
  }
  const inner = [...formats.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'mcp';
  return { ...out, format: `${inner} servers` };
}

/**
 * Recognize one parsed document and read it with the matching reader: an OpenAPI/Swagger
 * document, an MCP `tools/list` result (bare or inside a JSON-RPC response), an object with a
 * `tools`/`functions` list, a collection of servers each with such a list, a list of tool
 * records, or one tool record.
 */
export function readDocument(value: unknown, place: Place): DocumentResult {
  if (Array.isArray(value)) {
    if (value.some(isServerEntry) && !value.some((v) => looksLikeToolRecord(v) && !isServerEntry(v))) return readServers([...value.entries()], place);
    if (value.length > 0 && !value.some(looksLikeToolRecord)) {
      return { unrecognized: 'a JSON array without any tool definition (no entry has a name or a function)' };
    }
    return readFunctionList(value, place);
  }
  if (!isRecord(value)) return { unrecognized: 'neither an object nor an array' };
  if (openApiFormat(value)) return readOpenApi(value, place);
  const servers = Array.isArray(value.servers) ? [...value.servers.entries()] : isRecord(value.servers) ? Object.entries(value.servers) : [];
  if (servers.some(([, v]) => isServerEntry(v))) return readServers(servers, { ...place, pointer: childPointer(place.pointer, 'servers') });
  if (isRecord(value.result) && Array.isArray(value.result.tools)) {
    return readFunctionList(value.result.tools, { ...place, pointer: childPointer(childPointer(place.pointer, 'result'), 'tools') }, true);
  }
  for (const key of LIST_KEYS) {
    const list = value[key];
    if (Array.isArray(list)) {
      const mcp = key === 'tools' && list.some((t) => isRecord(t) && 'inputSchema' in t);
      const result = readFunctionList(list, { ...place, pointer: childPointer(place.pointer, key) }, mcp);
      // One server on its own (`{"name": "figma", "tools": [...]}`, a file or a JSON Lines line): named as in a collection.
      const server = isServerEntry(value) ? serverName(value) : undefined;
      return server === undefined ? result : { ...result, tools: inGroup(result.tools, server) };
    }
  }
  if (looksLikeToolRecord(value)) {
    // A single record (one BFCL entry per JSON Lines line, or one tool per file).
    const result = readFunctionList([value], { ...place, pointer: '' });
    const fix = (p: string) => p.replace(/^\/0/, place.pointer);
    return {
      ...result,
      tools: result.tools.map((t) => ({ ...t, source: t.source.replace('#/0', `#${place.pointer}`) })),
      skipped: result.skipped.map((s) => ({ ...s, pointer: fix(s.pointer) })),
    };
  }
  const config = [value.mcpServers, value.servers].find(isRecord);
  if (config && Object.values(config).some((v) => isRecord(v) && ('command' in v || 'url' in v))) {
    return { unrecognized: 'a configuration of MCP servers (how to start them), not their tools; save each server\'s tools/list result (or a list of servers with their `tools`) and ingest that' };
  }
  const keys = Object.keys(value).slice(0, 5).join(', ');
  return { unrecognized: `an object with keys ${keys || '(none)'}, not OpenAPI, Swagger, an MCP tools/list result, a list of servers with their tools, or tool definitions` };
}

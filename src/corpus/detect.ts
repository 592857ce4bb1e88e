import { looksLikeToolRecord, readFunctionList } from './functions.js';
import { openApiFormat, readOpenApi } from './openapi.js';
import { childPointer, isRecord, type Place, type ReadResult } from './types.js';

export type DocumentResult = (ReadResult & { format: string }) | { unrecognized: string };

const LIST_KEYS = ['tools', 'functions'] as const;

/**
 * Recognize one parsed document and read it with the matching reader: an OpenAPI/Swagger
 * document, an MCP `tools/list` result (bare or inside a JSON-RPC response), an object with a
 * `tools`/`functions` list, a list of tool records, or one tool record.
 */
export function readDocument(value: unknown, place: Place): DocumentResult {
  if (Array.isArray(value)) {
    if (value.length > 0 && !value.some(looksLikeToolRecord)) {
      return { unrecognized: 'a JSON array without any tool definition (no entry has a name or a function)' };
    }
    return readFunctionList(value, place);
  }
  if (!isRecord(value)) return { unrecognized: 'neither an object nor an array' };
  if (openApiFormat(value)) return readOpenApi(value, place);
  if (isRecord(value.result) && Array.isArray(value.result.tools)) {
    return readFunctionList(value.result.tools, { ...place, pointer: childPointer(childPointer(place.pointer, 'result'), 'tools') }, true);
  }
  for (const key of LIST_KEYS) {
    const list = value[key];
    if (Array.isArray(list)) {
      const mcp = key === 'tools' && list.some((t) => isRecord(t) && 'inputSchema' in t);
      return readFunctionList(list, { ...place, pointer: childPointer(place.pointer, key) }, mcp);
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
  const keys = Object.keys(value).slice(0, 5).join(', ');
  return { unrecognized: `an object with keys ${keys || '(none)'}, not OpenAPI, Swagger, MCP tools/list, or tool definitions` };
}

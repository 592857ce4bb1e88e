import type { JsonSchema } from '../spec/json-schema.js';
import { mapPseudoTypes } from './schema.js';
import { isRecord } from './types.js';

/**
 * The output contract of a tool: the JSON Schema of what a successful call returns, as its source
 * declares it (OpenAPI success responses, BFCL `response`, MCP `outputSchema`).
 */

/** Media types whose body is JSON: `application/json`, `application/vnd.api+json`, `text/json`, `*` + `/` + `*`. */
const isJsonMedia = (type: string) => /json/i.test(type) || type === '*/*';

/**
 * The success responses of an operation in the order they are looked at: 200, 201, 2XX, the other
 * 2xx codes; `default` only when no 2xx is declared (it usually describes errors otherwise).
 */
export function successKeys(responses: Record<string, unknown>): string[] {
  const keys = Object.keys(responses);
  const rank = (k: string) => (k === '200' ? 0 : k === '201' ? 1 : /^2xx$/i.test(k) ? 2 : 3);
  const success = keys.filter((k) => /^2(\d\d|xx)$/i.test(k)).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return success.length > 0 ? success : keys.filter((k) => k === 'default');
}

/**
 * The JSON schema of one (already inlined) response object: OpenAPI 3 `content` with a JSON media
 * type, or Swagger 2 `schema` when the operation produces JSON (or says nothing).
 */
export function responseSchema(response: unknown, produces: unknown): JsonSchema | undefined {
  if (!isRecord(response)) return undefined;
  if (isRecord(response.content)) {
    const types = Object.keys(response.content);
    const type = types.find((t) => /^application\/json\b/i.test(t)) ?? types.find(isJsonMedia);
    const media = type === undefined ? undefined : response.content[type];
    return isRecord(media) && isRecord(media.schema) ? media.schema : undefined;
  }
  const json = !Array.isArray(produces) || produces.length === 0 || produces.some((t) => typeof t === 'string' && isJsonMedia(t));
  return json && isRecord(response.schema) ? response.schema : undefined;
}

/** An output schema given with a function record (BFCL `response`, MCP `outputSchema`), pseudo-types mapped. */
export function functionOutputSchema(value: unknown): JsonSchema | undefined {
  if (!isRecord(value)) return undefined;
  const mapped = mapPseudoTypes(value);
  return isRecord(mapped) && Object.keys(mapped).length > 0 ? mapped : undefined;
}

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An HTTP error. MCP paths answer it with a JSON-RPC error body (what MCP clients expect, `code`
 * is the JSON-RPC code); other paths with `{"error": {"code", "message"}}`, `kind` as the code.
 */
export class HttpFailure extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly code = -32000,
    readonly headers: Record<string, string> = {},
    readonly kind = kindOf(status),
  ) {
    super(message);
  }
}

function kindOf(status: number): string {
  const kinds: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    405: 'method_not_allowed',
    408: 'timeout',
    409: 'conflict',
    413: 'too_large',
    415: 'unsupported_media_type',
    503: 'unavailable',
  };
  return kinds[status] ?? 'internal';
}

/** The JSON-RPC shape of a failure (MCP paths, OpenEnv's /mcp). */
export const rpcError = (f: { code: number; message: string }, id: string | number | null = null) => ({ jsonrpc: '2.0' as const, error: { code: f.code, message: f.message }, id });

/** Render a failure for the path it happened on. */
export function failureResponse(c: Context, f: HttpFailure): Response {
  const mcp = c.req.path.startsWith('/mcp/') || /^\/openenv\/[^/]+\/mcp$/.test(c.req.path);
  const body = mcp ? rpcError(f) : { error: { code: f.kind, message: f.message } };
  return c.json(body, f.status, f.headers);
}

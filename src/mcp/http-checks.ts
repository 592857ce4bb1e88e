import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loopbackProblem } from '../util/loopback.js';

/** An HTTP error with a JSON-RPC error body, the way MCP clients expect it. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -32000,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendFailure(res: ServerResponse, f: HttpFailure): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: f.code, message: f.message }, id: null }));
}

/** Defence against DNS rebinding: on a loopback bind, only loopback Host and Origin are served. */
export function checkHostAndOrigin(req: IncomingMessage): void {
  const problem = loopbackProblem(req.headers.host, req.headers.origin);
  if (problem) throw new HttpFailure(problem.status, problem.message);
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` (the scheme in any case). Digests are compared, so the time
 * taken says nothing about the token and any header, whatever its length or bytes, is a 401.
 */
export function checkToken(req: IncomingMessage, token: string): void {
  const match = /^bearer +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match || !timingSafeEqual(digest(match[1]), digest(token))) {
    throw new HttpFailure(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with.', -32000, { 'www-authenticate': 'Bearer' });
  }
}

/** The path (still percent-encoded) and query of the request target; a target that is neither a path nor a URL is a 400. */
export function requestTarget(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const raw = req.url ?? '/';
  let url: URL;
  try {
    url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
  } catch {
    throw new HttpFailure(400, `Bad request target "${raw}".`);
  }
  return { path: url.pathname, query: url.searchParams };
}

/** One percent-encoded path segment, decoded; malformed encoding is the client's error (400), not ours. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpFailure(400, `Bad request path: "${segment}" is not valid percent-encoding.`);
  }
}

/**
 * How deep a request body may nest. Tool arguments have their own, smaller limit (a tool error);
 * past this one the body is refused whole, before the protocol layer, whose schema validation
 * recurses (SDK 1.32 overflows its stack at a few thousand levels).
 */
export const MAX_BODY_DEPTH = 1000;

/** How deep JSON text nests (brackets outside strings), stopping once past `limit`. */
function nesting(text: Buffer, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Read and parse a JSON body, refusing it (413) as soon as it passes `limit` bytes. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpFailure(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpFailure(413, `Request body is over the limit of ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks);
  if (nesting(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) throw new HttpFailure(400, `Request body nests deeper than ${MAX_BODY_DEPTH} levels.`, -32600);
  try {
    return JSON.parse(text.toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'Parse error: the request body is not valid JSON.', -32700);
  }
}

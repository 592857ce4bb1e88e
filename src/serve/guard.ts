import { createHash, timingSafeEqual } from 'node:crypto';
import { loopbackProblem } from '../util/loopback.js';
import { HttpFailure } from './failure.js';

/** Defence against DNS rebinding: on a loopback bind, only loopback Host and Origin are served. */
export function checkHostAndOrigin(host: string | undefined, origin: string | undefined): void {
  const problem = loopbackProblem(host, origin);
  if (problem) throw new HttpFailure(problem.status, problem.message);
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` (the scheme in any case). Digests are compared, so the time
 * taken says nothing about the token and any header, whatever its length or bytes, is a 401.
 */
export function checkToken(authorization: string | undefined, token: string): void {
  const match = /^bearer +(\S+)$/i.exec(authorization ?? '');
  if (!match || !timingSafeEqual(digest(match[1]), digest(token))) {
    throw new HttpFailure(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with.', -32000, { 'www-authenticate': 'Bearer' });
  }
}

/** A request path with malformed percent-encoding is the client's error (400), not a route that is missing. */
export function checkPath(path: string): void {
  try {
    decodeURIComponent(path);
  } catch {
    throw new HttpFailure(400, `Bad request path: "${path}" is not valid percent-encoding.`);
  }
}

/**
 * How deep a request body may nest. Tool arguments have their own, smaller limit (a tool error,
 * see env/arguments.ts); past this one the body is refused whole, before any schema validation
 * that recurses.
 */
export const MAX_BODY_DEPTH = 1000;

/** How deep JSON text nests (brackets outside strings), stopping once past `limit`. */
function nesting(text: Uint8Array, limit: number): number {
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

/** JSON text as a value: a 400 when it is not JSON or nests deeper than MAX_BODY_DEPTH. */
export function parseJson(text: Uint8Array): unknown {
  if (nesting(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) throw new HttpFailure(400, `Request body nests deeper than ${MAX_BODY_DEPTH} levels.`, -32600);
  try {
    return JSON.parse(Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'Parse error: the request body is not valid JSON.', -32700);
  }
}

/** Read a request body as JSON (see parseJson), refusing it (413) as soon as it passes `limit` bytes. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? 0);
  if (declared > limit) throw new HttpFailure(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes.`);
  // A declared length is what the HTTP parser reads, no more: read it whole. On the Node adapter
  // this reads the request directly, without building a web stream for it (a large share of a
  // small request's cost); a body of unknown length is read as a stream and cut off at the limit.
  if (length !== null) return parseJson(new Uint8Array(await request.arrayBuffer()));
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new HttpFailure(413, `Request body is over the limit of ${limit} bytes.`);
      }
      chunks.push(value);
    }
  }
  return parseJson(Buffer.concat(chunks));
}

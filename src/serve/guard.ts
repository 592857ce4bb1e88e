import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { HttpFailure } from './failure.js';

/**
 * Whether a hostname as the WHATWG URL parser gives it (lower case, IPv4 in dotted form, IPv6 in
 * brackets) names this machine: `localhost`, an IPv4 literal in 127.0.0.0/8, or `[::1]`. A name
 * that merely starts like one (127.attacker.example) is a DNS name anyone can point anywhere.
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || (isIPv4(hostname) && hostname.startsWith('127.'));
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Whether an interface to bind (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`...) is loopback only. */
export function isLoopbackBind(host: string): boolean {
  return isLoopbackHostname(hostnameOf(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`) ?? '');
}

/** Defence against DNS rebinding: on a loopback bind, only loopback Host and Origin are served. */
export function checkHostAndOrigin(host: string | undefined, origin: string | undefined): void {
  const hostname = host ? hostnameOf(`http://${host}`) : undefined;
  if (hostname === undefined || !isLoopbackHostname(hostname)) {
    throw new HttpFailure(403, `Host "${host ?? ''}" is not allowed: this server only answers requests addressed to localhost.`);
  }
  if (origin === undefined) return;
  const originHost = hostnameOf(origin);
  if (originHost === undefined || !isLoopbackHostname(originHost)) {
    throw new HttpFailure(403, `Origin "${origin}" is not allowed: only pages served from localhost may call this server.`);
  }
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

/** Read a request body as JSON, refusing it (413) as soon as it passes `limit` bytes. */
export async function readJson(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw new HttpFailure(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes.`);
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
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'Parse error: the request body is not valid JSON.', -32700);
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { StepRequest } from '../spec/episode-api.js';
import { DomainUnavailable } from './domains.js';
import { parseBody } from './episodes-api.js';
import type { EpisodeHost } from './episode-host.js';
import { HttpFailure } from './failure.js';
import { parseJson } from './guard.js';
import { stepResponse } from './observe.js';

/** The step path (and its query, which it ignores). */
const STEP_PATH = /^(\/v1\/episodes\/([^/?]+)\/step)(?:\?.*)?$/;

export interface StepRouteOptions {
  episodes: EpisodeHost;
  maxBodyBytes: number;
  /** The guards every route passes (the path, Host and Origin on a loopback bind, the token): throws an HttpFailure. */
  guard: (path: string, host: string | undefined, origin: string | undefined, authorization: string | undefined) => void;
}

/**
 * POST /v1/episodes/<id>/step on node:http itself: the request a trainer sends thousands of times
 * a second. Through Hono each step built a web Request and Response around node's objects (about a
 * third of the server's CPU per step, measured with --cpu-prof); here the body is read from the
 * request and the answer written to the response directly. Same guards, same body limit, same
 * checks (the StepRequest format), same answers and errors as the Hono routes beside it. Returns
 * false for any other request, which goes on to Hono.
 */
export function stepRoute(options: StepRouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { episodes, maxBodyBytes, guard } = options;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = STEP_PATH.exec(req.url ?? '');
    if (!match) return false;
    void answer(res, async () => {
      guard(match[1], req.headers.host, req.headers.origin, req.headers.authorization);
      const lease = episodes.find(decodeURIComponent(match[2]));
      const { action } = parseBody(StepRequest, parseJson(await readBody(req, maxBodyBytes)), 'step');
      return stepResponse(await episodes.act(lease, action));
    });
    return true;
  };
}

async function answer(res: ServerResponse, body: () => Promise<unknown>): Promise<void> {
  let status = 200;
  let headers: Record<string, string> = {};
  let value: unknown;
  try {
    value = await body();
  } catch (err) {
    const failure = err instanceof HttpFailure ? err : err instanceof DomainUnavailable ? new HttpFailure(503, err.message) : new HttpFailure(500, `Internal error: ${(err as Error).message}`, -32603);
    status = failure.status;
    // A body too large is not read to its end: the connection closes with the answer.
    headers = status === 413 ? { ...failure.headers, connection: 'close' } : failure.headers;
    value = { error: { code: failure.kind, message: failure.message } };
  }
  const text = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body, refused (413) when it declares or reaches more than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new HttpFailure(413, `Request body of ${declared} bytes is over the limit of ${limit} bytes.`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new HttpFailure(413, `Request body is over the limit of ${limit} bytes.`));
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Host names that reach only this machine. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const isLoopbackHost = (host: string): boolean => LOOPBACK_NAMES.has(host) || host.startsWith('127.');

/**
 * Defence against DNS rebinding for a server bound to loopback: why a request whose Host is not
 * localhost, or that comes from a page not served from localhost, is refused (undefined: served).
 */
export function loopbackProblem(host: string | undefined, origin: string | undefined): { status: 400 | 403; message: string } | undefined {
  let hostname: string;
  try {
    hostname = new URL(`http://${host ?? ''}`).hostname;
  } catch {
    return { status: 400, message: `Bad Host header "${host}".` };
  }
  if (!host || !isLoopbackHost(hostname)) return { status: 403, message: `Host "${host ?? ''}" is not allowed: this server only answers requests addressed to localhost.` };
  if (origin === undefined) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return { status: 403, message: `Origin "${origin}" is not allowed.` };
  }
  if (!isLoopbackHost(originHost)) return { status: 403, message: `Origin "${origin}" is not allowed: only pages served from localhost may call this server.` };
  return undefined;
}

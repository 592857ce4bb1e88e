import { isIPv4 } from 'node:net';

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

/** Whether an interface to bind (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`...) reaches only this machine. */
export function isLoopbackHost(host: string): boolean {
  const hostname = hostnameOf(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`);
  return hostname !== undefined && isLoopbackHostname(hostname);
}

/**
 * Defence against DNS rebinding for a server bound to loopback: why a request whose Host is not
 * localhost, or that comes from a page not served from localhost, is refused (undefined: served).
 */
export function loopbackProblem(host: string | undefined, origin: string | undefined): { status: 400 | 403; message: string } | undefined {
  const hostname = hostnameOf(`http://${host ?? ''}`);
  if (hostname === undefined) return { status: 400, message: `Bad Host header "${host}".` };
  if (!host || !isLoopbackHostname(hostname)) return { status: 403, message: `Host "${host ?? ''}" is not allowed: this server only answers requests addressed to localhost.` };
  if (origin === undefined) return undefined;
  const originHost = hostnameOf(origin);
  if (originHost === undefined || !isLoopbackHostname(originHost)) {
    return { status: 403, message: `Origin "${origin}" is not allowed: only pages served from localhost may call this server.` };
  }
  return undefined;
}

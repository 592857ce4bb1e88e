import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { loopbackProblem } from '../util/loopback.js';

const same = (given: string, expected: string) => given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));

/** One cookie per port: two viewers on one machine with different tokens do not log each other out. */
const cookieName = (c: Context) => `envscale_ui_${new URL(c.req.url).port || 'default'}`;

const refuse = (c: Context, status: 401 | 403 | 400, message: string) => {
  if (status === 401) c.header('www-authenticate', 'Bearer');
  return c.json({ error: message }, status);
};

/**
 * The token as `envscale serve` checks it (`Authorization: Bearer <token>`), and, for a browser,
 * once in the URL (`?token=<token>`): the viewer then sets an HttpOnly cookie and redirects to the
 * same page without the token, so it stays out of history and referrers.
 */
export function tokenGuard(token: string): MiddlewareHandler {
  const bearer = `Bearer ${token}`;
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      if (!same(header, bearer)) return refuse(c, 401, 'Wrong bearer token: send "Authorization: Bearer <token>" with the token the viewer was started with.');
      return next();
    }
    const inUrl = c.req.query('token');
    if (inUrl !== undefined) {
      if (!same(inUrl, token)) return refuse(c, 401, 'Wrong token in the URL: open the address the viewer printed when it started.');
      setCookie(c, cookieName(c), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      if (c.req.method !== 'GET') return next();
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(`${url.pathname}${url.search}`, 302);
    }
    const cookie = getCookie(c, cookieName(c));
    if (cookie !== undefined && same(cookie, token)) return next();
    return refuse(c, 401, 'This viewer needs its token: open the address it printed (it ends in ?token=...), or send "Authorization: Bearer <token>".');
  };
}

/** Defence against DNS rebinding on a loopback bind (as `serve --http` does it). */
export function loopbackGuard(): MiddlewareHandler {
  return async (c, next) => {
    const problem = loopbackProblem(c.req.header('host'), c.req.header('origin'));
    return problem ? refuse(c, problem.status, problem.message) : next();
  };
}

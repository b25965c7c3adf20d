import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.js';

/** A fresh bearer token for one server process: 24 random bytes, URL-safe. */
export const newToken = () => randomBytes(24).toString('base64url');

/**
 * Compares in constant time: both sides are hashed first, so neither their length nor where
 * they first differ shows in how long the comparison takes.
 */
export function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether a browser says the request comes from a page of another origin. */
function crossSite(fetchSite: string | undefined, origin: string | undefined, url: string): boolean {
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return true;
  if (origin === undefined || origin === 'null') return origin === 'null';
  return origin !== new URL(url).origin;
}

/** The token a request presents: `Authorization: Bearer …`, or `?token=` (EventSource cannot set headers). */
function presentedToken(authorization: string | undefined, query: string | undefined): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return bearer?.[1] ?? query;
}

/**
 * Refuses, with a 401 and before any handler runs, every request without the server's token. The
 * token in the URL counts only for the event stream (EventSource cannot set headers): elsewhere a
 * leaked URL must not let a form on another site post an action. A write sent from a page of
 * another origin is refused whatever it carries (403).
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const stream = c.req.method === 'GET' && c.req.path === '/api/events';
    if (
      c.req.method !== 'GET' &&
      c.req.method !== 'HEAD' &&
      crossSite(c.req.header('sec-fetch-site'), c.req.header('origin'), c.req.url)
    )
      throw new ApiError(
        403,
        'GAFFER_FORBIDDEN_ORIGIN',
        'requests from pages of other sites are refused',
        'use the dashboard `gaffer serve` printed, or send the request from a program',
      );
    const given = presentedToken(c.req.header('authorization'), stream ? c.req.query('token') : undefined);
    if (given === undefined || !sameToken(given, token))
      throw new ApiError(
        401,
        'GAFFER_UNAUTHORIZED',
        given === undefined ? 'this API needs the token `gaffer serve` printed' : 'wrong token',
        'send `Authorization: Bearer <token>` (`?token=<token>` only for /api/events, from an EventSource)',
      );
    await next();
  };
}

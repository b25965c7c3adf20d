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

/** The token a request presents: `Authorization: Bearer …`, or `?token=` (EventSource cannot set headers). */
function presentedToken(authorization: string | undefined, query: string | undefined): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return bearer?.[1] ?? query;
}

/** Refuses, with a 401 and before any handler runs, every request without the server's token. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = presentedToken(c.req.header('authorization'), c.req.query('token'));
    if (given === undefined || !sameToken(given, token))
      throw new ApiError(
        401,
        'GAFFER_UNAUTHORIZED',
        given === undefined ? 'this API needs the token `gaffer serve` printed' : 'wrong token',
        'send `Authorization: Bearer <token>`, or `?token=<token>` from an EventSource',
      );
    await next();
  };
}

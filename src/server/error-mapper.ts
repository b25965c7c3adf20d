import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { GafferErrorCode } from '../domain/index.js';
import { GafferError } from '../domain/index.js';
import type { Logger } from '../engine/index.js';
import { errorMessage } from '../engine/logger.js';
import type { ErrorBody } from './api-error.js';
import { ApiError } from './api-error.js';
import type { Redact } from './redacted-json.js';

/** User errors that are about the state things are in, not about what was sent. */
const CONFLICTS: ReadonlySet<GafferErrorCode> = new Set([
  'GAFFER_ILLEGAL_TRANSITION',
  'GAFFER_LEASE_HELD',
  'GAFFER_DIRTY_TREE',
  'GAFFER_REPO_LOCKED',
]);

/** The HTTP status of an engine error: unknown run 404, a state that forbids it 409, other user mistakes 400. */
export function statusOf(error: GafferError): ContentfulStatusCode {
  if (error.code === 'GAFFER_RUN_NOT_FOUND') return 404;
  if (CONFLICTS.has(error.code)) return 409;
  return error.userError ? 400 : 500;
}

/**
 * The one place a thrown error becomes a response: JSON `{error: {code, message, hint?}}`,
 * redacted, never a stack trace. Only faults of Gaffer are 500s, and only they are logged.
 */
export function errorResponse(error: unknown, c: Context, redact: Redact, logger: Logger): Response {
  const send = (status: ContentfulStatusCode, body: ErrorBody, headers?: Record<string, string>) =>
    c.json(redact(body), status, headers);
  if (ApiError.isInstance(error))
    return send(
      error.status,
      { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } },
      error.headers,
    );
  if (error instanceof HTTPException) {
    // Hono's own refusals: a malformed JSON body, an unsupported media type.
    const status = error.status;
    return send(status, {
      error: { code: status === 400 ? 'GAFFER_BAD_INPUT' : 'GAFFER_HTTP', message: error.message },
    });
  }
  if (GafferError.isInstance(error)) {
    const status = statusOf(error);
    if (status === 500) logger.error(error.message, { code: error.code, path: c.req.path });
    return send(status, {
      error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) },
    });
  }
  logger.error(`internal error: ${errorMessage(error)}`, { path: c.req.path });
  return send(500, {
    error: { code: 'GAFFER_INTERNAL', message: 'internal error', hint: 'the server log has the details' },
  });
}

/** The answer to a path no route serves. */
export const routeNotFound = (c: Context, redact: Redact) =>
  c.json(
    redact<ErrorBody>({
      error: { code: 'GAFFER_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` },
    }),
    404,
  );

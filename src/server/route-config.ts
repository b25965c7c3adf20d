import { ErrorSchema, Json } from './schemas.js';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The refusals every API route may answer with, as the error mapper sends them. */
export const ERRORS = {
  400: errorResponse('malformed request: a bad id, query or body'),
  401: errorResponse('missing or wrong token'),
  403: errorResponse('the Host header is not the address the server is bound to'),
  404: errorResponse('the id names nothing'),
  409: errorResponse('not allowed in the current state; nothing was changed'),
  500: errorResponse('a fault of Gaffer'),
} as const;

/** A JSON success response whose body is one of the engine's types, named in `what`. */
export const ok = (what: string) => ({
  description: what,
  content: { 'application/json': { schema: Json(what) } },
});

/** A required (or optional) JSON request body. */
export const jsonBody = <S>(schema: S, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});

import { ErrorSchema, Json } from './schemas.js';

/** A refusal in the OpenAPI document: the error body, and when it is sent. */
export const refusal = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The refusals every API route may answer with, as the error mapper sends them. */
export const ERRORS = {
  400: refusal('malformed request: a bad id, query or body'),
  401: refusal('missing or wrong token'),
  403: refusal('the Host header is not the address the server is bound to'),
  404: refusal('the id names nothing'),
  409: refusal('not allowed in the current state; nothing was changed'),
  500: refusal('a fault of Gaffer'),
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

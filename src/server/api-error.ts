import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The body of every refused request: a stable code, one line of message, and how to fix it. */
export interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

/**
 * A refusal the server decides itself (no token, a wrong Host, an id that names nothing, an
 * action the run's state does not allow), carrying its HTTP status. Engine errors reach the
 * client through the same mapper, their status chosen from their code.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
    /** Headers the refusal is sent with (`Retry-After`…). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }

  static isInstance(error: unknown): error is ApiError {
    return error instanceof Error && error.name === 'ApiError' && 'status' in error;
  }
}

/** An id that names nothing the server knows. */
export const notFound = (what: string, hint?: string) => new ApiError(404, 'GAFFER_NOT_FOUND', what, hint);

/** An action the current state does not allow; nothing was changed. */
export const conflict = (message: string, hint?: string) =>
  new ApiError(409, 'GAFFER_CONFLICT', message, hint);

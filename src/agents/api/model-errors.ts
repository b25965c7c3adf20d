import { APICallError, JSONParseError, RetryError, TypeValidationError } from 'ai';
import type { ApiConfig } from './api-config.js';

/** At most this much of a server's message goes into a result: enough to act on, short enough to read. */
const MAX_DETAIL = 400;

const cut = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text);
const oneLine = (text: string) => cut(text.replace(/\s+/g, ' ').trim());

function statusProblem(error: APICallError, config: ApiConfig): string {
  const status = error.statusCode;
  const detail = `${status ?? 'no status'}: ${oneLine(error.message)}`;
  const where = error.url;
  if (status === undefined) {
    return `cannot reach the model server at ${where} (${oneLine(error.message)}) — is it running? check agents.api.base_url`;
  }
  if (status === 401 || status === 403) {
    const key = config.apiKeyEnv ?? 'api_key_env';
    return `the model server refused the credentials (${detail}) — check ${key}`;
  }
  if (status === 404) {
    return `model "${config.model}" was not found at ${where} (${detail}) — check agents.api.model and base_url (Ollama: ollama pull ${config.model})`;
  }
  if (status === 400 || status === 422) {
    return `the model server rejected the request for model "${config.model}" (${detail}) — check agents.api.model and that it supports tool calling`;
  }
  if (status === 429) return `the model server kept rate-limiting the session (${detail})`;
  if (status >= 500) return `the model server failed (${detail})`;
  return `the model server answered ${detail}`;
}

/**
 * One actionable line for an error the AI SDK raised while talking to the model: what the
 * server said, and what to check. Retries already happened inside the SDK (429, 5xx).
 */
export function describeModelError(error: unknown, config: ApiConfig): string {
  if (RetryError.isInstance(error)) {
    const inner = describeModelError(error.lastError, config);
    return error.reason === 'maxRetriesExceeded'
      ? `${inner}; gave up after ${error.errors.length} attempts`
      : inner;
  }
  if (APICallError.isInstance(error)) return statusProblem(error, config);
  if (JSONParseError.isInstance(error) || TypeValidationError.isInstance(error)) {
    return `malformed response from the model server: ${oneLine(error.message)}`;
  }
  if (error instanceof Error) return oneLine(error.message);
  return oneLine(String(error));
}

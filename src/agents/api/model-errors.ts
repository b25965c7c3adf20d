import { APICallError, JSONParseError, RetryError, TypeValidationError } from 'ai';
import { agentFailure } from '../../domain/index.js';
import type { AgentFailure, AgentFailureKind } from '../../domain/index.js';
import type { ApiConfig } from './api-config.js';
import { retryAfterMsOf } from './retry-after.js';

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
 * server said, and what to check. Retries inside the SDK (`max_retries`) have already happened.
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

/** The failure kind an HTTP status means; undefined status means the server was not reached. */
function kindOfStatus(status: number | undefined): AgentFailureKind {
  if (status === undefined) return 'server_error';
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  // 409 is OpenAI's "try again"; 5xx includes Anthropic's 529 "overloaded".
  if (status === 409 || status >= 500) return 'server_error';
  return 'config';
}

function hintOf(kind: AgentFailureKind, config: ApiConfig): string | undefined {
  if (kind === 'auth') return `check ${config.apiKeyEnv ?? 'api_key_env'} and agents.api.base_url`;
  if (kind === 'config')
    return 'check agents.api.model and base_url, and that the model supports tool calling';
  return undefined;
}

/**
 * The typed failure for an error the AI SDK raised: 429 is a rate limit (with the server's
 * Retry-After), 5xx and unreachable servers are outages, 401/403 are credentials, other 4xx
 * (unknown model, rejected request) are configuration, malformed data is the server's fault.
 */
export function modelFailure(error: unknown, config: ApiConfig): AgentFailure {
  const message = describeModelError(error, config);
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) {
    const kind = kindOfStatus(cause.statusCode);
    const retryAfterMs = retryAfterMsOf(cause.responseHeaders);
    const hint = hintOf(kind, config);
    return agentFailure(kind, message, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(hint === undefined ? {} : { hint }),
    });
  }
  if (JSONParseError.isInstance(cause) || TypeValidationError.isInstance(cause))
    return agentFailure('server_error', message);
  return agentFailure('crashed', message);
}

import { APICallError, JSONParseError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { parseApiConfig } from './api-config.js';
import type { ApiConfig } from './api-config.js';
import { describeModelError, modelFailure } from './model-errors.js';
import { retryAfterMsOf } from './retry-after.js';

const parsed = parseApiConfig({ base_url: 'http://127.0.0.1:1/v1', model: 'llama9' });
const config = (parsed.success ? parsed.config : undefined) as ApiConfig;

const apiError = (statusCode: number | undefined, message: string) =>
  new APICallError({
    message,
    url: 'http://127.0.0.1:1/v1/chat/completions',
    requestBodyValues: {},
    statusCode,
  });

describe('describeModelError', () => {
  it('names the model and what to check when the server rejects it', () => {
    expect(describeModelError(apiError(404, 'model "llama9" not found'), config)).toBe(
      'model "llama9" was not found at http://127.0.0.1:1/v1/chat/completions (404: model "llama9" not found) — check agents.api.model and base_url (Ollama: ollama pull llama9)',
    );
    expect(describeModelError(apiError(400, 'does not support tools'), config)).toMatch(
      /rejected the request for model "llama9" \(400: does not support tools\) — check agents.api.model/,
    );
  });

  it('says how many attempts a retried failure took', () => {
    const last = apiError(503, 'overloaded');
    const error = new RetryError({
      message: 'x',
      reason: 'maxRetriesExceeded',
      errors: [last, last, last, last],
    });
    expect(describeModelError(error, config)).toBe(
      'the model server failed (503: overloaded); gave up after 4 attempts',
    );
  });

  it('points at the credentials and at an unreachable server', () => {
    expect(describeModelError(apiError(401, 'bad key'), { ...config, apiKeyEnv: 'OPENAI_API_KEY' })).toMatch(
      /refused the credentials \(401: bad key\) — check OPENAI_API_KEY/,
    );
    expect(describeModelError(apiError(undefined, 'Cannot connect to API: ECONNREFUSED'), config)).toMatch(
      /^cannot reach the model server at .*is it running\? check agents.api.base_url$/,
    );
  });

  it('calls bad stream data malformed', () => {
    const error = new JSONParseError({ text: 'garbage', cause: new Error('Unexpected token') });
    expect(describeModelError(error, config)).toMatch(/^malformed response from the model server: /);
  });
});

describe('modelFailure', () => {
  const withHeaders = (statusCode: number, responseHeaders: Record<string, string>) =>
    new APICallError({
      message: 'x',
      url: 'http://h/v1',
      requestBodyValues: {},
      statusCode,
      responseHeaders,
    });

  it('types statuses and keeps the Retry-After, also through a RetryError', () => {
    expect(modelFailure(withHeaders(429, { 'retry-after': '7' }), config)).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
    });
    const retried = new RetryError({
      message: 'x',
      reason: 'maxRetriesExceeded',
      errors: [withHeaders(529, { 'retry-after-ms': '12.4' })],
    });
    expect(modelFailure(retried, config)).toMatchObject({ kind: 'server_error', retryAfterMs: 12 });
    expect(modelFailure(apiError(401, 'no'), config)).toMatchObject({ kind: 'auth', retryable: false });
    expect(modelFailure(apiError(404, 'no model'), config)).toMatchObject({
      kind: 'config',
      retryable: false,
    });
    expect(modelFailure(apiError(408, 'slow'), config)).toMatchObject({ kind: 'timeout', retryable: true });
    expect(modelFailure(apiError(undefined, 'ECONNREFUSED'), config).kind).toBe('server_error');
    expect(modelFailure(new JSONParseError({ text: 'x', cause: new Error('bad') }), config).kind).toBe(
      'server_error',
    );
    expect(modelFailure(new Error('boom'), config)).toMatchObject({ kind: 'crashed', message: 'boom' });
  });
});

describe('retryAfterMsOf', () => {
  it('reads retry-after-ms, retry-after seconds and an HTTP date', () => {
    expect(retryAfterMsOf({ 'Retry-After-Ms': '1500' })).toBe(1500);
    expect(retryAfterMsOf({ 'retry-after': '2' })).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsOf({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMsOf({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMsOf({})).toBeUndefined();
    expect(retryAfterMsOf(undefined)).toBeUndefined();
  });
});

import type {
  AttemptDiff,
  AttemptView,
  DecisionReply,
  RunRecord,
  RunSummary,
  RunView,
  TranscriptLine,
} from './types';

/** A refused or failed API call: its HTTP status and the server's error code, message and hint. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  static isInstance(error: unknown): error is ApiRequestError {
    return error instanceof Error && error.name === 'ApiRequestError';
  }
}

/** The error body every refusal of the API has. */
interface ErrorBody {
  error?: { code?: string; message?: string; hint?: string };
}

export interface TranscriptPage {
  attemptId: string;
  lines: TranscriptLine[];
  from: number;
  next: number;
  total: number;
}

/** The dashboard's view of the HTTP API: one typed method per route it calls, all with the token. */
export interface ApiClient {
  readonly token: string;
  listRuns(): Promise<{ runs: RunSummary[] }>;
  getRun(runId: string): Promise<RunView>;
  attempts(runId: string, taskId?: string): Promise<{ attempts: AttemptView[] }>;
  /** A page of an attempt's transcript from line `from`; `next` is where the next page starts. */
  transcript(attemptId: string, from?: number): Promise<TranscriptPage>;
  diff(attemptId: string): Promise<AttemptDiff>;
  approve(approvalId: string): Promise<DecisionReply>;
  deny(approvalId: string, reason: string): Promise<DecisionReply>;
  answer(questionId: string, body: { answer: string } | { accept: true }): Promise<unknown>;
  pause(runId: string): Promise<{ run: RunRecord }>;
  resume(runId: string): Promise<{ run: RunRecord }>;
  cancel(runId: string): Promise<{ run: RunRecord }>;
  /** The SSE address of a run's events after `cursor` (EventSource cannot send headers: the token rides along). */
  eventsUrl(runId: string, cursor: number): string;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

/**
 * A client for the server that served this page (same origin, so no CORS); `onUnauthorized` is
 * told of every 401, so the page can switch to its "open the printed URL" state wherever it happens.
 */
export function createApiClient(token: string, onUnauthorized: () => void): ApiClient {
  const call = async <T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await response.json().catch(() => ({}))) as T & ErrorBody;
    if (response.ok) return parsed;
    if (response.status === 401) onUnauthorized();
    throw new ApiRequestError(
      response.status,
      parsed.error?.code ?? 'GAFFER_HTTP',
      parsed.error?.message ?? `${method} ${url} answered ${response.status}`,
      parsed.error?.hint,
    );
  };
  return {
    token,
    listRuns: () => call('GET', '/api/runs'),
    getRun: (runId) => call('GET', `/api/runs/${path(runId)}`),
    attempts: (runId, taskId) =>
      call('GET', `/api/runs/${path(runId)}/attempts${taskId ? `?task=${encodeURIComponent(taskId)}` : ''}`),
    transcript: (attemptId, from = 0) =>
      call('GET', `/api/attempts/${path(attemptId)}/transcript${from > 0 ? `?from=${from}` : ''}`),
    diff: (attemptId) => call('GET', `/api/attempts/${path(attemptId)}/diff`),
    approve: (approvalId) => call('POST', `/api/approvals/${path(approvalId)}/approve`),
    deny: (approvalId, reason) => call('POST', `/api/approvals/${path(approvalId)}/deny`, { reason }),
    answer: (questionId, body) => call('POST', `/api/questions/${path(questionId)}/answer`, body),
    pause: (runId) => call('POST', `/api/runs/${path(runId)}/pause`, {}),
    resume: (runId) => call('POST', `/api/runs/${path(runId)}/resume`),
    cancel: (runId) => call('POST', `/api/runs/${path(runId)}/cancel`, {}),
    eventsUrl: (runId, cursor) =>
      `/api/events?run=${encodeURIComponent(runId)}&after=${cursor}&token=${encodeURIComponent(token)}`,
  };
}

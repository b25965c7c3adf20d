import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { agentFailure } from '../../domain/index.js';
import type { AgentFailure, AgentFailureKind } from '../../domain/index.js';

/** How Claude Code words a credential problem when it gives no HTTP status. */
const AUTH_TEXT =
  /authenticat|invalid api key|x-api-key|oauth|\/login|not logged in|unauthori[sz]ed|forbidden/i;
const RATE_TEXT = /\b429\b|rate.?limit|too many requests/i;
const OVERLOADED_TEXT = /\b5\d\d\b|overloaded|internal server error|service unavailable|bad gateway/i;

export const CLAUDE_AUTH_HINT =
  'check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN / CLAUDE_CODE_OAUTH_TOKEN and ANTHROPIC_BASE_URL, or run `claude` once and log in';
const CLAUDE_CONFIG_HINT = 'check agents.claude-code.model and that ANTHROPIC_BASE_URL serves it';

function kindOfStatus(status: number): AgentFailureKind {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'config';
}

function kindOfText(text: string): AgentFailureKind | undefined {
  if (AUTH_TEXT.test(text)) return 'auth';
  if (RATE_TEXT.test(text)) return 'rate_limited';
  if (OVERLOADED_TEXT.test(text)) return 'server_error';
  return undefined;
}

function withHint(kind: AgentFailureKind, message: string): AgentFailure {
  if (kind === 'auth') return agentFailure(kind, message, { hint: CLAUDE_AUTH_HINT });
  if (kind === 'config') return agentFailure(kind, message, { hint: CLAUDE_CONFIG_HINT });
  return agentFailure(kind, message);
}

/**
 * The typed failure of a result `resultError` called a failure (its text is `message`): the
 * model API's HTTP status when Claude Code passed it on, else what the text says (credentials,
 * rate limit, outage); hitting max_turns or the budget is the task's own failure.
 */
export function resultFailure(result: SDKResultMessage, message: string): AgentFailure {
  if (result.subtype === 'success') {
    const status = result.api_error_status;
    if (status !== undefined && status !== null) return withHint(kindOfStatus(status), message);
    // An error result without a status is Claude Code's own trouble, unless its text says otherwise.
    return withHint(kindOfText(result.result) ?? 'crashed', message);
  }
  switch (result.subtype) {
    case 'error_max_turns':
    case 'error_max_budget_usd':
    case 'error_max_structured_output_retries':
      return agentFailure('task_failed', message);
    case 'error_during_execution':
      return withHint(kindOfText(result.errors.join('\n')) ?? 'crashed', message);
  }
}

/** The typed failure of a Claude Code process that ended without a result (`text` holds its stderr). */
export function crashFailure(message: string): AgentFailure {
  return withHint(kindOfText(message) ?? 'crashed', message);
}

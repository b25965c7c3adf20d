import { agentFailure } from '../../domain/index.js';
import type { AgentFailure, AgentFailureKind } from '../../domain/index.js';
import { lastLines } from '../line-splitter.js';

/** What we know about where codex's model requests went, for failure messages. */
export interface FailureContext {
  model?: string;
  providerName?: string;
  baseUrl?: string;
  /** The environment variable that should hold the API key. */
  keyVar?: string;
}

const RATE_LIMITED = /\b429\b|rate.?limit|too many requests/i;

/** True when codex's failure message says the provider rate-limited it. */
export function isRateLimited(message: string): boolean {
  return RATE_LIMITED.test(message);
}

/** Each hint's pattern, with the failure kind it means. */
const HINTS: readonly [RegExp, (context: FailureContext) => string, AgentFailureKind][] = [
  [
    /no rollout found/i,
    () => 'the codex thread is not in this codex home (agents.codex.codex_home): start the attempt afresh',
    'config',
  ],
  // Contained, codex reaches its provider through Gaffer's egress proxy, which answers 502 when the
  // provider does not, and 403 for a host the sandbox does not allow: not an outage, not a bad key.
  [
    /gaffer sandbox: .*(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|cannot resolve|has no address)/i,
    (context) => `cannot reach the provider${context.baseUrl === undefined ? '' : ` at ${context.baseUrl}`}`,
    'server_error',
  ],
  [
    /gaffer sandbox: /i,
    () => "Gaffer's sandbox refused the connection: allow the host in the plan's sandbox: { network: [...] }",
    'config',
  ],
  [
    /\b429\b|rate.?limit|too many requests|quota/i,
    () =>
      'the provider is rate-limiting: wait and resume, lower the plan concurrency, or raise agents.codex.rate_limit_retries',
    'rate_limited',
  ],
  [
    /\b40[13]\b|unauthori[sz]ed|forbidden|api key|authenticat|credentials/i,
    (context) =>
      `check the API key${context.keyVar === undefined ? '' : ` in ${context.keyVar}`} (or run codex login)`,
    'auth',
  ],
  [
    /model.*(does not exist|not found|not supported|unsupported|invalid)|model_not_found|unknown model/i,
    () => 'check agents.codex.model: the provider does not serve that model',
    'config',
  ],
  [
    /\b5\d\d\b|high demand|internal server error|bad gateway|service unavailable|overloaded|server_error/i,
    () => 'the model provider failed; retry later',
    'server_error',
  ],
  [
    /stream disconnected|stream closed|idle timeout|timed out|error decoding|failed to parse/i,
    () => "the provider's response stream broke off or was malformed; check the server, or retry",
    'server_error',
  ],
  [
    /connection refused|error sending request|dns|connect error|network/i,
    (context) => `cannot reach the provider${context.baseUrl === undefined ? '' : ` at ${context.baseUrl}`}`,
    'server_error',
  ],
];

/**
 * The typed failure for a failed codex turn or a crashed codex (its message is `text`, the
 * summary `message`): what codex's words say went wrong, else a crash worth retrying.
 */
export function codexFailure(text: string, message: string, context: FailureContext): AgentFailure {
  if (/\bspawn\b.*\bENOENT\b/.test(text))
    return agentFailure('binary_missing', message, {
      hint: 'npm i -g @openai/codex, or set agents.codex.executable',
    });
  const match = HINTS.find(([pattern]) => pattern.test(text));
  if (match === undefined) return agentFailure('crashed', message);
  const [, hint, kind] = match;
  return agentFailure(kind, message, kind === 'auth' || kind === 'config' ? { hint: hint(context) } : {});
}

function hintFor(message: string, context: FailureContext): string {
  const hint = HINTS.find(([pattern]) => pattern.test(message))?.[1](context);
  return hint === undefined ? '' : ` — ${hint}`;
}

function where(context: FailureContext): string {
  const parts: string[] = [];
  if (context.model !== undefined) parts.push(`model ${context.model}`);
  if (context.providerName !== undefined) parts.push(`provider ${context.providerName}`);
  if (context.baseUrl !== undefined) parts.push(`at ${context.baseUrl}`);
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}

/**
 * An actionable message for a failed codex turn: codex's own words, where the request went, and
 * what to do about it when the message says what went wrong (rate limit, key, model, outage,
 * broken stream, unreachable server).
 */
export function describeTurnFailure(message: string, context: FailureContext): string {
  return `codex turn failed: ${message}${where(context)}${hintFor(message, context)}`;
}

/** Codex's stderr without the chatter it always prints, for messages about a crashed process. */
export function stderrTail(text: string, lines = 10): string {
  const chatter =
    /^\s*(Reading prompt from stdin|WARNING: proceeding, even though we could not create PATH aliases)/;
  const kept = text
    .split(/\r?\n/)
    .filter((line) => !chatter.test(line))
    .join('\n');
  return lastLines(kept, lines);
}

/**
 * The SDK reports a codex exit as `Codex Exec exited with code N: <whole stderr>`; keep the
 * first line and the end of stderr so the error stays readable.
 */
export function describeCrash(
  error: unknown,
  lastError: string | undefined,
  context: FailureContext,
): string {
  const raw = error instanceof Error ? error.message : String(error);
  if (lastError !== undefined) return describeTurnFailure(lastError, context);
  const match = /^(Codex Exec exited with [^:]+):([\s\S]*)$/.exec(raw);
  if (match === null) return `codex failed: ${raw}`;
  const tail = stderrTail(match[2] ?? '');
  const head = `codex exited unexpectedly (${(match[1] ?? '').replace('Codex Exec exited with ', '')})`;
  return `${tail === '' ? head : `${head}: ${tail}`}${hintFor(tail, context)}`;
}

import type { ModelUsage, SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AgentEvent, ModelPrice, Usage } from '../../domain/index.js';
import { costOf, priceOf } from '../pricing.js';

type Block = { type?: unknown; [key: string]: unknown };

const blocksOf = (content: unknown): Block[] =>
  Array.isArray(content)
    ? content.filter((block): block is Block => typeof block === 'object' && block !== null)
    : [];

/** A tool result's content as text: strings kept, text blocks joined, other blocks named. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  return blocksOf(content)
    .map((block) =>
      block.type === 'text' && typeof block.text === 'string' ? block.text : `[${String(block.type)}]`,
    )
    .join('\n');
}

function assistantEvents(content: unknown): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const block of blocksOf(content)) {
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '')
      events.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use' && typeof block.name === 'string') {
      events.push({
        type: 'tool_call',
        ...(typeof block.id === 'string' ? { id: block.id } : {}),
        name: block.name,
        input: block.input,
      });
    }
  }
  return events;
}

function toolResultEvents(content: unknown): AgentEvent[] {
  return blocksOf(content)
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      type: 'tool_result',
      ...(typeof block.tool_use_id === 'string' ? { id: block.tool_use_id } : {}),
      output: resultText(block.content),
      ...(block.is_error === true ? { isError: true } : {}),
    }));
}

/**
 * The Gaffer events one SDK message carries: assistant text and tool calls, tool results, and
 * Claude Code's retry notices (as stderr output, so a transcript shows why a session waits).
 * Our own prompts echoed back, synthetic API-error messages (the result reports those) and
 * bookkeeping messages carry none.
 */
export function eventsOf(message: SDKMessage): AgentEvent[] {
  if (message.type === 'assistant')
    return message.error === undefined ? assistantEvents(message.message.content) : [];
  if (message.type === 'user') return toolResultEvents(message.message.content);
  if (message.type === 'system' && message.subtype === 'api_retry') {
    const status = message.error_status === null ? message.error : `HTTP ${message.error_status}`;
    const seconds = (message.retry_delay_ms / 1000).toFixed(1);
    const attempt = `attempt ${message.attempt}/${message.max_retries}`;
    return [
      {
        type: 'output',
        stream: 'stderr',
        text: `model API error (${status}); Claude Code retries in ${seconds}s (${attempt})`,
      },
    ];
  }
  return [];
}

/**
 * Usage of a result: the per-model totals (`modelUsage`, cumulative over the session and
 * covering subagents), with `inputTokens` counting cache reads and writes too, as Gaffer's
 * `Usage` does everywhere. Cost: from the plan's `pricing` when it prices every model the
 * session used (the plan's table is what the user pays), else as Claude Code estimates it.
 */
export function usageOf(result: SDKResultMessage, pricing: Readonly<Record<string, ModelPrice>> = {}): Usage {
  const models = Object.entries(result.modelUsage);
  const counts = (usage: ModelUsage) => {
    const cacheRead = usage.cacheReadInputTokens;
    return {
      inputTokens: usage.inputTokens + cacheRead + usage.cacheCreationInputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: cacheRead,
    };
  };
  const total = models
    .map(([, usage]) => counts(usage))
    .reduce(
      (sum, c) => ({
        inputTokens: sum.inputTokens + c.inputTokens,
        outputTokens: sum.outputTokens + c.outputTokens,
        cachedInputTokens: sum.cachedInputTokens + c.cachedInputTokens,
      }),
      { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    );
  // A model the plan's table prices (by prefix); its price then wins over the built-in one.
  const planned = (model: string) =>
    Object.keys(pricing).some((prefix) => model.toLowerCase().startsWith(prefix.toLowerCase()));
  const priced = models.length > 0 && models.every(([model]) => planned(model));
  const costUsd = priced
    ? models.reduce((sum, [model, usage]) => sum + costOf(counts(usage), priceOf(model, pricing)), 0)
    : result.total_cost_usd;
  return { ...total, costUsd };
}

/** What to do about an HTTP status the model API answered with. */
function hintFor(status: number | null | undefined): string | undefined {
  if (status === undefined || status === null) return undefined;
  if (status === 401 || status === 403)
    return 'check the credentials (ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN) and ANTHROPIC_BASE_URL';
  if (status === 404 || status === 400)
    return 'check agents.claude-code.model and that ANTHROPIC_BASE_URL serves it';
  if (status === 429)
    return 'rate limited after Claude Code’s retries: lower the parallelism or raise max_retries';
  if (status >= 500) return 'the model API is failing or overloaded: retry the task later';
  return undefined;
}

/** Why a result is a failure, or undefined when it is a success. */
export function resultError(result: SDKResultMessage): string | undefined {
  if (result.subtype === 'success') {
    if (!result.is_error) return undefined;
    const hint = hintFor(result.api_error_status);
    const message = result.result.trim() === '' ? 'Claude Code reported an error' : result.result.trim();
    return hint === undefined ? message : `${message} (${hint})`;
  }
  const detail = result.errors.filter((error) => error.trim() !== '').join('; ');
  const what: Record<typeof result.subtype, string> = {
    error_max_turns: `stopped after reaching max_turns (${result.num_turns} turns)`,
    error_max_budget_usd: 'stopped after reaching its budget',
    error_during_execution: 'Claude Code failed during execution',
    error_max_structured_output_retries: 'Claude Code gave up producing structured output',
  };
  return detail === '' ? what[result.subtype] : `${what[result.subtype]}: ${detail}`;
}

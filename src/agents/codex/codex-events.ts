import path from 'node:path';
import type { McpToolCallItem, ThreadEvent, ThreadItem } from '@openai/codex-sdk';
import { ZERO_USAGE, addUsage } from '../../domain/index.js';
import type { Usage } from '../../domain/index.js';
import { costOf } from '../pricing.js';
import type { ModelPrice } from '../pricing.js';
import type { Emit } from '../session.js';

/** What one `codex exec` run told us, beyond the events it produced. */
export interface CodexRunState {
  threadId?: string;
  /** Summed over every `turn.completed`; `usage` events carry this running total. */
  usage: Usage;
  /** A turn completed. */
  completed: boolean;
  /** The message of `turn.failed`. */
  failure?: string;
  /** The last stream-level `error` message, for when codex exits without `turn.failed`. */
  lastError?: string;
  /** Codex started or finished an item: the turn did something, so rerunning it could repeat it. */
  activity: boolean;
}

/** Turns Codex thread events into Gaffer agent events and keeps the run's state. */
export interface CodexEventTranslator {
  readonly state: CodexRunState;
  handle(event: ThreadEvent): void;
  /** Forgets the failure of a turn that is about to be rerun; usage and thread are kept. */
  clearFailure(): void;
}

type ToolItem = Extract<
  ThreadItem,
  { type: 'command_execution' | 'file_change' | 'mcp_tool_call' | 'web_search' }
>;

function isToolItem(item: ThreadItem): item is ToolItem {
  return (
    item.type === 'command_execution' ||
    item.type === 'file_change' ||
    item.type === 'mcp_tool_call' ||
    item.type === 'web_search'
  );
}

const KIND_LETTER = { add: 'A', delete: 'D', update: 'M' } as const;

function mcpOutput(item: McpToolCallItem): string {
  if (item.error !== undefined) return item.error.message;
  const parts = (item.result?.content ?? []).map((block) =>
    block.type === 'text' ? block.text : `[${block.type}]`,
  );
  return parts.join('\n');
}

/**
 * Creates a translator. Tool-like items become a `tool_call` when they start (or when they
 * complete, if codex never reported the start) and a `tool_result` when they complete:
 * commands as `shell`, patches as `apply_patch` with worktree-relative paths. Agent messages
 * are `text`; reasoning and to-do lists are left out. Codex's non-fatal `error` items are
 * warnings (such as a model missing from its catalogue) and its stream-level `error` events
 * include retry notices, so both go to the transcript as stderr output, not as `error` events:
 * a real failure ends the session as `failed`, which reports it once.
 */
export function createCodexEventTranslator(options: {
  cwd: string;
  emit: Emit;
  price: ModelPrice | undefined;
}): CodexEventTranslator {
  const { cwd, emit, price } = options;
  const state: CodexRunState = { usage: ZERO_USAGE, completed: false, activity: false };
  const called = new Set<string>();
  const shown = (file: string) => {
    const relative = path.relative(cwd, file);
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  };

  const call = (item: ToolItem) => {
    if (called.has(item.id)) return;
    called.add(item.id);
    const { id } = item;
    switch (item.type) {
      case 'command_execution':
        emit({ type: 'tool_call', id, name: 'shell', input: { command: item.command } });
        return;
      case 'file_change':
        emit({
          type: 'tool_call',
          id,
          name: 'apply_patch',
          input: { changes: item.changes.map((change) => ({ path: shown(change.path), kind: change.kind })) },
        });
        return;
      case 'mcp_tool_call':
        emit({ type: 'tool_call', id, name: `mcp__${item.server}__${item.tool}`, input: item.arguments });
        return;
      case 'web_search':
        emit({ type: 'tool_call', id, name: 'web_search', input: { query: item.query } });
        return;
    }
  };

  const result = (item: ToolItem) => {
    call(item);
    const { id } = item;
    switch (item.type) {
      case 'command_execution': {
        const isError = item.status === 'failed' || (item.exit_code !== undefined && item.exit_code !== 0);
        const exit = item.exit_code === undefined ? '' : `\n(exit code ${item.exit_code})`;
        emit({
          type: 'tool_result',
          id,
          output: `${item.aggregated_output}${isError ? exit : ''}`,
          ...(isError ? { isError } : {}),
        });
        return;
      }
      case 'file_change': {
        const lines = item.changes.map((change) => `${KIND_LETTER[change.kind]} ${shown(change.path)}`);
        const isError = item.status === 'failed';
        emit({ type: 'tool_result', id, output: lines.join('\n'), ...(isError ? { isError } : {}) });
        return;
      }
      case 'mcp_tool_call': {
        const isError = item.status === 'failed' || item.error !== undefined;
        emit({ type: 'tool_result', id, output: mcpOutput(item), ...(isError ? { isError } : {}) });
        return;
      }
      case 'web_search':
        emit({ type: 'tool_result', id, output: '' });
        return;
    }
  };

  const completed = (item: ThreadItem) => {
    if (isToolItem(item)) return result(item);
    switch (item.type) {
      case 'agent_message':
        if (item.text !== '') emit({ type: 'text', text: item.text });
        return;
      case 'error':
        emit({ type: 'output', stream: 'stderr', text: `codex warning: ${item.message}` });
        return;
      case 'reasoning':
      case 'todo_list':
        return;
    }
  };

  return {
    state,
    clearFailure() {
      delete state.failure;
      delete state.lastError;
    },
    handle(event) {
      switch (event.type) {
        case 'thread.started':
          state.threadId = event.thread_id;
          emit({ type: 'session', nativeSessionId: event.thread_id });
          return;
        case 'turn.started':
          return;
        case 'item.started':
          state.activity = true;
          if (isToolItem(event.item)) call(event.item);
          return;
        case 'item.updated':
          return;
        case 'item.completed':
          // A warning item is not work done: a rate-limited turn may still be rerun after one.
          if (event.item.type !== 'error') state.activity = true;
          completed(event.item);
          return;
        case 'turn.completed': {
          const counts = {
            inputTokens: event.usage.input_tokens,
            cachedInputTokens: event.usage.cached_input_tokens,
            outputTokens: event.usage.output_tokens,
          };
          const usage: Usage = { ...counts, costUsd: costOf(counts, price) };
          state.usage = addUsage(state.usage, usage);
          state.completed = true;
          // Usage events carry the running total: the engine keeps the last one it saw.
          emit({ type: 'usage', usage: state.usage });
          return;
        }
        case 'turn.failed':
          state.failure = event.error.message;
          return;
        case 'error':
          state.lastError = event.message;
          emit({ type: 'output', stream: 'stderr', text: `codex: ${event.message}` });
          return;
      }
    },
  };
}

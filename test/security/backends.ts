/**
 * How each backend gets a hostile action's script onto the host. The `command` agent runs it as
 * `sh -c <script>`; the `api` backend and the real `claude` binary talk to a scripted model server
 * (one per group of actions) that answers each conversation's first agent-loop request with one
 * shell tool call running the script of the task named in the prompt, and "Done." afterwards.
 */
import { join } from 'node:path';
import { say, startAnthropicServer, useTool } from '../fixtures/model-servers/anthropic-messages-server.js';
import type { AnthropicTurn, MessagesBody } from '../fixtures/model-servers/anthropic-messages-server.js';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import type { Arena } from './arena.js';
import type { Backend } from './corpus.js';

/** One backend, set up for one group of actions. */
export interface BackendRun {
  /** The plan's `agent:` and `agents:` lines. */
  planHead: string;
  /** What follows a task's title in the plan: how that task's script reaches its agent. */
  taskTail(script: string): string;
  /** Variables the engine's environment adds (the model's address, the CLI's config dir). */
  env: Record<string, string>;
  /** Ids whose script was handed to the agent (the model asked its shell tool to run it). */
  served: Set<string>;
  close(): Promise<void>;
}

type Message = { role: string; content?: unknown };

/**
 * The id of the task a conversation is about, from its first user message (Gaffer's prompt says
 * `Task <id>: <title>`); only known ids count, so no other text can be taken for one.
 */
function taskIdIn(ids: readonly string[], messages: readonly Message[] | undefined): string | undefined {
  const first = messages?.find((m) => m.role === 'user');
  if (first === undefined) return undefined;
  const text = typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
  return ids.find((id) => text.includes(`Task ${id}: `));
}

/** A model that runs the named task's script on its first turn and is done after that. */
function scriptedModel<T>(
  scripts: ReadonlyMap<string, string>,
  served: Set<string>,
  runScript: (id: string, script: string) => T,
  done: T,
): (messages: readonly Message[] | undefined) => T {
  const ids = [...scripts.keys()];
  return (messages) => {
    if (messages?.some((m) => m.role === 'assistant')) return done;
    const id = taskIdIn(ids, messages);
    const script = id === undefined ? undefined : scripts.get(id);
    if (id === undefined || script === undefined) return done;
    served.add(id);
    return runScript(id, script);
  };
}

function commandBackend(scripts: ReadonlyMap<string, string>): BackendRun {
  return {
    planHead: 'agent: command\nagents:\n  command: { argv: [sh, -c, "exit 1"] }',
    taskTail: (script) => `\n    agent_config: { argv: [sh, -c, ${JSON.stringify(script)}] }`,
    env: {},
    served: new Set(scripts.keys()),
    close: () => Promise.resolve(),
  };
}

async function apiBackend(scripts: ReadonlyMap<string, string>): Promise<BackendRun> {
  const served = new Set<string>();
  const model = scriptedModel<ChatTurn>(
    scripts,
    served,
    (_id, script) => ({ toolCalls: [{ name: 'run_command', arguments: { command: script } }] }),
    { text: 'Done.' },
  );
  const server = await startChatServer((request: ChatRequestInfo) => model(request.body.messages));
  return {
    planHead: `agent: api\nagents:\n  api: { provider: openai-compatible, base_url: "${server.baseURL}", model: hostile-coder }`,
    taskTail: () => '',
    env: {},
    served,
    close: () => server.close(),
  };
}

async function claudeBackend(arena: Arena, scripts: ReadonlyMap<string, string>): Promise<BackendRun> {
  const served = new Set<string>();
  const model = scriptedModel<AnthropicTurn>(
    scripts,
    served,
    (id, script) => useTool('Bash', { command: script, description: `run the script of task ${id}` }),
    say('Done.'),
  );
  const server = await startAnthropicServer((body: MessagesBody) => model(body.messages));
  return {
    planHead:
      'agent: claude-code\nagents:\n  claude-code: { model: claude-sonnet-4-5, max_retries: 0, timeout_s: 180 }',
    taskTail: () => '',
    // In the engine's environment, as a user has them: the claude agent passes these names on
    // (its envKeys), and the engine's value would win over the plan's `env` record anyway.
    env: {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-gaffer-test',
      CLAUDE_CONFIG_DIR: join(arena.home, '.claude'),
    },
    served,
    close: () => server.close(),
  };
}

/** Sets `backend` up to run `scripts` (action id → filled script) in `arena`. */
export async function openBackend(
  backend: Backend,
  arena: Arena,
  scripts: ReadonlyMap<string, string>,
): Promise<BackendRun> {
  switch (backend) {
    case 'command':
      return commandBackend(scripts);
    case 'api':
      return apiBackend(scripts);
    case 'claude':
      return claudeBackend(arena, scripts);
  }
}

import { GafferError, userError } from '../domain/index.js';
import type { AgentAdapter } from '../domain/index.js';
import { createCommandAgent } from './command/command-agent.js';
import { didYouMean } from './did-you-mean.js';
import { createScriptAgent } from './script/script-agent.js';
import { createClaudeCodeAgent } from './claude-code/index.js';
import { createCodexAgent } from './codex/index.js';
import { createApiAgent } from './api/index.js';

/** The agent backends a run may use, by name. */
export interface AgentRegistry {
  /** The adapter called `name`; throws a user error naming the known agents otherwise. */
  get(name: string): AgentAdapter;
  has(name: string): boolean;
  /** Known names, sorted. */
  names(): string[];
}

/** A registry over `adapters`; two adapters with one name are a programming error. */
export function createAgentRegistry(adapters: readonly AgentAdapter[]): AgentRegistry {
  const byName = new Map<string, AgentAdapter>();
  for (const adapter of adapters) {
    if (byName.has(adapter.name)) {
      throw new GafferError('GAFFER_BAD_INPUT', `two agent adapters are called "${adapter.name}"`, {
        hint: 'give every adapter a unique name',
      });
    }
    byName.set(adapter.name, adapter);
  }
  const names = () => [...byName.keys()].sort();
  return {
    get(name) {
      const adapter = byName.get(name);
      if (adapter) return adapter;
      const suggestion = didYouMean(name, names());
      const known = `known agents: ${names().join(', ')}`;
      throw userError(
        'GAFFER_UNKNOWN_AGENT',
        `unknown agent "${name}"`,
        suggestion === undefined ? known : `did you mean "${suggestion}"? ${known}`,
        { agent: name, known: names() },
      );
    },
    has: (name) => byName.has(name),
    names,
  };
}

/** Every built-in backend: Claude Code, Codex, API models, any command, and the scripted one. */
export function defaultAgentRegistry(): AgentRegistry {
  return createAgentRegistry([
    createClaudeCodeAgent(),
    createCodexAgent(),
    createApiAgent(),
    createCommandAgent(),
    createScriptAgent(),
  ]);
}

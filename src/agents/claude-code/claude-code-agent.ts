import { homedir } from 'node:os';
import path from 'node:path';
import { GafferError, userError } from '../../domain/index.js';
import { modelHost } from '../model-host.js';
import type { AgentAdapter } from '../../domain/index.js';
import { defineAgent } from '../define-agent.js';
import { createSession } from '../session.js';
import { CLAUDE_INSTALL_HINT, claudeCredentialSource, resolveClaudeBinary } from './claude-binary.js';
import { claudeCodeConfigSchema, configEnv } from './claude-code-config.js';
import { runClaudeCode } from './run-claude-code.js';
import { createUserInput } from './user-input.js';

const NAME = 'claude-code';

/**
 * Claude Code as the agent, driven through the Claude Agent SDK (`query()` in streaming-input
 * mode) against the `claude` binary installed with Gaffer or on PATH. Tool calls pass Gaffer's
 * permission policy, the model can ask questions through an `ask_question` tool, the session
 * can be steered with `send()`, resumed by its native session id, and reports usage and cost.
 */
export function createClaudeCodeAgent(): AgentAdapter {
  return defineAgent({
    name: NAME,
    capabilities: { resume: true, steer: true, permissionHook: true, questions: true, usage: true },
    // Resume needs the same config dir across attempts: Claude Code keeps its sessions there.
    envKeys: [
      'ANTHROPIC_API_KEY',
      'ANTHROPIC_AUTH_TOKEN',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'CLAUDE_CONFIG_DIR',
    ],
    configSchema: claudeCodeConfigSchema,
    configHint: 'fix agents.claude-code (or the task’s agent_config) in the plan',
    async preflight(config, env) {
      const binary = await resolveClaudeBinary(config.executable, env.PATH);
      if (binary === undefined) {
        const wanted = config.executable ?? 'claude';
        throw userError(
          'GAFFER_AGENT_MISSING',
          `Claude Code binary "${wanted}" not found`,
          CLAUDE_INSTALL_HINT,
          {
            binary: wanted,
          },
        );
      }
      if (claudeCredentialSource({ ...env, ...configEnv(config, env) }) === undefined) {
        throw userError(
          'GAFFER_AGENT_MISSING',
          'no credentials for Claude Code',
          'set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN / CLAUDE_CODE_OAUTH_TOKEN), or run `claude` once and log in',
        );
      }
    },
    sandboxNeeds(config, env) {
      const merged = { ...env, ...configEnv(config, env) };
      const home = merged.HOME ?? homedir();
      const configDir = merged.CLAUDE_CONFIG_DIR ?? path.join(home, '.claude');
      // Claude Code keeps its global config in the config dir when one is named, else in the home.
      const globalConfig = path.join(merged.CLAUDE_CONFIG_DIR ?? home, '.claude.json');
      const host = modelHost(merged.ANTHROPIC_BASE_URL, 'api.anthropic.com:443');
      return {
        writable: [],
        network: host === undefined ? [] : [host],
        // The task's own config dir: the user's login and settings, and the sessions it records.
        state: {
          seed: [
            { from: path.join(configDir, '.credentials.json'), to: '.credentials.json' },
            { from: path.join(configDir, 'settings.json'), to: 'settings.json' },
            { from: globalConfig, to: '.claude.json' },
          ],
        },
      };
    },
    start(input, config, signal) {
      // The prompt goes first, so a `send()` right after `start()` cannot overtake it.
      const userInput = createUserInput();
      userInput.push(input.prompt);
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: async (emit) => {
          try {
            return await runClaudeCode(input, config, userInput, signal, emit);
          } finally {
            userInput.close();
          }
        },
        send: (message) => {
          if (userInput.closed) {
            return Promise.reject(
              new GafferError('GAFFER_BAD_INPUT', 'the claude-code session has already ended', {
                hint: 'steer a session only while it runs',
              }),
            );
          }
          userInput.push(message);
          return Promise.resolve();
        },
      });
    },
  });
}

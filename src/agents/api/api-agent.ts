import { GafferError, userError } from '../../domain/index.js';
import type { AgentAdapter, AgentSession } from '../../domain/index.js';
import { createSession } from '../session.js';
import { parseApiConfig } from './api-config.js';
import type { ApiConfig } from './api-config.js';
import { createPrefixCache } from './prefix-cache.js';
import { runApiSession } from './run-session.js';
import { createSteering } from './steering.js';

const NAME = 'api';

/** Options for tests and embedders; the defaults suit the engine. */
export interface ApiAgentOptions {
  /** Where preflight looks for API keys (sessions read theirs from `SessionInput.env` only). */
  env?: Record<string, string | undefined>;
}

function checkKey(config: ApiConfig, env: Record<string, string | undefined>) {
  const name = config.apiKeyEnv;
  if (name === undefined || env[name]) return;
  throw userError(
    'GAFFER_BAD_INPUT',
    `the api agent (${config.provider}) needs an API key in ${name}, which is not set`,
    `export ${name}=… (Gaffer passes the variable named by api_key_env to the agent)`,
    { env: name, provider: config.provider },
  );
}

/**
 * The `api` backend: any model behind the Vercel AI SDK (OpenAI-compatible servers such as
 * Ollama, vLLM or LM Studio; Anthropic; OpenAI) with Gaffer's own tools, confined to the
 * worktree by the shared permission policy. Each adapter keeps one stable prompt prefix per run
 * so providers can cache it across tasks.
 */
export function createApiAgent(options: ApiAgentOptions = {}): AgentAdapter {
  const prefixes = createPrefixCache();
  return {
    name: NAME,
    capabilities: { resume: false, steer: true, permissionHook: true, questions: true, usage: true },
    // The engine also passes whatever `api_key_env` names.
    envKeys: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'],
    async preflight(config) {
      const parsed = parseApiConfig(config);
      if (!parsed.success) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `invalid api agent config: ${parsed.error}`,
          'set agents.api in the plan, e.g. { provider: openai-compatible, base_url: http://localhost:11434/v1, model: qwen2.5-coder:7b }',
        );
      }
      checkKey(parsed.config, options.env ?? process.env);
    },
    start(input, signal): AgentSession {
      const steering = createSteering();
      let ended = false;
      const session = createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: async (emit) => {
          const parsed = parseApiConfig(input.config);
          if (!parsed.success)
            return { status: 'failed', error: `invalid api agent config: ${parsed.error}` };
          return runApiSession({ input, config: parsed.config, prefixes, steering, signal, emit });
        },
        send: async (message) => {
          if (ended) {
            throw new GafferError('GAFFER_BAD_INPUT', 'the api agent session has already ended', {
              hint: 'steer a session only while it runs',
            });
          }
          steering.push(message);
        },
      });
      void session.result.then(() => (ended = true));
      return session;
    },
  };
}

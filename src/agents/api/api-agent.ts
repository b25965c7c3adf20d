import { GafferError, userError } from '../../domain/index.js';
import type { AgentAdapter } from '../../domain/index.js';
import { defineAgent } from '../define-agent.js';
import type { AgentEnv } from '../define-agent.js';
import { createSession } from '../session.js';
import { apiConfigSchema } from './api-config.js';
import type { ApiConfig } from './api-config.js';
import { createPrefixCache } from './prefix-cache.js';
import { runApiSession } from './run-session.js';
import { createSteering } from './steering.js';

const NAME = 'api';

function checkKey(config: ApiConfig, env: AgentEnv) {
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
export function createApiAgent(): AgentAdapter {
  const prefixes = createPrefixCache();
  return defineAgent({
    name: NAME,
    capabilities: { resume: false, steer: true, permissionHook: true, questions: true, usage: true },
    // The engine also passes whatever `api_key_env` names.
    envKeys: ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'],
    configSchema: apiConfigSchema,
    configHint:
      'set agents.api in the plan, e.g. { provider: openai-compatible, base_url: http://localhost:11434/v1, model: qwen2.5-coder:7b }',
    async preflight(config, env) {
      checkKey(config, env);
    },
    start(input, config, signal) {
      const steering = createSteering();
      let ended = false;
      const session = createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: (emit) => runApiSession({ input, config, prefixes, steering, signal, emit }),
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
  });
}

import path from 'node:path';
import { userError } from '../../domain/index.js';
import type { AgentAdapter } from '../../domain/index.js';
import { defineAgent } from '../define-agent.js';
import { createSession } from '../session.js';
import { modelHost } from '../model-host.js';
import { resolveCodexBinary } from './codex-binary.js';
import { codexHomeFor } from './codex-options.js';
import { codexConfigSchema } from './codex-config.js';
import { runCodexSession } from './codex-session.js';
import { findCodexCredentials, probeCodexSandbox } from './codex-status.js';

const NAME = 'codex';

/** Parent variables the engine passes to codex: its keys, base URL and home. */
export const CODEX_ENV_KEYS: readonly string[] = [
  'OPENAI_API_KEY',
  'CODEX_API_KEY',
  'OPENAI_BASE_URL',
  'CODEX_HOME',
];

/**
 * The Codex backend: drives the real `codex` CLI through the official Codex SDK
 * (`codex exec --experimental-json`). Codex runs inside Gaffer's sandbox (through a launcher,
 * with its own sandbox off: both are bubblewrap, which cannot nest); under the plan's
 * `sandbox: off` its commands run in codex's own sandbox, writable only in the worktree and
 * offline unless the config says otherwise. An interrupted attempt resumes its codex thread.
 * A sandbox confines the commands, so there is no permission hook.
 */
export function createCodexAgent(): AgentAdapter {
  return defineAgent({
    name: NAME,
    capabilities: { resume: true, steer: false, permissionHook: false, questions: false, usage: true },
    envKeys: CODEX_ENV_KEYS,
    configSchema: codexConfigSchema,
    configHint: 'fix agents.codex or the task agent_config',
    async preflight(config, env, context) {
      const binary = await resolveCodexBinary(config.executable, env.PATH);
      if (binary === undefined) {
        throw userError(
          'GAFFER_AGENT_MISSING',
          `codex CLI not found${config.executable === undefined ? '' : ` at "${config.executable}"`}`,
          'npm i -g @openai/codex, or set agents.codex.executable',
          { agent: NAME },
        );
      }
      if (findCodexCredentials(config, env) === undefined) {
        const key = config.provider?.env_key;
        throw userError(
          'GAFFER_AGENT_MISSING',
          key === undefined ? 'no credentials for codex' : `no API key for codex: ${key} is not set`,
          key === undefined ? 'set OPENAI_API_KEY (or CODEX_API_KEY), or run codex login' : `export ${key}=…`,
          { agent: NAME },
        );
      }
      // Without a working sandbox every command codex runs would fail: say so before the run.
      // In Gaffer's sandbox codex's own is not used; under the plan's `sandbox: off` codex's own is
      // what confines its commands, so it must work here.
      // (The probe runs `true` and `touch`, which Windows lacks; codex reports problems there itself.)
      if (!context.sandboxed && config.sandbox !== 'danger-full-access' && process.platform !== 'win32') {
        const probe = await probeCodexSandbox(binary, env);
        if (probe.state !== 'enforced') {
          throw userError(
            'GAFFER_AGENT_MISSING',
            `codex cannot sandbox commands on this machine (${probe.state}): ${probe.reason}`,
            'allow unprivileged user namespaces for bubblewrap, or, only if this machine is itself isolated, set agents.codex.sandbox: danger-full-access',
            { agent: NAME, sandbox: probe.state },
          );
        }
      }
    },
    sandboxNeeds(config, env) {
      const home = codexHomeFor(config, definedEnv(env));
      const host = modelHost(config.provider?.base_url ?? env.OPENAI_BASE_URL, 'api.openai.com:443');
      return {
        writable: [],
        network: host === undefined ? [] : [host],
        // The task's own CODEX_HOME: the user's login and config, and the thread rollouts it records.
        state: {
          seed:
            home === undefined
              ? []
              : [
                  { from: path.join(home, 'auth.json'), to: 'auth.json' },
                  { from: path.join(home, 'config.toml'), to: 'config.toml' },
                ],
        },
      };
    },
    start(input, config, signal) {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: (emit) => runCodexSession(input, config, signal, emit),
      });
    },
  });
}

/** The parent environment without its unset variables. */
function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

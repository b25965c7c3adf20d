import { userError } from '../../domain/index.js';
import type { AgentAdapter, AgentSession } from '../../domain/index.js';
import { createSession } from '../session.js';
import { resolveCodexBinary } from './codex-binary.js';
import { parseCodexConfig } from './codex-config.js';
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
 * (`codex exec --experimental-json`). Commands run in codex's own sandbox, writable only in
 * the worktree and offline unless the config says otherwise; an interrupted attempt resumes
 * its codex thread. Codex enforces its sandbox itself, so there is no permission hook.
 */
export function createCodexAgent(): AgentAdapter {
  return {
    name: NAME,
    capabilities: { resume: true, steer: false, permissionHook: false, questions: false, usage: true },
    envKeys: CODEX_ENV_KEYS,
    async preflight(config) {
      const parsed = parseCodexConfig(config);
      if (!parsed.success) {
        throw userError(
          'GAFFER_BAD_INPUT',
          `invalid codex agent config: ${parsed.error}`,
          'fix agents.codex or the task agent_config',
        );
      }
      const binary = await resolveCodexBinary(parsed.config.executable, process.env.PATH);
      if (binary === undefined) {
        throw userError(
          'GAFFER_AGENT_MISSING',
          `codex CLI not found${parsed.config.executable === undefined ? '' : ` at "${parsed.config.executable}"`}`,
          'npm i -g @openai/codex, or set agents.codex.executable',
          { agent: NAME },
        );
      }
      if (findCodexCredentials(parsed.config, process.env) === undefined) {
        const key = parsed.config.provider?.env_key;
        throw userError(
          'GAFFER_AGENT_MISSING',
          key === undefined ? 'no credentials for codex' : `no API key for codex: ${key} is not set`,
          key === undefined ? 'set OPENAI_API_KEY (or CODEX_API_KEY), or run codex login' : `export ${key}=…`,
          { agent: NAME },
        );
      }
      // Without a working sandbox every command codex runs would fail: say so before the run.
      // (The probe runs `true` and `touch`, which Windows lacks; codex reports problems there itself.)
      if (parsed.config.sandbox !== 'danger-full-access' && process.platform !== 'win32') {
        const probe = await probeCodexSandbox(binary);
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
    start(input, signal): AgentSession {
      return createSession({
        agent: NAME,
        cwd: input.cwd,
        signal,
        run: async (emit) => {
          const parsed = parseCodexConfig(input.config);
          if (!parsed.success)
            return { status: 'failed', error: `invalid codex agent config: ${parsed.error}` };
          return runCodexSession(input, parsed.config, signal, emit);
        },
      });
    },
  };
}

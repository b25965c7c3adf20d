import os from 'node:os';
import path from 'node:path';
import type { CodexOptions, ThreadOptions } from '@openai/codex-sdk';
import { expandHome } from '../../domain/index.js';
import type { SessionInput } from '../../domain/index.js';
import { withPathDirs } from './codex-binary.js';
import type { CodexBinary } from './codex-binary.js';
import type { CodexConfig } from './codex-config.js';

type ConfigObject = NonNullable<CodexOptions['config']>;
type ConfigValue = ConfigObject[string];

function isTable(value: ConfigValue | undefined): value is ConfigObject {
  return typeof value === 'object' && !Array.isArray(value);
}

/** `over` laid onto `base`, tables merged key by key, so ours win without dropping the user's siblings. */
function mergeConfig(base: ConfigObject, over: ConfigObject): ConfigObject {
  const merged: ConfigObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = merged[key];
    merged[key] = isTable(existing) && isTable(value) ? mergeConfig(existing, value) : value;
  }
  return merged;
}

/**
 * Where Codex keeps auth, config and session rollouts: `codex_home` from the config, else the
 * env's CODEX_HOME, else `$HOME/.codex`. Resuming a thread needs the home that recorded it.
 */
export function codexHomeFor(config: CodexConfig, env: Record<string, string>): string | undefined {
  if (config.codexHome !== undefined)
    return path.resolve(expandHome(config.codexHome, env.HOME ?? os.homedir()) ?? config.codexHome);
  if (env.CODEX_HOME !== undefined && env.CODEX_HOME !== '') return env.CODEX_HOME;
  if (env.HOME !== undefined && env.HOME !== '') return path.join(env.HOME, '.codex');
  return undefined;
}

/**
 * Defaults a plan's `codex_config` may change. Codex would otherwise wait for an unreachable
 * provider forever ("Reconnecting... waiting for network"); we want the session to fail.
 */
const DEFAULTS: ConfigObject = { features: { unbounded_connection_retries: false } };

/**
 * The `--config` overrides Gaffer owns: the sandbox's writable roots stop at the worktree
 * (Codex would otherwise add /tmp and $TMPDIR) and a configured provider becomes the active
 * `model_provider`. Laid over the plan's `codex_config`, so a plan cannot loosen them by accident.
 */
export function configOverrides(config: CodexConfig): ConfigObject {
  const ours: ConfigObject = {
    sandbox_workspace_write: {
      exclude_slash_tmp: !config.writableTmp,
      exclude_tmpdir_env_var: !config.writableTmp,
    },
  };
  const { provider } = config;
  if (provider !== undefined) {
    const info: ConfigObject = {
      name: provider.name,
      base_url: provider.base_url,
      wire_api: provider.wire_api,
    };
    if (provider.env_key !== undefined) info.env_key = provider.env_key;
    if (provider.request_max_retries !== undefined) info.request_max_retries = provider.request_max_retries;
    if (provider.stream_max_retries !== undefined) info.stream_max_retries = provider.stream_max_retries;
    if (provider.stream_idle_timeout_ms !== undefined)
      info.stream_idle_timeout_ms = provider.stream_idle_timeout_ms;
    ours.model_providers = { [provider.name]: info };
    ours.model_provider = provider.name;
  }
  return mergeConfig(mergeConfig(DEFAULTS, config.codexConfig), ours);
}

/**
 * The codex process's whole environment: the engine's explicit env plus CODEX_HOME, the
 * provider's key variable and the package's helper dirs on PATH. The SDK gets it as `env`, which
 * replaces `process.env` instead of adding to it. The provider's `env_key` falls back to the
 * parent environment because naming it in the plan is the user's consent to pass it on.
 */
export function codexEnv(
  input: SessionInput,
  config: CodexConfig,
  binary: CodexBinary,
  codexHome: string,
  parent: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = { ...input.env, CODEX_HOME: codexHome };
  const key = config.provider?.env_key;
  if (key !== undefined && env[key] === undefined) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return withPathDirs(env, binary.pathDirs);
}

/** Options for `new Codex(…)`. */
export function codexOptions(
  config: CodexConfig,
  binary: CodexBinary,
  env: Record<string, string>,
): CodexOptions {
  return { codexPathOverride: binary.path, env, config: configOverrides(config) };
}

/** Options for `startThread`/`resumeThread`: the worktree as the sandbox's one writable root. */
export function threadOptions(config: CodexConfig, cwd: string): ThreadOptions {
  return {
    workingDirectory: cwd,
    skipGitRepoCheck: true,
    sandboxMode: config.sandbox,
    networkAccessEnabled: config.network,
    // Nobody can answer an approval prompt in `codex exec`: what the sandbox refuses stays refused.
    approvalPolicy: 'never',
    // Web search reaches the outside world too, so it follows the network switch.
    ...(config.network ? {} : { webSearchMode: 'disabled' as const }),
    ...(config.model === undefined ? {} : { model: config.model }),
    ...(config.reasoningEffort === undefined ? {} : { modelReasoningEffort: config.reasoningEffort }),
  };
}

import { z } from 'zod';
import { agentFailure, isObject, userError } from '../domain/index.js';
import type {
  AgentAdapter,
  AgentCapabilities,
  AgentSession,
  GafferError,
  PreflightContext,
  SandboxNeeds,
  SessionInput,
} from '../domain/index.js';
import { sandboxWideningSchema } from '../sandbox/widening-schema.js';
import { configErrorMessage } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { createSession } from './session.js';

/** The parent environment as the engine hands it to preflight. */
export type AgentEnv = Record<string, string | undefined>;

/**
 * Keys the engine itself reads from every agent's config (`env`, `api_key_env` pick variables
 * for the child environment; `pricing` is merged in from the plan; `sandbox`, as an object,
 * widens the policy of this agent's sessions), so no backend may reject them.
 */
const ENGINE_KEYS: readonly string[] = ['env', 'api_key_env', 'pricing', 'sandbox'];

/** Everything that makes one backend; {@link defineAgent} turns it into an {@link AgentAdapter}. */
export interface AgentDefinition<Config> {
  name: string;
  capabilities: AgentCapabilities;
  /** Variables the engine passes from the parent environment by default (keys, base URLs). */
  envKeys?: readonly string[];
  /**
   * Validates `agents.<name>` merged with the task's `agent_config`; its output is what
   * `preflight` and `start` receive. An object schema (or one piped into a transform) also
   * names the keys the backend knows, so a misspelt key is an error with a suggestion.
   */
  configSchema: z.ZodType<Config>;
  /** The fix shown with config errors; default: point at the plan's `agents.<name>`. */
  configHint?: string;
  /** Throws a user error before anything runs (missing binary, no credentials). */
  preflight?(config: Config, env: AgentEnv, context: PreflightContext): Promise<void>;
  /** What the backend's own processes need inside the sandbox: their login directory, their model API host. */
  sandboxNeeds?(config: Config, env: AgentEnv): SandboxNeeds;
  start(input: SessionInput, config: Config, signal: AbortSignal): AgentSession;
}

/** The keys an object schema (possibly wrapped in pipes and transforms) declares, or undefined. */
function declaredKeys(schema: z.ZodType): readonly string[] | undefined {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodPipe) return declaredKeys(schema.in as z.ZodType);
  return undefined;
}

/**
 * A `sandbox:` object is Gaffer's widening of this agent's sandbox (read by the engine from the
 * raw config), checked here and kept from the backend; any other `sandbox` value is the
 * backend's own (Codex's `sandbox: read-only`, used when Gaffer's sandbox is off).
 */
function splitWidening(
  name: string,
  raw: Record<string, unknown>,
): { backend: Record<string, unknown> } | { error: GafferError } {
  if (!isObject(raw.sandbox)) return { backend: raw };
  const checked = sandboxWideningSchema.safeParse(raw.sandbox);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const at = ['sandbox', ...(issue?.path ?? []).map(String)].join('.');
    return {
      error: userError(
        'GAFFER_BAD_INPUT',
        `invalid ${name} agent config: sandbox: ${configErrorMessage(checked.error)}`,
        `agents.${name}.sandbox widens this agent's sandbox: { writable: [paths], readable: [paths], network: [host:port] }`,
        { agent: name, key: at },
      ),
    };
  }
  const { sandbox: _widening, ...backend } = raw;
  return { backend };
}

/** Parses `raw` against the definition: a config, or the user error that says what to fix. */
export function parseAgentConfig<Config>(
  definition: Pick<AgentDefinition<Config>, 'name' | 'configSchema' | 'configHint'>,
  raw: Record<string, unknown>,
): { success: true; config: Config } | { success: false; error: GafferError } {
  const { name } = definition;
  const hint = definition.configHint ?? `fix agents.${name} (or the task's agent_config) in the plan`;
  const known = declaredKeys(definition.configSchema);
  if (known !== undefined) {
    const allowed = [...known, ...ENGINE_KEYS];
    const unknown = Object.keys(raw).find((key) => !allowed.includes(key));
    if (unknown !== undefined) {
      const suggestion = didYouMean(unknown, known);
      const keys = `known keys: ${known.join(', ')}`;
      return {
        success: false,
        error: userError(
          'GAFFER_BAD_INPUT',
          `invalid ${name} agent config: unknown key "${unknown}"`,
          suggestion === undefined ? keys : `did you mean "${suggestion}"? ${keys}`,
          { agent: name, key: unknown, ...(suggestion === undefined ? {} : { suggestion }) },
        ),
      };
    }
  }
  const widening = splitWidening(name, raw);
  if ('error' in widening) return { success: false, error: widening.error };
  const parsed = definition.configSchema.safeParse(widening.backend);
  if (parsed.success) return { success: true, config: parsed.data };
  const path = (parsed.error.issues[0]?.path ?? []).map(String).join('.');
  return {
    success: false,
    error: userError(
      'GAFFER_BAD_INPUT',
      `invalid ${name} agent config: ${configErrorMessage(parsed.error)}`,
      hint,
      {
        agent: name,
        ...(path === '' ? {} : { key: path }),
      },
    ),
  };
}

/**
 * Builds an adapter the one way every backend is built: the config is parsed once per call
 * (preflight or start) with the same errors for every backend, and the parsed config is what
 * the backend's own code sees. A config that fails in `start` ends the session as a `config`
 * failure, so the engine stops the task with the fix instead of retrying it.
 */
export function defineAgent<Config>(definition: AgentDefinition<Config>): AgentAdapter {
  const { name, capabilities, envKeys } = definition;
  return {
    name,
    capabilities,
    ...(envKeys === undefined ? {} : { envKeys }),
    async preflight(raw, env, context = { sandboxed: true }) {
      const parsed = parseAgentConfig(definition, raw);
      if (!parsed.success) throw parsed.error;
      await definition.preflight?.(parsed.config, env, context);
    },
    sandboxNeeds(raw, env) {
      const parsed = parseAgentConfig(definition, raw);
      // A config that does not parse fails its session before anything runs: it needs nothing.
      if (!parsed.success || definition.sandboxNeeds === undefined) return { writable: [], network: [] };
      return definition.sandboxNeeds(parsed.config, env);
    },
    start(input, signal) {
      const parsed = parseAgentConfig(definition, input.config);
      if (parsed.success) return definition.start(input, parsed.config, signal);
      const { error } = parsed;
      return createSession({
        agent: name,
        cwd: input.cwd,
        signal,
        run: async () => ({
          status: 'failed',
          error: error.message,
          failure: agentFailure(
            'config',
            error.message,
            error.hint === undefined ? {} : { hint: error.hint },
          ),
        }),
      });
    },
  };
}

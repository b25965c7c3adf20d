import { allowlistedEnv } from '../process/run-process.js';

/**
 * The agent's environment: the allowlist, the variables its backend needs (its API key and
 * base URL), the key variable named by `api_key_env` (or a Codex provider's `env_key`) and those the plan lists under
 * `agents.<name>.env`; never the whole parent environment.
 */
export function agentEnv(
  parent: Record<string, string | undefined>,
  config: Record<string, unknown>,
  adapterKeys: readonly string[] = [],
): Record<string, string> {
  const named = typeof config.api_key_env === 'string' ? [config.api_key_env] : [];
  // A custom Codex provider names the variable that holds its key.
  const provider = config.provider as { env_key?: unknown } | undefined;
  if (typeof provider?.env_key === 'string') named.push(provider.env_key);
  const listed = Array.isArray(config.env)
    ? config.env.filter((key): key is string => typeof key === 'string')
    : [];
  return allowlistedEnv(parent, [...adapterKeys, ...named, ...listed]);
}

/** Variable names that say their value is a secret. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|COOKIE|SESSION/i;
/** `scheme://user:password@host`: a URL that carries its own credentials. */
const CREDENTIAL_URL = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * Verifiers are the repository's own commands, so they get the user's environment (test
 * suites often need it), minus variables whose names say they hold secrets: the code under
 * test was just written by an agent.
 */
export function verifierEnv(parent: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined || SECRET_NAME.test(key)) continue;
    // The store's URL (GAFFER_DB) and URLs with credentials in them would let agent-written
    // test code reach Gaffer's store, or a service as the user.
    if (key === 'GAFFER_DB' || CREDENTIAL_URL.test(value)) continue;
    env[key] = value;
  }
  env.CI = env.CI ?? 'true';
  return env;
}

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { allowlistedEnv, runProcess } from '../../process/run-process.js';
import { probeSandbox } from '../../sandbox/index.js';
import { resolveCodexBinary, withPathDirs } from './codex-binary.js';
import type { CodexBinary } from './codex-binary.js';
import { parseCodexConfig } from './codex-config.js';
import type { CodexConfig } from './codex-config.js';
import { codexHomeFor } from './codex-options.js';
import { stderrTail } from './codex-failure.js';

/** What `gaffer doctor` shows about the codex backend. */
export interface CodexStatus {
  /** The binary that would run, absent when none is found. */
  binary?: string;
  version?: string;
  /** Where the credentials come from (`$OPENAI_API_KEY`, `…/auth.json`), absent when none are found. */
  credentials?: string;
  /**
   * What confines the commands codex runs. Where Gaffer's sandbox works, it contains codex and
   * codex's own is not used: {@link CODEX_CONTAINED} and, after it, how codex's own would fare
   * under a plan's `sandbox: off`. Elsewhere (only `sandbox: off` runs): `enforced`, or why
   * codex cannot confine them.
   */
  sandbox?: string;
  /** Whether the configuration is unusable, and why. */
  configError?: string;
}

/** Result of {@link probeCodexSandbox}. */
export type SandboxProbe =
  | { state: 'enforced' }
  | { state: 'unavailable'; reason: string }
  | { state: 'not-enforced'; reason: string };

type Env = Record<string, string | undefined>;

/** How {@link CodexStatus.sandbox} begins where Gaffer's sandbox contains codex. */
export const CODEX_CONTAINED = "contained by Gaffer's sandbox (codex's own is not used";

/**
 * Whether Gaffer's own sandbox works on this machine: then every run but one with the plan's
 * `sandbox: off` contains codex in it, and codex's own sandbox (bubblewrap too, which cannot
 * nest) is turned off.
 */
export async function containedByGaffer(env: Env): Promise<boolean> {
  return (await probeSandbox(env.PATH)).ok;
}

/**
 * Where codex would get its credentials from: the configured provider's `env_key` (a provider
 * without one needs none), else CODEX_API_KEY / OPENAI_API_KEY, else `auth.json` in the codex
 * home (written by `codex login`). Undefined when there are none.
 */
export function findCodexCredentials(config: CodexConfig, env: Env): string | undefined {
  const set = (key: string) => env[key] !== undefined && env[key] !== '';
  const { provider } = config;
  if (provider !== undefined) {
    if (provider.env_key === undefined) return `none needed (provider ${provider.name} has no env_key)`;
    return set(provider.env_key) ? `$${provider.env_key}` : undefined;
  }
  for (const key of ['CODEX_API_KEY', 'OPENAI_API_KEY']) if (set(key)) return `$${key}`;
  const clean = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const home = codexHomeFor(config, clean);
  const auth = home === undefined ? undefined : path.join(home, 'auth.json');
  return auth !== undefined && existsSync(auth) ? auth : undefined;
}

/** `codex --version`, e.g. `0.169.0`; undefined when it cannot be run. */
export async function codexVersion(binary: CodexBinary, env: Env): Promise<string | undefined> {
  try {
    const outcome = await runProcess([binary.path, '--version'], {
      cwd: os.tmpdir(),
      env: withPathDirs(allowlistedEnv(env), binary.pathDirs),
      timeoutMs: 15_000,
    });
    if (outcome.exitCode !== 0) return undefined;
    return /(\d+\.\d+\.\d+\S*)/.exec(outcome.output)?.[1] ?? outcome.output.trim();
  } catch {
    return undefined;
  }
}

/**
 * Checks that codex's sandbox works on this machine: `codex sandbox` (its default, read-only
 * policy) must run `true` and must refuse `touch` in its own working directory. Containers without user namespaces make the
 * first fail; then codex cannot confine commands and `sandbox: danger-full-access` is the only
 * way to run it — a decision for the user, never a default.
 */
export async function probeCodexSandbox(binary: CodexBinary, env: Env): Promise<SandboxProbe> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-codex-probe-'));
  try {
    const run = (...command: string[]) =>
      runProcess([binary.path, 'sandbox', '--', ...command], {
        cwd: dir,
        // A throwaway CODEX_HOME: the probe must not depend on, or write to, the user's.
        env: withPathDirs(allowlistedEnv(env, [], { CODEX_HOME: dir }), binary.pathDirs),
        timeoutMs: 20_000,
      });
    const runs = await run('true');
    if (runs.exitCode !== 0)
      return { state: 'unavailable', reason: stderrTail(runs.output, 5) || 'codex sandbox failed' };
    const probe = path.join(dir, 'probe');
    await run('touch', probe);
    return existsSync(probe)
      ? { state: 'not-enforced', reason: 'a write under the read-only sandbox policy succeeded' }
      : { state: 'enforced' };
  } catch (error) {
    return { state: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The codex backend's readiness: binary, version, credentials and sandbox, for `gaffer doctor`. */
export async function codexStatus(config: Record<string, unknown>, env: Env): Promise<CodexStatus> {
  const parsed = parseCodexConfig(config);
  if (!parsed.success) return { configError: parsed.error };
  const status: CodexStatus = {};
  const credentials = findCodexCredentials(parsed.config, env);
  if (credentials !== undefined) status.credentials = credentials;
  const binary = await resolveCodexBinary(parsed.config.executable, env.PATH);
  if (binary === undefined) return status;
  status.binary = binary.path;
  const version = await codexVersion(binary, env);
  if (version !== undefined) status.version = version;
  const own = await probeCodexSandbox(binary, env);
  const ownState = own.state === 'enforced' ? 'enforced' : `${own.state}: ${own.reason}`;
  status.sandbox = (await containedByGaffer(env))
    ? `${CODEX_CONTAINED}; under sandbox: off it would be ${ownState})`
    : ownState;
  return status;
}

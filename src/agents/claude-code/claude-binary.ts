import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary } from '../command/find-binary.js';

/** How users get the binary; shown in preflight errors. */
export const CLAUDE_INSTALL_HINT =
  'install Claude Code with `npm i -g @anthropic-ai/claude-code`, or set agents.claude-code.executable';

/** `node_modules/.bin/claude` of the package this file belongs to, searching upwards (src/ and dist/ alike). */
function bundledClaude(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules', '.bin', 'claude');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The `claude` binary to drive: the config's `executable` (a path or a name on PATH), else the
 * one installed with Gaffer, else `claude` on PATH. Undefined when none exists.
 */
export async function resolveClaudeBinary(
  executable: string | undefined,
  pathEnv: string | undefined,
): Promise<string | undefined> {
  if (executable !== undefined) return findBinary(executable, pathEnv);
  const bundled = bundledClaude();
  if (bundled !== undefined && (await findBinary(bundled, undefined)) !== undefined) return bundled;
  return findBinary('claude', pathEnv);
}

/**
 * Where the credentials Claude Code would use come from (never their values), or undefined.
 * `home` defaults to the environment's HOME, the one Claude Code itself would see.
 */
export function claudeCredentialSource(
  env: Record<string, string | undefined>,
  home: string = env.HOME ?? homedir(),
): string | undefined {
  for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']) {
    if ((env[name] ?? '') !== '') return name;
  }
  const configDir = env.CLAUDE_CONFIG_DIR ?? path.join(home, '.claude');
  const file = path.join(configDir, '.credentials.json');
  return existsSync(file) ? file : undefined;
}

/** What `gaffer doctor` reports about Claude Code. */
export interface ClaudeCodeStatus {
  binary?: string;
  version?: string;
  /** Where credentials come from (a variable name or a file), undefined when none is configured. */
  credentials: string | undefined;
}

function versionOf(binary: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: 10_000, env }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim().split(/\s+/)[0]);
    });
  });
}

/** Finds the binary on `env`'s PATH, asks it for its version and names the credential source. */
export async function claudeCodeStatus(
  env: Record<string, string | undefined>,
  executable?: string,
): Promise<ClaudeCodeStatus> {
  const binary = await resolveClaudeBinary(executable, env.PATH);
  const credentials = claudeCredentialSource(env);
  if (binary === undefined) return { credentials };
  return { binary, version: await versionOf(binary, env), credentials };
}

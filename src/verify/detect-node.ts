import { GafferError } from '../domain/index.js';
import { pathExists, readTextIfExists } from './repo-files.js';
import type { VerifierCommand } from './verifier-command.js';

/** Script names that mean each verifier, preferred first. */
const SCRIPTS: Record<string, readonly string[]> = {
  build: ['build'],
  typecheck: ['typecheck', 'type-check', 'check-types', 'tsc'],
  lint: ['lint'],
  test: ['test'],
};

type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

const LOCKFILES: readonly [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lockb', 'bun'],
  ['bun.lock', 'bun'],
];

/** Verifiers from package.json scripts, run with the package manager the lockfile names. */
export async function detectNode(dir: string): Promise<VerifierCommand[]> {
  const text = await readTextIfExists(dir, 'package.json');
  if (text === undefined) return [];
  const scripts = parseScripts(text);
  const manager = await packageManager(dir, text);
  const found: VerifierCommand[] = [];
  for (const [name, candidates] of Object.entries(SCRIPTS)) {
    const script = candidates.find((candidate) => usable(candidate, scripts[candidate]));
    if (script === undefined) continue;
    found.push({ name, argv: scriptArgv(manager, script), source: `package.json scripts.${script}` });
  }
  return found;
}

function parseScripts(text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // Silently detecting nothing would let a task pass with its checks gone.
    throw new GafferError('GAFFER_BAD_INPUT', 'package.json is not valid JSON', {
      cause,
      userError: true,
      hint: 'fix package.json, or name the verifier commands in the plan (verifiers.commands)',
    });
  }
  const scripts = (json as { scripts?: unknown } | null)?.scripts;
  return typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {};
}

function usable(name: string, script: unknown): boolean {
  if (typeof script !== 'string' || script.trim() === '') return false;
  // `npm init` writes a test script that always fails; it is not a test suite.
  return !(name === 'test' && script.includes('Error: no test specified'));
}

async function packageManager(dir: string, packageJson: string): Promise<PackageManager> {
  for (const [lockfile, manager] of LOCKFILES) {
    if (await pathExists(dir, lockfile)) return manager;
  }
  // Corepack's field is the next best sign when no lockfile is committed.
  const declared = /"packageManager"\s*:\s*"(pnpm|yarn|bun)@/.exec(packageJson)?.[1];
  return (declared as PackageManager | undefined) ?? 'npm';
}

function scriptArgv(manager: PackageManager, script: string): string[] {
  if (manager === 'npm') return script === 'test' ? ['npm', 'test'] : ['npm', 'run', script];
  // `bun test` is bun's own runner, not the script: always go through `run`.
  return [manager, 'run', script];
}

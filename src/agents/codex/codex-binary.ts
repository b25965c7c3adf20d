import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { findBinary } from '../command/find-binary.js';

/** A codex executable and the helper directories (ripgrep…) its package ships for PATH. */
export interface CodexBinary {
  path: string;
  pathDirs: string[];
  /** Where it was found, for `gaffer doctor` and error messages. */
  source: 'config' | 'package' | 'path';
}

const PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'x86_64-unknown-linux-musl': '@openai/codex-linux-x64',
  'aarch64-unknown-linux-musl': '@openai/codex-linux-arm64',
  'x86_64-apple-darwin': '@openai/codex-darwin-x64',
  'aarch64-apple-darwin': '@openai/codex-darwin-arm64',
  'x86_64-pc-windows-msvc': '@openai/codex-win32-x64',
  'aarch64-pc-windows-msvc': '@openai/codex-win32-arm64',
};

function targetTriple(): string | undefined {
  const arch = ({ x64: 'x86_64', arm64: 'aarch64' } as Record<string, string>)[process.arch];
  if (arch === undefined) return undefined;
  if (process.platform === 'linux' || process.platform === 'android') return `${arch}-unknown-linux-musl`;
  if (process.platform === 'darwin') return `${arch}-apple-darwin`;
  if (process.platform === 'win32') return `${arch}-pc-windows-msvc`;
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The native binary of the `@openai/codex` package installed next to Gaffer. We resolve it
 * ourselves because the Codex SDK looks for the CLI from its own folder, where npm may have put
 * an older copy, and because the package's `bin/codex.js` wrapper adds a Node process between
 * us and codex that signals have to be forwarded through.
 */
async function packagedBinary(): Promise<CodexBinary | undefined> {
  const triple = targetTriple();
  const platformPackage = triple === undefined ? undefined : PLATFORM_PACKAGES[triple];
  if (triple === undefined || platformPackage === undefined) return undefined;
  let vendorRoot: string;
  try {
    const codexPackageJson = createRequire(import.meta.url).resolve('@openai/codex/package.json');
    const platformJson = createRequire(codexPackageJson).resolve(`${platformPackage}/package.json`);
    vendorRoot = path.join(path.dirname(platformJson), 'vendor', triple);
  } catch {
    return undefined;
  }
  const name = process.platform === 'win32' ? 'codex.exe' : 'codex';
  for (const [binary, helpers] of [
    [path.join(vendorRoot, 'bin', name), path.join(vendorRoot, 'codex-path')],
    [path.join(vendorRoot, 'codex', name), path.join(vendorRoot, 'path')],
  ] as const) {
    if (await isExecutable(binary)) {
      return { path: binary, pathDirs: (await isDirectory(helpers)) ? [helpers] : [], source: 'package' };
    }
  }
  return undefined;
}

/**
 * Finds the codex CLI: the configured `executable` (a path, or a name on PATH), else the
 * `@openai/codex` package installed with Gaffer, else `codex` on PATH.
 */
export async function resolveCodexBinary(
  executable: string | undefined,
  pathEnv: string | undefined,
): Promise<CodexBinary | undefined> {
  if (executable !== undefined) {
    const found = await findBinary(executable, pathEnv);
    return found === undefined ? undefined : { path: found, pathDirs: [], source: 'config' };
  }
  const packaged = await packagedBinary();
  if (packaged !== undefined) return packaged;
  const onPath = await findBinary('codex', pathEnv);
  return onPath === undefined ? undefined : { path: onPath, pathDirs: [], source: 'path' };
}

/** `env` with `dirs` in front of its PATH (without duplicates). */
export function withPathDirs(env: Record<string, string>, dirs: readonly string[]): Record<string, string> {
  if (dirs.length === 0) return env;
  const rest = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((entry) => entry !== '' && !dirs.includes(entry));
  return { ...env, PATH: [...dirs, ...rest].join(path.delimiter) };
}

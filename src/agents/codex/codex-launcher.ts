import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandSandbox } from '../../domain/index.js';

/** A program the Codex SDK can spawn in place of `codex`, which starts codex inside the sandbox. */
export interface CodexLauncher {
  path: string;
  dispose(): Promise<void>;
}

/** `arg` as one POSIX shell word: inside single quotes nothing is special, and a quote is closed, escaped and reopened. */
function shellWord(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The Codex SDK spawns `codexPathOverride` itself with arguments of its own, so the sandbox
 * comes in through a launcher: a two-line `sh` script that `exec`s bwrap with the policy read
 * from a NUL-separated file (`bwrap --args 3`), then `--`, the command and the SDK's arguments.
 * The command is on the script's own line because bwrap takes only options from `--args` (a
 * `--` and command in that file are dropped, and the SDK's first argument would run instead);
 * each of its words is single-quoted, so no text of it is ever read by the shell. After the
 * `exec` bwrap is the SDK's own child, so it dies with the engine (`--die-with-parent`). The
 * launcher sits in a directory of its own outside the sandbox: an agent cannot rewrite what the
 * next codex start runs.
 */
export async function writeCodexLauncher(
  sandbox: CommandSandbox,
  codexPath: string,
  env: Record<string, string>,
): Promise<CodexLauncher> {
  const wrapped = sandbox.wrap([codexPath], env);
  const [bwrap, ...args] = wrapped.argv;
  if (bwrap === undefined || !/^\/[\w./-]+$/.test(bwrap))
    throw new Error(`the sandbox launcher needs a plain absolute bwrap path, got "${bwrap ?? ''}"`);
  // What the sandbox adds to the SDK's environment (TMPDIR, the proxy), as bwrap options.
  const extra = Object.entries(wrapped.env)
    .filter(([key, value]) => env[key] !== value)
    .flatMap(([key, value]) => ['--setenv', key, value]);
  const end = args.indexOf('--');
  if (end < 0) throw new Error('the sandbox launcher needs bwrap options ended by "--"');
  const options = [...args.slice(0, end), ...extra];
  const command = args
    .slice(end + 1)
    .map(shellWord)
    .join(' ');
  const dir = await mkdtemp(path.join(tmpdir(), 'gaffer-codex-launcher-'));
  const script = path.join(dir, 'codex');
  await writeFile(`${script}.args`, options.map((arg) => `${arg}\0`).join(''), { mode: 0o600 });
  await writeFile(script, `#!/bin/sh\nexec ${bwrap} --args 3 -- ${command} "$@" 3<"$0.args"\n`, {
    mode: 0o700,
  });
  await chmod(script, 0o700);
  return { path: script, dispose: () => rm(dir, { recursive: true, force: true }) };
}

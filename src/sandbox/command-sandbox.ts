import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandSandbox, SandboxedCommand } from '../domain/index.js';
import { bwrapArgv } from './bwrap-argv.js';
import type { SandboxPolicy } from './policy.js';
import { commandReadable } from './policy.js';

/** The in-sandbox program that carries the network to the egress proxy, then starts the command. */
export interface NetworkBridge {
  /** `[node, net-bridge.js, config, '--']`: runs first, inside. */
  prefix: readonly string[];
  /** The proxy variables the command needs (HTTP(S)_PROXY pointing at the bridge). */
  env: Record<string, string>;
}

/**
 * Where `command` is, as the sandbox will find it: by path (relative to `cwd`) or on PATH. A
 * command that does not exist is refused here with the error `spawn` gives, so callers that
 * say "command not found" keep saying it, rather than reading bwrap's complaint.
 */
export function resolveCommand(command: string, pathVar: string | undefined, cwd: string): string {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : (pathVar ?? '')
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.resolve(cwd, dir, command));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT', path: command });
}

/** A sandbox that wraps every command in bubblewrap under `policy`. */
export function bwrapSandbox(bwrap: string, policy: SandboxPolicy, bridge?: NetworkBridge): CommandSandbox {
  return {
    enabled: true,
    tmpDir: policy.tmpDir,
    wrap(argv, env): SandboxedCommand {
      const [command, ...args] = argv;
      if (command === undefined) throw new Error('no command to run');
      const inner: Record<string, string> = { ...env, TMPDIR: policy.tmpDir, ...(bridge?.env ?? {}) };
      const resolved = resolveCommand(command, inner.PATH, policy.worktree);
      // The command itself must be readable where it lives (a CLI installed under /tmp or a home).
      const own = commandReadable(policy, resolved);
      const withCommand = own === undefined ? policy : { ...policy, readable: [...policy.readable, own] };
      return {
        argv: bwrapArgv({
          bwrap,
          policy: withCommand,
          argv: [resolved, ...args],
          ...(bridge ? { prefix: bridge.prefix } : {}),
        }),
        // bwrap itself gets exactly the command's environment: it is PID 1 inside, and its environ is readable there.
        env: inner,
      };
    },
  };
}

/** `sandbox: off`: commands run as they are (the run warned about it). */
export function noSandbox(tmpDir: string): CommandSandbox {
  return {
    enabled: false,
    tmpDir,
    wrap: (argv, env) => ({ argv: [...argv], env: { ...env, TMPDIR: tmpDir } }),
  };
}

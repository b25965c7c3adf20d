import path from 'node:path';
import type { SandboxPolicy } from './policy.js';

/** What runs inside, after bwrap: the command itself, or the network bridge that then starts it. */
export interface BwrapCommand {
  bwrap: string;
  policy: SandboxPolicy;
  argv: readonly string[];
  /** Runs first inside the sandbox (the network bridge), then `argv`; its files must be readable. */
  prefix?: readonly string[];
}

/**
 * The bubblewrap command line of a policy, as a pure function (no shell ever sees it). Later
 * mounts win, so masks come first and re-exposures after them; bwrap creates the mount points it
 * needs inside a tmpfs. When Gaffer runs as root, `--unshare-user --disable-userns --cap-drop ALL`
 * are what keep the sandbox from remounting `/` writable or unmounting a mask.
 */
export function bwrapArgv(command: BwrapCommand): string[] {
  const { policy } = command;
  const dotGit = path.join(policy.worktree, '.git');
  return [
    command.bwrap,
    ...['--unshare-user', '--disable-userns', '--cap-drop', 'ALL'],
    ...['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'],
    ...(policy.network.mode === 'host' ? [] : ['--unshare-net']),
    // No process inside outlives Gaffer, and none can push keystrokes into our terminal.
    '--die-with-parent',
    '--new-session',
    ...['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'],
    // Host unix sockets (a Docker or D-Bus socket) stay connectable through a read-only bind.
    ...['--tmpfs', '/run', '--tmpfs', '/tmp'],
    ...policy.masked.flatMap((dir) => ['--tmpfs', dir]),
    ...(policy.gitDir === undefined ? [] : ['--ro-bind', policy.gitDir, policy.gitDir]),
    ...policy.readable.flatMap((p) => ['--ro-bind-try', p, p]),
    ...(policy.network.mode === 'proxy'
      ? ['--ro-bind', path.dirname(policy.network.socketPath), path.dirname(policy.network.socketPath)]
      : []),
    ...['--bind', policy.tmpDir, policy.tmpDir],
    ...policy.writable.flatMap((p) => ['--bind-try', p, p]),
    ...['--bind', policy.worktree, policy.worktree],
    // The worktree's `.git` file names its git directory: it can be neither rewritten nor removed.
    ...['--ro-bind-try', dotGit, dotGit],
    ...['--chdir', policy.worktree],
    '--',
    ...(command.prefix ?? []),
    ...command.argv,
  ];
}

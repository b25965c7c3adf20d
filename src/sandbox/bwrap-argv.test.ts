import { describe, expect, it } from 'vitest';
import { bwrapArgv } from './bwrap-argv.js';
import { buildPolicy, commandReadable } from './policy.js';

const facts = {
  worktree: '/home/ann/src/app/.gaffer/worktrees/run-1/task',
  repoRoot: '/home/ann/src/app',
  gitDir: '/home/ann/src/app/.git',
  home: '/home/ann',
  tmpDir: '/tmp/gaffer-sandbox-x',
  pathDirs: ['/home/ann/.nvm/bin', '/usr/bin', '/home/ann/src/app/.gaffer/worktrees/run-2/t/bin'],
  gafferFiles: ['/usr/bin/node'],
};

/** The target of each mount flag, in order: what a later mount covers wins. */
function mounts(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    if (['--tmpfs'].includes(arg)) out.push(`tmpfs ${argv[i + 1]}`);
    if (['--bind', '--bind-try', '--ro-bind', '--ro-bind-try'].includes(arg))
      out.push(`${arg.slice(2)} ${argv[i + 2]}`);
  });
  return out;
}

describe('the bubblewrap command line of a policy', () => {
  const policy = buildPolicy(facts, {
    writable: ['/home/ann/.cache/pip'],
    readable: [],
    network: { mode: 'none' },
  });
  const argv = bwrapArgv({ bwrap: '/usr/bin/bwrap', policy, argv: ['npm', 'test'] });

  it('hides the homes and the main checkout, then re-exposes only what the work needs, the worktree last', () => {
    expect(mounts(argv)).toEqual([
      'ro-bind /',
      'tmpfs /run',
      'tmpfs /tmp',
      'tmpfs /root',
      'tmpfs /home',
      'tmpfs /home/ann',
      'tmpfs /home/ann/src/app',
      'ro-bind /home/ann/src/app/.git',
      // the toolchain on PATH under the hidden home, and the repository's installed dependencies
      'ro-bind-try /home/ann/.nvm/bin',
      'ro-bind-try /home/ann/src/app/node_modules',
      'ro-bind-try /home/ann/src/app/.venv',
      'ro-bind-try /home/ann/src/app/venv',
      'bind /tmp/gaffer-sandbox-x',
      'bind-try /home/ann/.cache/pip',
      'bind /home/ann/src/app/.gaffer/worktrees/run-1/task',
      'ro-bind-try /home/ann/src/app/.gaffer/worktrees/run-1/task/.git',
    ]);
    // A PATH entry inside another worktree (.gaffer/) is never re-exposed.
    expect(argv.join(' ')).not.toContain('run-2');
  });

  it('gives the command a PID and network namespace of its own, no capabilities, and ends it with Gaffer', () => {
    const flags = argv.slice(0, argv.indexOf('--'));
    for (const flag of [
      '--unshare-pid',
      '--unshare-net',
      '--die-with-parent',
      '--new-session',
      '--disable-userns',
    ])
      expect(flags).toContain(flag);
    expect(flags.join(' ')).toContain('--cap-drop ALL');
    expect(argv.slice(argv.indexOf('--') + 1)).toEqual(['npm', 'test']);
  });

  it('shares the host network only when the policy says so, and binds the proxy socket for filtered hosts', () => {
    const host = bwrapArgv({
      bwrap: 'bwrap',
      policy: buildPolicy(facts, { writable: [], readable: [], network: { mode: 'host' } }),
      argv: ['true'],
    });
    expect(host).not.toContain('--unshare-net');
    const proxied = bwrapArgv({
      bwrap: 'bwrap',
      policy: buildPolicy(facts, {
        writable: [],
        readable: [],
        network: {
          mode: 'proxy',
          allow: ['api.anthropic.com:443'],
          socketPath: '/tmp/gaffer-egress-1/egress.sock',
        },
      }),
      argv: ['claude'],
      prefix: ['/usr/bin/node', '/opt/gaffer/dist/sandbox/net-bridge.js', '{}', '--'],
    });
    expect(proxied).toContain('--unshare-net');
    expect(mounts(proxied)).toContain('ro-bind /tmp/gaffer-egress-1');
    expect(proxied.slice(proxied.indexOf('--') + 1)).toEqual([
      '/usr/bin/node',
      '/opt/gaffer/dist/sandbox/net-bridge.js',
      '{}',
      '--',
      'claude',
    ]);
  });
});

describe('the command itself', () => {
  it('is readable where it lives, even under a hidden /tmp or home, but never opens the checkout', () => {
    const policy = buildPolicy(facts, { writable: [], readable: [], network: { mode: 'none' } });
    expect(commandReadable(policy, '/tmp/gaffer/node_modules/@openai/codex-linux-x64/vendor/codex')).toBe(
      '/tmp/gaffer/node_modules',
    );
    expect(commandReadable(policy, '/home/ann/bin/tool')).toBe('/home/ann/bin');
    // In the worktree, or a directory holding it (the checkout, its .gaffer/): nothing more.
    expect(commandReadable(policy, `${facts.worktree}/run.sh`)).toBeUndefined();
    expect(commandReadable(policy, '/home/ann/src/app/tool')).toBeUndefined();
  });
});

import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/** Whether this machine can sandbox: bubblewrap found and able to make its namespaces here. */
export type SandboxProbe =
  { ok: true; bwrap: string; version: string } | { ok: false; reason: string; fix: string };

const OPT_OUT = 'or run unsandboxed at your own risk with `sandbox: off` in the plan';

/** The first `bwrap` on PATH (or the usual system locations), executable. */
async function findBwrap(pathVar: string | undefined): Promise<string | undefined> {
  const dirs = [
    ...(pathVar ?? '').split(path.delimiter).filter(Boolean),
    '/usr/bin',
    '/bin',
    '/usr/local/bin',
  ];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'bwrap');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(argv: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] ?? '', argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

/**
 * Tries the sandbox once, with the very namespaces every sandboxed command gets; the answer
 * says what to install or enable when it cannot work. Cached per process: a machine does not
 * gain or lose user namespaces while Gaffer runs.
 */
export function probeSandbox(pathVar = process.env.PATH): Promise<SandboxProbe> {
  return (cached ??= probe(pathVar));
}
let cached: Promise<SandboxProbe> | undefined;

async function probe(pathVar: string | undefined): Promise<SandboxProbe> {
  if (process.platform !== 'linux')
    return {
      ok: false,
      reason: `Gaffer's sandbox needs Linux with bubblewrap; ${process.platform} is not supported yet`,
      fix: `run Gaffer on Linux (or in a Linux container) with bubblewrap installed, ${OPT_OUT}`,
    };
  const bwrap = await findBwrap(pathVar);
  if (bwrap === undefined)
    return {
      ok: false,
      reason: 'bubblewrap (bwrap) is not installed',
      fix: `install it (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Arch: pacman -S bubblewrap), ${OPT_OUT}`,
    };
  const version = await run([bwrap, '--version']);
  const tried = await run([
    bwrap,
    ...['--unshare-user', '--disable-userns', '--cap-drop', 'ALL', '--unshare-pid', '--unshare-net'],
    ...['--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev'],
    '--',
    'true',
  ]);
  if (tried.code === 0) return { ok: true, bwrap, version: version.output.replace(/^bubblewrap\s*/i, '') };
  const namespaces = /namespace|uid map|permission|not permitted/i.test(tried.output);
  return {
    ok: false,
    reason: `bubblewrap cannot create its sandbox here: ${tried.output || `exit code ${tried.code}`}`,
    fix: namespaces
      ? `enable unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0; in Docker run with --security-opt seccomp=unconfined or a profile that allows clone/unshare), ${OPT_OUT}`
      : `check that ${bwrap} works (\`${bwrap} --ro-bind / / true\`), ${OPT_OUT}`,
  };
}

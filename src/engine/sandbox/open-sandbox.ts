import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CommandSandbox } from '../../domain/index.js';
import { userError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import type { EgressProxy, NetworkBridge, NetworkPolicy } from '../../sandbox/index.js';
import {
  buildPolicy,
  bwrapSandbox,
  netBridgeArgv,
  netBridgeConfig,
  netBridgeScript,
  noSandbox,
  probeSandbox,
  proxyEnv,
  startEgressProxy,
} from '../../sandbox/index.js';

/** A sandbox for one session or one check, and what must be cleaned after it. */
export interface OpenSandbox {
  sandbox: CommandSandbox;
  dispose(): Promise<void>;
}

export interface SandboxRequest {
  /** The repository (its root is hidden; its git directory stays readable). */
  repo: Pick<Repo, 'root' | 'commonDir'>;
  /** The directory the commands work in: a task's worktree, or the baseline's checkout. */
  worktree: string;
  /** The parent environment (for HOME and PATH). */
  env: Record<string, string | undefined>;
  off: boolean;
  writable: readonly string[];
  readable: readonly string[];
  /** Agents: the hosts they may reach (none: no network). Checks: `host` or `none`. */
  network: { hosts: readonly string[] } | 'host' | 'none';
  /** Told of what the sandbox refused (a denied host), for the record. */
  onDenied?: (target: { host: string; port: number; method: string; reason: string }) => void;
}

/** This machine's bubblewrap, or the user error that stops a run when it cannot sandbox. */
async function requireSandbox(): Promise<{ bwrap: string }> {
  const probe = await probeSandbox();
  if (!probe.ok)
    throw userError(
      'GAFFER_SANDBOX_UNAVAILABLE',
      `cannot sandbox agents and checks: ${probe.reason}`,
      probe.fix,
    );
  return probe;
}

/** Fails closed before anything starts, unless the plan said `sandbox: off`. */
export async function assertSandboxAvailable(off: boolean): Promise<void> {
  if (!off) await requireSandbox();
}

/**
 * Opens the OS sandbox one session or check runs in: a private temporary directory, the policy
 * for its worktree, and (for agents with hosts to reach) the egress proxy. Fails closed: when
 * bubblewrap cannot run, this throws the user error that says how to fix it.
 */
export async function openSandbox(request: SandboxRequest): Promise<OpenSandbox> {
  const tmpDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-sandbox-')));
  if (request.off)
    return { sandbox: noSandbox(tmpDir), dispose: () => rm(tmpDir, { recursive: true, force: true }) };
  let proxy: EgressProxy | undefined;
  const dirs = [tmpDir];
  const dispose = async () => {
    await proxy?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  };
  try {
    const { bwrap } = await requireSandbox();
    const hosts = typeof request.network === 'object' ? request.network.hosts : [];
    let network: NetworkPolicy = request.network === 'host' ? { mode: 'host' } : { mode: 'none' };
    let bridge: NetworkBridge | undefined;
    if (hosts.length > 0) {
      // One proxy per session: parallel sessions each reach only their own hosts.
      const socketDir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-egress-'));
      dirs.push(socketDir);
      proxy = await startEgressProxy({
        allow: hosts,
        socketDir,
        ...(request.onDenied ? { onDenied: request.onDenied } : {}),
      });
      network = { mode: 'proxy', allow: hosts, socketPath: proxy.socketPath };
      const config = netBridgeConfig(proxy.socketPath, hosts);
      bridge = {
        prefix: netBridgeArgv(process.execPath, netBridgeScript(), config, []),
        env: proxyEnv(config),
      };
    }
    const policy = buildPolicy(
      {
        worktree: request.worktree,
        repoRoot: request.repo.root,
        // A stand-in repository without one (tests' fakes) has no git directory to expose.
        gitDir: request.repo.commonDir,
        home: request.env.HOME ?? os.homedir(),
        tmpDir,
        pathDirs: (request.env.PATH ?? '').split(path.delimiter).filter(Boolean),
        gafferFiles: [process.execPath, ...(bridge ? [netBridgeScript()] : [])],
      },
      { writable: request.writable, readable: request.readable, network },
    );
    return { sandbox: bwrapSandbox(bwrap, policy, bridge), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

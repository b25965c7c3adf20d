import path from 'node:path';
import type { PlanTask, SandboxNeeds } from '../../domain/index.js';
import type { RunContext } from '../run-context.js';
import { gafferDir } from '../run-context.js';
import type { SandboxRequest } from './open-sandbox.js';
import { sandboxOff, widenings } from './sandbox-settings.js';

type Deps = Pick<RunContext, 'repo' | 'run' | 'env'>;

/**
 * The package managers' download caches a worktree setup fills, one Gaffer-owned folder each per
 * repository (`.gaffer/cache/<tool>`), so parallel worktrees share what one downloaded, and the
 * variables that point each tool at its folder. Cargo is left alone: its home holds the user's
 * registry credentials and a lock every cargo command writes, so a read-only one would break checks.
 */
export function packageCaches(repoRoot: string): {
  root: string;
  dirs: string[];
  env: Record<string, string>;
} {
  const root = path.join(gafferDir(repoRoot), 'cache');
  const env = {
    npm_config_cache: path.join(root, 'npm'),
    PIP_CACHE_DIR: path.join(root, 'pip'),
    // pnpm's content-addressed store; on the worktrees' file system, so installs hard-link from it.
    npm_config_store_dir: path.join(root, 'pnpm'),
    YARN_CACHE_FOLDER: path.join(root, 'yarn'),
  };
  return { root, dirs: Object.values(env), env };
}

/**
 * What sessions and checks read beyond the defaults because of the plan's `worktree:` block: the
 * main checkout's paths the worktree links to (a link must resolve inside the sandbox), and the
 * package caches (Yarn's Plug'n'Play reads its packages from the cache). Never written there.
 */
export function worktreeReadable(ctx: Deps): string[] {
  const settings = ctx.run.plan.settings.worktree;
  if (settings === undefined) return [];
  const links = settings.link.map((p) => path.join(ctx.repo.root, p));
  return settings.setup === undefined ? links : [...links, packageCaches(ctx.repo.root).root];
}

/** A task's checks (or the baseline's, without a task): the plan's and the task's widenings; the host network unless `verifiers.network: false`. */
export function checkSandboxRequest(ctx: Deps, worktree: string, task?: PlanTask): SandboxRequest {
  const wide = widenings(ctx.run, task, undefined, ctx.env.HOME);
  return {
    repo: ctx.repo,
    worktree,
    env: ctx.env,
    off: sandboxOff(ctx.run),
    writable: wide.writable,
    readable: [...wide.readable, ...worktreeReadable(ctx)],
    network: ctx.run.plan.settings.verifiers?.network === false ? 'none' : 'host',
  };
}

/**
 * A worktree's setup command: what its task's checks get, plus the package caches to write and
 * the host network whatever `verifiers.network` says (installing dependencies downloads them).
 */
export function setupSandboxRequest(ctx: Deps, worktree: string, task?: PlanTask): SandboxRequest {
  const checks = checkSandboxRequest(ctx, worktree, task);
  return {
    ...checks,
    writable: [...checks.writable, ...packageCaches(ctx.repo.root).dirs],
    network: 'host',
  };
}

/**
 * An agent's session: the plan's, the agent's and the task's widenings, plus what the backend
 * itself needs (its model API host, the task's private state directory). An agent reaches only
 * those hosts.
 */
export function agentSandboxRequest(
  ctx: Deps,
  worktree: string,
  task: PlanTask,
  needs: SandboxNeeds,
  config: Record<string, unknown>,
  stateDir?: string,
): SandboxRequest {
  const wide = widenings(ctx.run, task, config, ctx.env.HOME);
  return {
    repo: ctx.repo,
    worktree,
    env: ctx.env,
    off: sandboxOff(ctx.run),
    writable: [...wide.writable, ...needs.writable, ...(stateDir === undefined ? [] : [stateDir])],
    readable: [...wide.readable, ...worktreeReadable(ctx)],
    network: { hosts: [...needs.network, ...wide.network] },
  };
}

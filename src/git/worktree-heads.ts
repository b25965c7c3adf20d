import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitContext } from './git-context.js';
import { symbolicHeadOf } from './paths.js';
import { listWorktrees } from './worktrees.js';

/**
 * The path of the worktree that has `branch` checked out, or undefined when none has. Every
 * merge asks, so the common answer — none — is read from git's own files: the HEAD of the main
 * worktree (`<common dir>/HEAD`) and of each linked one (`<common dir>/worktrees/<name>/HEAD`).
 * When one of them names the branch, `git worktree list` says where (and whether the main one is
 * a bare repository, whose HEAD checks nothing out). Without a known common dir git is asked.
 */
export async function worktreeOnBranch(ctx: GitContext, branch: string): Promise<string | undefined> {
  if (ctx.commonDir !== undefined && !(await anyHeadNames(ctx.commonDir, `refs/heads/${branch}`)))
    return undefined;
  return (await listWorktrees(ctx)).find((w) => w.branch === branch)?.path;
}

async function anyHeadNames(commonDir: string, ref: string): Promise<boolean> {
  const entries = await readdir(join(commonDir, 'worktrees')).catch(() => []);
  const heads = [
    join(commonDir, 'HEAD'),
    ...entries.map((name) => join(commonDir, 'worktrees', name, 'HEAD')),
  ];
  for (const head of heads) if ((await symbolicHeadOf(head)) === ref) return true;
  return false;
}

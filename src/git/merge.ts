import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GafferError } from '../domain/index.js';
import { GitError } from './git-error.js';
import { splitNul, type GitContext } from './git-context.js';
import { identityArgs } from './identity.js';
import { assertValidBranchName } from './ref-format.js';
import { branchCommit, rememberCommit, rememberTree, requireCommit, treeOf as treeOfCommit } from './refs.js';
import { worktreeOnBranch } from './worktree-heads.js';

/** Outcome of {@link mergeBranch}. */
export type MergeResult =
  { ok: true; commit: string; alreadyMerged: boolean } | { ok: false; conflicts: string[] };

/** Outcome of {@link rebase}. */
export type RebaseResult = { ok: true; head: string } | { ok: false; conflicts: string[] };

/**
 * Merges `source` into the branch `target` without any working tree: merge-tree computes the
 * merged tree, commit-tree makes the commit, update-ref moves `target` only if it is still where
 * we read it (compare-and-swap). `squash` makes one single-parent commit of the task's changes;
 * otherwise a two-parent merge commit, even when a fast-forward were possible, so every task
 * stays visible in the integration history. A merge that would change nothing is reported as
 * already merged — which is how a squash merged before a crash is recognised on resume. On conflict nothing
 * changes. `target` must not be checked out anywhere: its ref would move under that checkout,
 * which would then show the merge reversed as local changes.
 */
export async function mergeBranch(
  ctx: GitContext,
  target: string,
  source: string,
  message: string,
  options: { squash?: boolean; commit?: string } = {},
): Promise<MergeResult> {
  assertValidBranchName(target);
  return ctx.withLock(async () => {
    const targetHead = await requireCommit(ctx, `refs/heads/${target}`, 'branch');
    // Merging onto a head Gaffer did not put there would keep whatever moved it in the result.
    const last = ctx.refWrites?.(`refs/heads/${target}`).at(-1);
    if (last !== undefined && last !== targetHead) {
      throw new GafferError(
        'GAFFER_GIT',
        `refusing to merge into ${target}: it is at ${targetHead.slice(0, 12)}, not at ${last.slice(0, 12)} where Gaffer left it`,
        {
          hint: `something moved ${target} while the run went on; inspect it with \`git log ${target}\` and move it back to ${last}`,
          details: { target, head: targetHead, expected: last },
        },
      );
    }
    // A full commit id is an object name before any ref of the same spelling.
    const sourceHead =
      options.commit === undefined
        ? await branchCommit(ctx, source)
        : await requireCommit(ctx, options.commit, 'commit');
    const holder = await worktreeOnBranch(ctx, target);
    if (holder !== undefined) {
      throw new GafferError('GAFFER_GIT', `cannot merge into ${target}: it is checked out at ${holder}`, {
        hint: 'merge into a branch that no worktree has checked out (check it out detached to inspect it)',
        details: { target, worktree: holder },
      });
    }
    // A source already in the target merges to the target's own tree: reported as already merged below.
    const args = ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', targetHead, sourceHead];
    const merged = await ctx.git(args, { allowFail: true });
    const [tree = '', ...rest] = splitNul(merged.stdout);
    if (merged.code === 1) return { ok: false, conflicts: conflictList(rest) };
    if (merged.code !== 0) throw new GitError(args, merged.code, merged.stderr);
    // Nothing the target lacks (a squash merged before a crash, or work already there): no commit.
    if (tree === (await treeOfCommit(ctx, targetHead)))
      return { ok: true, commit: targetHead, alreadyMerged: true };
    const identity = await identityArgs(ctx, ctx.root);
    const parents = options.squash ? ['-p', targetHead] : ['-p', targetHead, '-p', sourceHead];
    const commit = await ctx.git([...identity, 'commit-tree', '--no-gpg-sign', ...parents, '-F', '-', tree], {
      input: message.trim() === '' ? `Merge ${source} into ${target}` : message,
    });
    const mergeCommit = commit.stdout.trim();
    rememberCommit(ctx, mergeCommit);
    // The next merge into the target compares with this head's tree: known, no need to ask git.
    rememberTree(ctx, mergeCommit, tree);
    ctx.noteRefWrite?.(`refs/heads/${target}`, mergeCommit);
    await ctx.git([
      'update-ref',
      '-m',
      `gaffer: merge ${source}`,
      `refs/heads/${target}`,
      mergeCommit,
      targetHead,
    ]);
    return { ok: true, commit: mergeCommit, alreadyMerged: false };
  });
}

/** merge-tree lists one path per conflicted stage, so a path can appear up to three times. */
function conflictList(fields: string[]): string[] {
  const end = fields.indexOf('');
  return [...new Set(end === -1 ? fields : fields.slice(0, end))].sort();
}

/**
 * Rebases the branch checked out in `worktree` onto `onto`. On conflict the rebase is aborted,
 * so the worktree is as before, and the conflicting paths are returned. An unfinished rebase
 * left by a crash is aborted first.
 */
export async function rebase(ctx: GitContext, worktree: string, onto: string): Promise<RebaseResult> {
  const ontoCommit = await requireCommit(ctx, onto, 'commit');
  if (await rebaseInProgress(ctx, worktree)) {
    await ctx.git(['rebase', '--abort'], { cwd: worktree, allowFail: true });
  }
  const identity = await identityArgs(ctx, worktree);
  // Options against user config that would change what a rebase touches or make it interactive.
  const args = [
    ...identity,
    'rebase',
    '--quiet',
    '--no-autostash',
    '--no-update-refs',
    '--no-gpg-sign',
    '--no-verify',
  ];
  const result = await ctx.git([...args, ontoCommit], { cwd: worktree, allowFail: true });
  if (result.code === 0) {
    const head = await ctx.git(['rev-parse', '--verify', 'HEAD'], { cwd: worktree });
    return { ok: true, head: head.stdout.trim() };
  }
  if (await rebaseInProgress(ctx, worktree)) {
    const unmerged = await ctx.git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd: worktree });
    await ctx.git(['rebase', '--abort'], { cwd: worktree });
    const conflicts = [...new Set(splitNul(unmerged.stdout))].sort();
    if (conflicts.length > 0) return { ok: false, conflicts };
  }
  throw new GitError([...args.slice(identity.length), ontoCommit], result.code, result.stderr);
}

/** Resets `worktree` to `commit` and removes untracked files (ignored ones, like dependencies, stay). */
export async function resetHard(ctx: GitContext, worktree: string, commit: string): Promise<void> {
  const target = await requireCommit(ctx, commit, 'commit');
  // --quit, not --abort: the reset below sets the files, the abort's checkout would be wasted.
  if (await rebaseInProgress(ctx, worktree))
    await ctx.git(['rebase', '--quit'], { cwd: worktree, allowFail: true });
  await ctx.git(['reset', '--hard', '--quiet', target], { cwd: worktree });
  await ctx.git(['clean', '-d', '--force', '--quiet'], { cwd: worktree });
}

async function rebaseInProgress(ctx: GitContext, worktree: string): Promise<boolean> {
  const { stdout } = await ctx.git(
    ['rev-parse', '--git-path', 'rebase-merge', '--git-path', 'rebase-apply'],
    {
      cwd: worktree,
    },
  );
  const paths = stdout.split('\n').filter((line) => line !== '');
  const found = await Promise.all(
    paths.map((path) =>
      stat(resolve(worktree, path)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.includes(true);
}

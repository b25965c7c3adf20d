import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GafferError } from '../domain/index.js';
import { splitNul, type GitContext } from './git-context.js';
import { identityArgs } from './identity.js';
import { assertValidBranchName } from './ref-format.js';
import { rememberCommit, rememberTree, requireCommit, treeOf } from './refs.js';
import { worktreeOnBranch } from './worktree-heads.js';

/** The trailer a revert commit made by {@link takeOutMerge} carries: how a repeated take-out finds it. */
export const REVERTS_TRAILER = 'Gaffer-Reverts';

/**
 * Outcome of {@link takeOutMerge}: the branch is back at the merge's first parent (`reset`), a
 * revert commit undoes the merge on top of later work (`revert`), or the merge cannot be undone
 * cleanly because later merges changed the same lines (`conflicts`; nothing changed).
 */
export type TakeOutResult =
  { ok: true; how: 'reset' | 'revert'; head: string } | { ok: false; conflicts: string[] };

/**
 * Takes the commit `merge` (a merge Gaffer made, squash or two-parent) back out of the branch
 * `target`, without any working tree and under the lock. With nothing on top of it the branch
 * goes back to its first parent (compare-and-swap): the history is as if it never merged. With
 * later merges on top, a single-parent commit undoes its changes (merge-tree with the merge as
 * base, onto the head, towards its first parent), naming it in a `Gaffer-Reverts:` trailer.
 * Safe to repeat after a crash: a merge no longer in the branch, or already reverted by such a
 * commit, is reported as taken out with nothing written.
 */
export async function takeOutMerge(
  ctx: GitContext,
  target: string,
  merge: string,
  message: string,
): Promise<TakeOutResult> {
  assertValidBranchName(target);
  const ref = `refs/heads/${target}`;
  return ctx.withLock(async () => {
    const head = await requireCommit(ctx, ref, 'branch');
    const mergeCommit = await requireCommit(ctx, merge, 'commit');
    const holder = await worktreeOnBranch(ctx, target);
    if (holder !== undefined) {
      throw new GafferError(
        'GAFFER_GIT',
        `cannot take a merge out of ${target}: it is checked out at ${holder}`,
        {
          hint: 'check the integration branch out detached to inspect it',
          details: { target, worktree: holder },
        },
      );
    }
    const parent = (await ctx.git(['rev-parse', '--verify', `${mergeCommit}^1`])).stdout.trim();
    if (head === mergeCommit) {
      ctx.noteRefWrite?.(ref, parent);
      await ctx.git(['update-ref', '-m', `gaffer: take out ${merge.slice(0, 12)}`, ref, parent, head]);
      return { ok: true, how: 'reset', head: parent };
    }
    const inBranch = await ctx.git(['merge-base', '--is-ancestor', mergeCommit, head], { allowFail: true });
    // Gone from the branch: a reset before a crash (and merges since on top of its parent).
    if (inBranch.code !== 0) return { ok: true, how: 'reset', head };
    if (await revertedSince(ctx, mergeCommit, head)) return { ok: true, how: 'revert', head };
    // The merge's changes, backwards, onto the head: what later merges did stays.
    const undone = await applyChanges(ctx, head, parent, mergeCommit, { reverse: true });
    if (!undone.ok) return undone;
    const tree = undone.tree;
    const identity = await identityArgs(ctx, ctx.root);
    const made = await ctx.git([...identity, 'commit-tree', '--no-gpg-sign', '-p', head, '-F', '-', tree], {
      input: `${message.trim()}\n\n${REVERTS_TRAILER}: ${mergeCommit}\n`,
    });
    const revert = made.stdout.trim();
    rememberCommit(ctx, revert);
    rememberTree(ctx, revert, tree);
    ctx.noteRefWrite?.(ref, revert);
    await ctx.git(['update-ref', '-m', `gaffer: revert ${merge.slice(0, 12)}`, ref, revert, head]);
    return { ok: true, how: 'revert', head: revert };
  });
}

/**
 * A commit on top of `onto` that makes the changes `merge` made to its first parent (a
 * cherry-pick of the merge, computed by merge-tree without any working tree), or the paths that
 * conflict. How a task whose merge was taken out gets its work back, on the current integration
 * head, for the rework that fixes it. Writes only objects, moves no ref.
 */
export async function reapplyMerge(
  ctx: GitContext,
  merge: string,
  onto: string,
  message: string,
): Promise<{ ok: true; commit: string } | { ok: false; conflicts: string[] }> {
  const mergeCommit = await requireCommit(ctx, merge, 'commit');
  const base = await requireCommit(ctx, `${mergeCommit}^1`, 'commit');
  const head = await requireCommit(ctx, onto, 'commit');
  // Onto the commit it merged onto (the merge was reset away): its tree is the answer.
  const applied =
    head === base
      ? { ok: true as const, tree: await treeOf(ctx, mergeCommit) }
      : await applyChanges(ctx, head, base, mergeCommit, { reverse: false });
  if (!applied.ok) return applied;
  const tree = applied.tree;
  const identity = await identityArgs(ctx, ctx.root);
  const made = await ctx.git([...identity, 'commit-tree', '--no-gpg-sign', '-p', head, '-F', '-', tree], {
    input: message,
  });
  return { ok: true, commit: made.stdout.trim() };
}

/**
 * The tree of `onto` with the changes from `from` to `to` applied (backwards with `reverse`),
 * three-way where the patch does not apply as it is, in a temporary index of its own: no working
 * tree, no ref, the real index untouched. Works with git 2.39, whose merge-tree has no
 * `--merge-base`. On conflict, the paths.
 */
async function applyChanges(
  ctx: GitContext,
  onto: string,
  from: string,
  to: string,
  { reverse }: { reverse: boolean },
): Promise<{ ok: true; tree: string } | { ok: false; conflicts: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'gaffer-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index') };
  // The patch goes from git to git through a file: file contents are bytes, not text to decode.
  const patch = join(dir, 'changes.patch');
  try {
    const diff = ['diff', '--binary', '--full-index', '--no-color', '--no-ext-diff', `--output=${patch}`];
    await ctx.git([...diff, from, to]);
    await ctx.git(['read-tree', onto], { env });
    const args = ['apply', '--cached', '--3way', '--whitespace=nowarn', ...(reverse ? ['-R'] : []), patch];
    const applied = await ctx.git(args, { env, allowFail: true });
    if (applied.code !== 0) {
      // What the three-way apply left unmerged; else (it refused outright) every path it touches.
      const unmerged = await ctx.git(['ls-files', '--unmerged', '-z'], { env });
      const paths = splitNul(unmerged.stdout).map((entry) => entry.slice(entry.indexOf('\t') + 1));
      const touched =
        paths.length > 0 ? paths : splitNul((await ctx.git(['diff', '--name-only', '-z', from, to])).stdout);
      return { ok: false, conflicts: [...new Set(touched)].sort() };
    }
    const tree = await ctx.git(['write-tree'], { env });
    return { ok: true, tree: tree.stdout.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether a first-parent commit after `merge` up to `head` is a revert of it made by {@link takeOutMerge}. */
async function revertedSince(ctx: GitContext, merge: string, head: string): Promise<boolean> {
  const log = await ctx.git(['log', '--first-parent', '-z', '--format=%B', `${merge}..${head}`]);
  const line = `${REVERTS_TRAILER}: ${merge}`;
  return splitNul(log.stdout).some((body) => body.split('\n').some((l) => l.trim() === line));
}

/**
 * The newest first-parent commit of `branch` after `since` whose message has the line `line`
 * (how the merge of one task's attempt is found again after a crash), or undefined.
 */
export async function findMergeByLine(
  ctx: GitContext,
  branch: string,
  since: string,
  line: string,
): Promise<string | undefined> {
  assertValidBranchName(branch);
  const log = await ctx.git([
    'log',
    '--first-parent',
    '-z',
    '--format=%H%n%B',
    `${since}..refs/heads/${branch}`,
  ]);
  for (const entry of splitNul(log.stdout)) {
    const [commit, ...body] = entry.split('\n');
    if (body.some((l) => l.trim() === line)) return commit;
  }
  return undefined;
}

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GafferError } from '../domain/index.js';
import { GitError } from './git-error.js';
import type { GitContext } from './git-context.js';
import { symbolicHeadOf, worktreeEntryDir } from './paths.js';
import { assertValidBranchName } from './ref-format.js';
import { memoOf } from './repo-memo.js';
import { isPlainRefName, OBJECT_ID, parseLooseRef, parsePackedRefs, usesReftable } from './ref-files.js';

/** The branch checked out in the main working tree, or undefined when HEAD is detached. */
export async function currentBranch(ctx: GitContext): Promise<string | undefined> {
  const result = await ctx.git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true });
  if (result.code === 0) return result.stdout.trim() || undefined;
  if (result.code === 1) return undefined;
  throw new GitError(['symbolic-ref', '--quiet', '--short', 'HEAD'], result.code, result.stderr);
}

/** The full commit id `ref` names, or undefined when it names no commit. */
export async function resolveCommit(ctx: GitContext, ref: string): Promise<string | undefined> {
  const known = memoOf(ctx).commits;
  if (known.has(ref)) return ref;
  const stored = await storedBranchValue(ctx, ref);
  // A branch that is neither a loose nor a packed ref does not exist: no need to ask git.
  if (stored === null) return undefined;
  if (stored !== undefined && known.has(stored)) return stored;
  // --end-of-options: a ref starting with "-" is a name, never an option.
  const result = await ctx.git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
    allowFail: true,
  });
  if (result.code !== 0) return undefined;
  const commit = result.stdout.trim();
  // A full commit id names the same commit for good (objects never change): asked again, it is known.
  rememberCommit(ctx, commit);
  return commit;
}

/** Notes that `commit` (a full id) is a commit of this repository, as git just said or made it. */
export function rememberCommit(ctx: GitContext, commit: string): void {
  if (OBJECT_ID.test(commit)) memoOf(ctx).commits.add(commit);
}

/** A branch name safe to read as a file under the common dir: no `..`, no odd characters. */
const isLooseBranch = (ref: string): boolean => ref.startsWith('refs/heads/') && isPlainRefName(ref);

/**
 * What the files backend stores for `refs/heads/<name>`, read as git reads it: the loose ref file
 * (git writes one whole, by lock and rename, and it wins over a packed one), else its line in
 * `packed-refs` (rewritten whole the same way, before the loose files it absorbed are deleted).
 * The object id; null when the branch is in neither, so it does not exist; undefined when only
 * git can tell (no common dir known, an odd name, a symbolic ref, a reftable repository).
 * Most of a task's ref lookups are of its own branches: new ones, or loose ones.
 */
async function storedBranchValue(ctx: GitContext, ref: string): Promise<string | null | undefined> {
  if (ctx.commonDir === undefined || !isLooseBranch(ref)) return undefined;
  let loose: string;
  try {
    loose = await readFile(join(ctx.commonDir, ref), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    return packedValue(ctx.commonDir, ref);
  }
  const parsed = parseLooseRef(loose);
  return parsed !== undefined && 'id' in parsed ? parsed.id : undefined;
}

async function packedValue(commonDir: string, ref: string): Promise<string | null | undefined> {
  if (await usesReftable(commonDir)) return undefined;
  let packed: string;
  try {
    packed = await readFile(join(commonDir, 'packed-refs'), 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  const refs = parsePackedRefs(packed);
  return refs === undefined ? undefined : (refs.get(ref) ?? null);
}

/**
 * The commit checked out in a linked worktree, read from git's files (its entry's HEAD naming
 * a branch, and that branch's stored value), or asked of git when the files do not say.
 */
export async function worktreeHead(ctx: GitContext, worktree: string): Promise<string> {
  const entry = await worktreeEntryDir(worktree);
  // Only an entry of this repository's list: the `.git` file lies in the worktree, open to its agent.
  const ours =
    entry !== undefined && ctx.commonDir !== undefined && dirname(entry) === join(ctx.commonDir, 'worktrees');
  const branch = ours ? await symbolicHeadOf(join(entry, 'HEAD')) : undefined;
  const stored = branch === undefined ? undefined : await storedBranchValue(ctx, branch);
  if (typeof stored === 'string') return stored;
  return (await ctx.git(['rev-parse', '--verify', 'HEAD'], { cwd: worktree })).stdout.trim();
}

/** Like {@link resolveCommit} but throws GAFFER_GIT naming `what` when the ref does not exist. */
export async function requireCommit(ctx: GitContext, ref: string, what: string): Promise<string> {
  const commit = await resolveCommit(ctx, ref);
  if (commit === undefined) {
    throw new GafferError('GAFFER_GIT', `${what} ${JSON.stringify(ref)} is not a commit in ${ctx.root}`, {
      hint: 'check the branch or commit name with `git log --oneline -1 <name>`',
      details: { ref },
    });
  }
  return commit;
}

/** Whether `refs/heads/<name>` exists. */
export async function branchExists(ctx: GitContext, name: string): Promise<boolean> {
  if (name === '' || name.startsWith('-')) return false;
  const stored = await storedBranchValue(ctx, `refs/heads/${name}`);
  if (stored !== undefined) return stored !== null;
  const result = await ctx.git(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], {
    allowFail: true,
  });
  return result.code === 0;
}

/** The commit of a branch, preferring the branch over a tag of the same name; any commit-ish works too. */
export async function branchCommit(ctx: GitContext, name: string): Promise<string> {
  const branch = name.startsWith('-') ? undefined : await resolveCommit(ctx, `refs/heads/${name}`);
  return branch ?? requireCommit(ctx, name, 'branch');
}

/** Creates `name` at `commit` unless it exists (then it is left where it is); returns the branch's commit. */
export async function ensureBranch(ctx: GitContext, name: string, commit: string): Promise<string> {
  assertValidBranchName(name);
  return ctx.withLock(async () => {
    const existing = await resolveCommit(ctx, `refs/heads/${name}`);
    if (existing !== undefined) return existing;
    const target = await requireCommit(ctx, commit, 'commit');
    ctx.noteRefWrite?.(`refs/heads/${name}`, target);
    // An all-zero old value makes the update fail if the branch appeared meanwhile (another process).
    await ctx.git([
      'update-ref',
      '-m',
      'gaffer: create branch',
      `refs/heads/${name}`,
      target,
      '0'.repeat(target.length),
    ]);
    return target;
  });
}

/** Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor). */
export async function isAncestor(ctx: GitContext, ancestor: string, descendant: string): Promise<boolean> {
  const a = await requireCommit(ctx, ancestor, 'commit');
  const d = await requireCommit(ctx, descendant, 'commit');
  return isAncestorCommit(ctx, a, d);
}

/** {@link isAncestor} for two full commit ids, without resolving them again. */
export async function isAncestorCommit(
  ctx: GitContext,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  const args = ['merge-base', '--is-ancestor', ancestor, descendant];
  const result = await ctx.git(args, { allowFail: true });
  if (result.code === 0) return true;
  if (result.code === 1) return false;
  throw new GitError(args, result.code, result.stderr);
}

/** The tree id of a commit. */
export async function treeOf(ctx: GitContext, ref: string): Promise<string> {
  const commit = await requireCommit(ctx, ref, 'commit');
  const known = memoOf(ctx).trees.get(commit);
  if (known !== undefined) return known;
  const tree = (await ctx.git(['rev-parse', '--verify', `${commit}^{tree}`])).stdout.trim();
  // A commit's tree never changes: asked again (each merge asks of the integration head), it is known.
  rememberTree(ctx, commit, tree);
  return tree;
}

/**
 * Notes that `commit` (a full id) has `tree`, as this process just made it (commit-tree of a tree
 * merge-tree printed): the next merge asks for the tree of the head the last one left.
 */
export function rememberTree(ctx: GitContext, commit: string, tree: string): void {
  if (!OBJECT_ID.test(commit) || !OBJECT_ID.test(tree)) return;
  memoOf(ctx).trees.set(commit, tree);
}

/** The content of `path` at `commit`, or undefined when the commit has no such file. */
export async function readFileAt(ctx: GitContext, commit: string, path: string): Promise<string | undefined> {
  const result = await ctx.git(['cat-file', 'blob', '--end-of-options', `${commit}:${path}`], {
    allowFail: true,
  });
  return result.code === 0 ? result.stdout : undefined;
}

/** The best common ancestor of two commits, or undefined when the histories are unrelated. */
export async function mergeBase(ctx: GitContext, a: string, b: string): Promise<string | undefined> {
  const result = await ctx.git(['merge-base', '--end-of-options', a, b], { allowFail: true });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Deletes a local branch; no error when it does not exist. */
export async function deleteBranch(ctx: GitContext, name: string): Promise<void> {
  assertValidBranchName(name);
  await ctx.git(['branch', '-D', '--end-of-options', name], { allowFail: true });
}

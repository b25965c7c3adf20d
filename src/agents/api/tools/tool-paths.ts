import { lstat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { ALWAYS_PROTECTED, expandHome } from '../../../domain/index.js';
import { checkRead, checkWrite } from '../../policy/tool-policy.js';

/**
 * Globs no tool may write whatever the plan says: the always-protected folders and the entries
 * themselves (in a worktree `.git` is a file, which `.git/**` does not match).
 */
export const WRITE_PROTECTED: readonly string[] = [...ALWAYS_PROTECTED, '.git', '.gaffer'];

/** A use of a tool the permission policy refused; the tool layer reports it as a `denied` event. */
export class PolicyRefusal extends Error {
  override readonly name = 'PolicyRefusal';
}

const expandTilde = (value: string) => expandHome(value, homedir()) ?? value;

const isInside = (root: string, target: string) => {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/** The real path of `target`, or of its nearest existing ancestor joined with the rest. */
async function realTarget(target: string): Promise<string> {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    try {
      await lstat(current);
      return path.join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/** Where a tool works: the worktree as given and as the file system resolves it. */
export interface ToolRoot {
  cwd: string;
  realCwd: string;
  protectedPaths: readonly string[];
}

/**
 * The absolute path a read tool may open, or a {@link PolicyRefusal}: reads stay inside the
 * worktree (symbolic links included) and never touch secrets.
 */
export async function resolveForRead(root: ToolRoot, requested: string): Promise<string> {
  const absolute = path.resolve(root.cwd, expandTilde(requested));
  const first = checkRead(root.cwd, absolute);
  if (!first.allowed) throw new PolicyRefusal(first.reason);
  if (!isInside(root.cwd, absolute)) throw new PolicyRefusal(`${absolute} is outside the task's worktree`);
  const real = await realTarget(absolute);
  if (!isInside(root.realCwd, real))
    throw new PolicyRefusal(`${requested} leads outside the task's worktree (${real})`);
  const second = checkRead(root.realCwd, real);
  if (!second.allowed) throw new PolicyRefusal(second.reason);
  return absolute;
}

/**
 * The absolute path a write tool may change, or a {@link PolicyRefusal}: inside the worktree,
 * not protected, not a secret, and not reached through a link that points elsewhere.
 */
export async function resolveForWrite(root: ToolRoot, requested: string): Promise<string> {
  const globs = [...WRITE_PROTECTED, ...root.protectedPaths];
  const absolute = path.resolve(root.cwd, expandTilde(requested));
  const first = checkWrite(root.cwd, absolute, globs);
  if (!first.allowed) throw new PolicyRefusal(first.reason);
  const real = await realTarget(absolute);
  const second = checkWrite(root.realCwd, real, globs);
  if (!second.allowed) throw new PolicyRefusal(`${requested} resolves to ${real}: ${second.reason}`);
  return absolute;
}

/** `absolute` relative to the worktree, with `/` separators, for messages the model reads. */
export const displayPath = (root: ToolRoot, absolute: string) =>
  path.relative(root.cwd, absolute).split(path.sep).join('/') || '.';

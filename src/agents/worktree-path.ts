import path from 'node:path';
import { stat } from 'node:fs/promises';

/**
 * True when `relative` names something strictly inside a directory: not absolute, no `..`
 * climbing out, not the directory itself. Checked lexically, before anything touches the disk.
 */
export function isInsideRelative(relative: string): boolean {
  if (relative === '' || path.isAbsolute(relative) || path.win32.isAbsolute(relative)) return false;
  const normalised = path.posix.normalize(relative.replaceAll('\\', '/'));
  return normalised !== '.' && normalised !== './' && normalised !== '..' && !normalised.startsWith('../');
}

/** Resolves `relative` against `root`, or returns undefined when it would leave `root`. */
export function resolveInside(root: string, relative: string): string | undefined {
  if (!isInsideRelative(relative)) return undefined;
  const resolved = path.resolve(root, relative);
  const back = path.relative(root, resolved);
  const climbs = back === '..' || back.startsWith(`..${path.sep}`);
  return back === '' || climbs || path.isAbsolute(back) ? undefined : resolved;
}

/** A reason `dir` cannot serve as a session's cwd, or undefined when it is an existing directory. */
export async function unusableCwd(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : `cwd ${dir} is not a directory`;
  } catch {
    return `cwd ${dir} does not exist`;
  }
}

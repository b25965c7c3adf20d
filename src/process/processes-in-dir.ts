import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Pids of live processes whose working directory is `dir` or below it, read from /proc.
 * Returns undefined where /proc is not available (macOS), so callers can skip the check.
 */
export async function processesInDir(dir: string): Promise<number[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const root = path.resolve(dir);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = await readlink(`/proc/${entry}/cwd`);
      if (cwd === root || cwd.startsWith(root + path.sep)) found.push(Number(entry));
    } catch {
      // gone, a zombie, or not ours to inspect
    }
  }
  return found;
}

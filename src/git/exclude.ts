import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const PATTERN = '/.gaffer/';

/**
 * Adds `/.gaffer/` to `info/exclude` in the git common dir (shared by every worktree) unless a
 * line already ignores it. Unlike .gitignore this changes no tracked file of the user's.
 */
export async function addGafferExclude(commonDir: string): Promise<void> {
  const file = join(commonDir, 'info', 'exclude');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // no exclude file yet
  }
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => ['/.gaffer/', '/.gaffer', '.gaffer/', '.gaffer'].includes(line))) return;
  await mkdir(dirname(file), { recursive: true });
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFile(file, `${text}${separator}# Gaffer state (runs, worktrees, database)\n${PATTERN}\n`);
}

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Repo } from '../../git/index.js';
import { exportedSymbols, renderRepoMap } from '../../spec/index.js';

/** The map's size in the prompt; a large repository is cut, with a note of how much. */
export const REPO_MAP_CHARS = 12_000;
const MAX_FILES_READ = 300;
const MAX_FILE_BYTES = 200_000;
const SOURCE = /\.(?:[cm]?[jt]sx?|py|go)$/;

/**
 * The compact map of a repository the design and tasks phases are grounded in: its tracked files
 * (git's own list, so nothing ignored or untracked leaks in) with the names their sources export.
 * Bounded in files read, bytes per file, and characters in the prompt.
 */
export async function repositoryMap(repo: Repo, maxChars = REPO_MAP_CHARS): Promise<string> {
  const listed = await repo.git(['ls-files', '-z'], { allowFail: true });
  const files =
    listed.code === 0 ? listed.stdout.split('\0').filter((f) => f !== '' && !f.startsWith('.gaffer/')) : [];
  const symbols = new Map<string, string[]>();
  for (const file of files
    .filter((f) => SOURCE.test(f) && !/\.test\.|\.d\.ts$/.test(f))
    .slice(0, MAX_FILES_READ)) {
    const path = join(repo.root, file);
    try {
      if ((await stat(path)).size > MAX_FILE_BYTES) continue;
      const names = exportedSymbols(file, await readFile(path, 'utf8'));
      if (names.length > 0) symbols.set(file, names);
    } catch {
      // deleted in the working tree since it was committed: listed without symbols
    }
  }
  return renderRepoMap({ files, symbols, maxChars });
}

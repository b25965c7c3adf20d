import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BaselineCheck } from '../../verify/index.js';
import { gafferDir } from '../run-context.js';
import type { BaselineCheckResult } from './baseline-types.js';

/*
 * The baseline is cached in a JSON file, not in the store: it describes a commit of the
 * repository, not a run, so every run on that commit shares it whichever database it uses
 * (SQLite file, PostgreSQL, a fresh `--db`), and deleting `.gaffer/baseline/` is all it takes to
 * forget it. The name holds the commit and a sha256 of the check set (names, argv and time
 * limits), so changing a command, `only`/`skip` or `timeout_s` misses the cache.
 */

const VERSION = 1;

interface CacheFile {
  version: number;
  commit: string;
  checks: BaselineCheckResult[];
}

/** `.gaffer/baseline/<commit>-<sha256 of the check set>.json`. */
export function baselineCachePath(
  repoRoot: string,
  commit: string,
  checks: readonly BaselineCheck[],
): string {
  const set = checks
    .map((c) => ({ name: c.verifier.name, argv: c.verifier.argv, timeoutMs: c.timeoutMs }))
    .sort((a, b) => (a.name === b.name ? 0 : a.name < b.name ? -1 : 1));
  const hash = createHash('sha256').update(JSON.stringify(set)).digest('hex');
  return join(gafferDir(repoRoot), 'baseline', `${commit}-${hash}.json`);
}

/** The cached results, or undefined when there are none (or the file is unreadable: then it runs again). */
export async function readCachedBaseline(
  path: string,
  commit: string,
): Promise<BaselineCheckResult[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const file = JSON.parse(text) as Partial<CacheFile>;
    return file.version === VERSION && file.commit === commit && Array.isArray(file.checks)
      ? file.checks
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (temp file, then rename), so a crash never leaves half a file. */
export async function writeCachedBaseline(
  path: string,
  commit: string,
  checks: readonly BaselineCheckResult[],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const file: CacheFile = { version: VERSION, commit, checks: [...checks] };
  await writeFile(temp, JSON.stringify(file, null, 2) + '\n', 'utf8');
  await rename(temp, path);
}

import { isAbsolute, join, normalize, sep } from 'node:path';
import picomatch from 'picomatch';
import type { VerifierResult } from '../domain/index.js';
import { listDir, pathExists } from './repo-files.js';

/**
 * Checks that every deliverable (a path or a glob relative to `cwd`) names at least one existing
 * file. Passes when there are none. The output lists the missing entries.
 */
export async function checkDeliverables(
  cwd: string,
  deliverables: readonly string[],
): Promise<VerifierResult> {
  const started = Date.now();
  const missing: string[] = [];
  for (const entry of deliverables) {
    if (!(await deliverablePresent(cwd, entry))) missing.push(entry);
  }
  const output =
    missing.length > 0
      ? [
          `missing deliverables (${missing.length} of ${deliverables.length}):`,
          ...missing.map((m) => `  ${m}`),
        ].join('\n')
      : deliverables.length > 0
        ? `all ${deliverables.length} deliverables present`
        : '';
  return {
    name: 'deliverables',
    command: `deliverables: ${deliverables.join(', ')}`,
    passed: missing.length === 0,
    exitCode: null,
    durationMs: Date.now() - started,
    timedOut: false,
    output,
  };
}

async function deliverablePresent(cwd: string, entry: string): Promise<boolean> {
  const pattern = entry.replace(/^\.\//, '');
  // The plan validator rejects these; here they simply cannot be satisfied by the worktree.
  if (pattern === '' || isAbsolute(pattern) || normalize(pattern).split(sep).includes('..')) return false;
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return pathExists(cwd, pattern);
  const isMatch = picomatch(pattern, { dot: true });
  // Dependency folders are huge and never a deliverable unless the glob says so.
  const skip = new Set(['.git', ...(pattern.includes('node_modules') ? [] : ['node_modules'])]);
  return findMatch(cwd, scan.base, isMatch, skip);
}

/** Depth-first walk from `relDir` that stops at the first path the glob matches. */
async function findMatch(
  cwd: string,
  relDir: string,
  isMatch: (path: string) => boolean,
  skip: ReadonlySet<string>,
): Promise<boolean> {
  for (const entry of await listDir(join(cwd, relDir))) {
    const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
    if (entry.isFile() && isMatch(rel)) return true;
    if (entry.isDirectory() && !skip.has(entry.name) && (await findMatch(cwd, rel, isMatch, skip)))
      return true;
  }
  return false;
}

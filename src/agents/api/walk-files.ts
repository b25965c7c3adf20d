import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Directories no listing or search descends into: VCS data and installed dependencies. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules', '.gaffer']);

/**
 * Files under `dir`, relative to `root` with `/` separators, sorted, at most `limit` of them.
 * Skips {@link SKIPPED_DIRECTORIES} and does not follow symbolic links (they could leave the root).
 */
export async function walkFiles(
  root: string,
  dir: string,
  limit: number,
): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.shift() as string;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push(full);
      } else if (entry.isFile()) {
        if (files.length >= limit) return { files: files.sort(), truncated: true };
        files.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  }
  return { files: files.sort(), truncated: false };
}

/** True when the start of a file looks binary (a NUL byte), so text tools skip it. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

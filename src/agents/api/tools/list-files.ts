import { readdir, stat } from 'node:fs/promises';
import { tool } from 'ai';
import { z } from 'zod';
import { SKIPPED_DIRECTORIES, walkFiles } from '../walk-files.js';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { displayPath, resolveForRead } from './tool-paths.js';

const MAX_ENTRIES = 500;

/** `list_files(path?, recursive?)`: a directory's entries, or every file below it. */
export function listFilesTool(ctx: ToolContext) {
  return tool({
    description: `List a directory of the worktree (default: its root). recursive: list every file below it (at most ${MAX_ENTRIES}). .git and node_modules are skipped.`,
    inputSchema: z.object({ path: z.string().nullish(), recursive: z.boolean().nullish() }),
    execute: (input, options) =>
      guarded(ctx, 'list_files', input, options, async () => {
        const absolute = await resolveForRead(ctx, input.path || '.');
        const shown = displayPath(ctx, absolute);
        const info = await stat(absolute).catch(() => undefined);
        if (!info) throw new Error(`${shown} does not exist`);
        if (!info.isDirectory()) throw new Error(`${shown} is a file: use read_file`);
        if (input.recursive) {
          const { files, truncated } = await walkFiles(absolute, absolute, MAX_ENTRIES);
          const more = truncated ? `\n… more than ${MAX_ENTRIES} files: list a subdirectory` : '';
          return files.length ? files.join('\n') + more : `${shown} has no files`;
        }
        const entries = (await readdir(absolute, { withFileTypes: true }))
          .filter((entry) => !(entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)))
          .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
          .sort();
        const more = entries.length > MAX_ENTRIES ? `\n… ${entries.length - MAX_ENTRIES} more entries` : '';
        return entries.length ? entries.slice(0, MAX_ENTRIES).join('\n') + more : `${shown} is empty`;
      }),
  });
}

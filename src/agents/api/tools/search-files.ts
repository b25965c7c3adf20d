import { stat } from 'node:fs/promises';
import { tool } from 'ai';
import { z } from 'zod';
import { checkRead } from '../../policy/tool-policy.js';
import { walkFiles } from '../walk-files.js';
import { searchInWorker } from './search-worker.js';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { displayPath, resolveForRead } from './tool-paths.js';

const MAX_MATCHES = 100;
const MAX_FILES = 20_000;
const TIMEOUT_MS = 20_000;

/** `search(pattern, path?)`: a regular expression over the text files below a path. */
export function searchTool(ctx: ToolContext) {
  return tool({
    description: `Search text files for a JavaScript regular expression (case-sensitive). path: a file or directory (default: the worktree). Returns at most ${MAX_MATCHES} matches as path:line: text.`,
    inputSchema: z.object({ pattern: z.string().min(1), path: z.string().nullish() }),
    execute: (input, options) =>
      guarded(ctx, 'search', input, options, async () => {
        try {
          new RegExp(input.pattern);
        } catch (error) {
          throw new Error(`invalid regular expression: ${(error as Error).message}`);
        }
        const absolute = await resolveForRead(ctx, input.path || '.');
        const info = await stat(absolute).catch(() => undefined);
        if (!info) throw new Error(`${input.path ?? '.'} does not exist`);
        const candidates = info.isDirectory()
          ? (await walkFiles(ctx.cwd, absolute, MAX_FILES)).files
          : [displayPath(ctx, absolute)];
        const { matches, capped } = await searchInWorker(
          {
            root: ctx.cwd,
            files: candidates.filter((file) => checkRead(ctx.cwd, file).allowed),
            pattern: input.pattern,
            maxMatches: MAX_MATCHES,
            maxLine: 400,
            maxFileBytes: 1024 * 1024,
          },
          TIMEOUT_MS,
          options.abortSignal,
        );
        if (matches.length === 0) return `no match for /${input.pattern}/`;
        const more = capped ? `\n… stopped at ${MAX_MATCHES} matches: narrow the pattern or the path` : '';
        return matches.join('\n') + more;
      }),
  });
}

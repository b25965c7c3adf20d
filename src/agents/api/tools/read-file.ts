import { readFile, stat } from 'node:fs/promises';
import { tool } from 'ai';
import { z } from 'zod';
import { looksBinary } from '../walk-files.js';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { displayPath, resolveForRead } from './tool-paths.js';

const DEFAULT_LINES = 2000;
/** A single read never returns more than this; the model pages with offset/limit. */
const MAX_CHARS = 100_000;
/** Larger files are not loaded at all: run_command with head, sed or grep suits them better. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** `read_file(path, offset?, limit?)`: lines of a text file inside the worktree. */
export function readFileTool(ctx: ToolContext) {
  return tool({
    description: `Read a text file. offset: first line to return (1-based, default 1); limit: how many lines (default ${DEFAULT_LINES}).`,
    inputSchema: z.object({
      path: z.string().min(1),
      offset: z.number().int().min(1).nullish(),
      limit: z.number().int().min(1).nullish(),
    }),
    execute: (input, options) =>
      guarded(ctx, 'read_file', input, options, async () => {
        const absolute = await resolveForRead(ctx, input.path);
        let bytes: Buffer;
        try {
          const size = (await stat(absolute)).size;
          if (size > MAX_FILE_BYTES)
            throw new Error(
              `${input.path} has ${size} bytes, too many to read: use run_command with head, sed or grep`,
            );
          bytes = await readFile(absolute);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') throw new Error(`${input.path} does not exist`);
          if (code === 'EISDIR') throw new Error(`${input.path} is a directory: use list_files`);
          throw error;
        }
        if (looksBinary(bytes)) throw new Error(`${input.path} is a binary file (${bytes.length} bytes)`);
        const lines = bytes.toString('utf8').split('\n');
        if (lines.at(-1) === '') lines.pop();
        if (lines.length === 0) return `(${input.path} is empty)`;
        const start = (input.offset ?? 1) - 1;
        if (start >= lines.length)
          throw new Error(`${input.path} has ${lines.length} lines; offset ${input.offset} is past its end`);
        const shown: string[] = [];
        let chars = 0;
        for (
          let index = start;
          index < lines.length && shown.length < (input.limit ?? DEFAULT_LINES);
          index += 1
        ) {
          const line = lines[index] ?? '';
          if (shown.length > 0 && chars + line.length > MAX_CHARS) break;
          shown.push(line.slice(0, MAX_CHARS));
          chars += line.length + 1;
        }
        const end = start + shown.length;
        const text = shown.join('\n');
        const whole = start === 0 && end === lines.length;
        if (whole) return text;
        const next = end < lines.length ? `; call again with offset ${end + 1} for more` : '';
        return `[${displayPath(ctx, absolute)}: lines ${start + 1}-${end} of ${lines.length}${next}]\n${text}`;
      }),
  });
}

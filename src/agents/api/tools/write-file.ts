import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tool } from 'ai';
import { z } from 'zod';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { displayPath, resolveForWrite } from './tool-paths.js';

/** `write_file(path, content)`: creates or replaces a whole file, with its parent directories. */
export function writeFileTool(ctx: ToolContext) {
  return tool({
    description: 'Create or overwrite a file with the given content. Parent directories are created.',
    inputSchema: z.object({ path: z.string().min(1), content: z.string() }),
    execute: (input, options) =>
      guarded(ctx, 'write_file', input, options, async () => {
        const absolute = await resolveForWrite(ctx, input.path);
        await mkdir(path.dirname(absolute), { recursive: true });
        await writeFile(absolute, input.content);
        return `wrote ${Buffer.byteLength(input.content)} bytes to ${displayPath(ctx, absolute)}`;
      }),
  });
}

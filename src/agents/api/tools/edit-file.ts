import { readFile, writeFile } from 'node:fs/promises';
import { tool } from 'ai';
import { z } from 'zod';
import { guarded } from './tool-context.js';
import type { ToolContext } from './tool-context.js';
import { displayPath, resolveForWrite } from './tool-paths.js';

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

/** `edit_file(path, old_string, new_string)`: replaces one exact, unique occurrence. */
export function editFileTool(ctx: ToolContext) {
  return tool({
    description:
      'Replace the one exact occurrence of old_string in a file with new_string. Fails when old_string is missing or occurs more than once.',
    inputSchema: z.object({ path: z.string().min(1), old_string: z.string().min(1), new_string: z.string() }),
    execute: (input, options) =>
      guarded(ctx, 'edit_file', input, options, async () => {
        const absolute = await resolveForWrite(ctx, input.path);
        let text: string;
        try {
          text = await readFile(absolute, 'utf8');
        } catch {
          throw new Error(`${input.path} does not exist: create it with write_file`);
        }
        const count = occurrences(text, input.old_string);
        if (count === 0)
          throw new Error(
            `old_string was not found in ${input.path}: read the file and copy the text exactly`,
          );
        if (count > 1)
          throw new Error(
            `old_string occurs ${count} times in ${input.path}: include more surrounding lines so it is unique`,
          );
        const at = text.indexOf(input.old_string);
        // Spliced by index, not String.replace, so `$&` and friends in new_string stay literal.
        const updated = text.slice(0, at) + input.new_string + text.slice(at + input.old_string.length);
        await writeFile(absolute, updated);
        const line = text.slice(0, at).split('\n').length;
        return `edited ${displayPath(ctx, absolute)} at line ${line}`;
      }),
  });
}

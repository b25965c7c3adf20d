import { askQuestionTool } from './ask-question.js';
import { editFileTool } from './edit-file.js';
import { listFilesTool } from './list-files.js';
import { readFileTool } from './read-file.js';
import { runCommandTool } from './run-command.js';
import { searchTool } from './search-files.js';
import type { ToolContext } from './tool-context.js';
import { writeFileTool } from './write-file.js';

export type { ToolContext } from './tool-context.js';
export { WRITE_PROTECTED, PolicyRefusal } from './tool-paths.js';

/** The api agent's tool set, every tool confined to the session's worktree and policy. */
export function createTools(ctx: ToolContext) {
  return {
    read_file: readFileTool(ctx),
    write_file: writeFileTool(ctx),
    edit_file: editFileTool(ctx),
    list_files: listFilesTool(ctx),
    search: searchTool(ctx),
    run_command: runCommandTool(ctx),
    ask_question: askQuestionTool(ctx),
  };
}

/** The tools' names, as the model sees them. */
export type ApiToolName = keyof ReturnType<typeof createTools>;

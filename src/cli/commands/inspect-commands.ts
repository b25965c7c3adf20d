import type { Command } from 'commander';
import type { Output } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { registerChecksCommand } from './checks-command.js';
import { registerLogsCommand } from './logs-command.js';
import { registerQuestionCommands } from './question-commands.js';
import { registerRunsCommand } from './runs-command.js';
import { registerStatusCommand } from './status-command.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer status`, `runs`, `logs`, `checks` (reading what runs did and will do), `questions` and `answer`. */
export function registerInspectCommands(program: Command, output: Output, act: Act): void {
  registerStatusCommand(program, output, act);
  registerRunsCommand(program, output, act);
  registerQuestionCommands(program, output, act);
  registerLogsCommand(program, output, act);
  registerChecksCommand(program, output, act);
}

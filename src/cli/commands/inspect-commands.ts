import type { Command } from 'commander';
import type { Output } from '../output.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';
import { EXIT } from '../exit-codes.js';
import { registerChecksCommand } from './checks-command.js';
import { registerLogsCommand } from './logs-command.js';
import { registerRunsCommand } from './runs-command.js';
import { registerStatusCommand } from './status-command.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer status`, `runs`, `logs`, `checks` (reading what runs did and will do) and `answer`. */
export function registerInspectCommands(program: Command, output: Output, act: Act): void {
  registerStatusCommand(program, output, act);
  registerRunsCommand(program, output, act);

  program
    .command('answer')
    .description("answer an agent's question (ids are listed by gaffer status)")
    .argument('<question-id>', 'the question id')
    .argument('<answer...>', 'your answer')
    .action((questionId: string, answer: string[]) =>
      act(async (global) => {
        await engineFor(global).answerQuestion(questionId, answer.join(' '));
        output.out(`answered ${questionId}; the agent continues\n`);
        return EXIT.ok;
      }),
    );

  registerLogsCommand(program, output, act);
  registerChecksCommand(program, output, act);
}

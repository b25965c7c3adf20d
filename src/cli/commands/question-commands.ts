import type { Command } from 'commander';
import type { OpenQuestion } from '../../engine/index.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { paint } from '../output.js';
import { pickRun } from '../pick-run.js';
import type { GlobalOptions } from '../workspace.js';
import { engineFor } from '../workspace.js';

type Act = (fn: (global: GlobalOptions) => Promise<number>) => Promise<void>;

/** `gaffer questions`: what agents wait to be told; `gaffer answer`: telling them. */
export function registerQuestionCommands(program: Command, output: Output, act: Act): void {
  program
    .command('questions')
    .description(
      "list the agents' open questions of a run (default: the newest), with the foreman's proposals",
    )
    .argument('[run]', 'run id')
    .option('--json', 'print the open questions as a JSON array')
    .action((runId: string | undefined, opts: { json?: boolean }) =>
      act(async (global) => {
        const engine = engineFor(global, { readOnly: true });
        try {
          const run = await pickRun(engine, runId);
          const questions = await engine.openQuestions(run.id);
          if (opts.json) output.out(JSON.stringify(questions, null, 2) + '\n');
          else output.out(questionsText(output, run.id, questions));
          return EXIT.ok;
        } finally {
          await engine.close();
        }
      }),
    );

  program
    .command('answer')
    .description(
      "answer an agent's question (ids are listed by gaffer questions), or accept the foreman's proposal",
    )
    .argument('<question-id>', 'the question id')
    .argument('[answer...]', "your answer (it may edit or replace the foreman's proposal)")
    .option('--accept', "answer with the foreman's proposal as it is")
    .action((questionId: string, answer: string[], opts: { accept?: boolean }) =>
      act(async (global) => {
        const accept = opts.accept === true;
        const engine = engineFor(global);
        try {
          await engine.answerQuestion(questionId, answer.join(' '), { accept });
        } finally {
          await engine.close();
        }
        output.out(
          accept
            ? `answered ${questionId} with the foreman's proposal; the agent continues\n`
            : `answered ${questionId}; the agent continues\n`,
        );
        return EXIT.ok;
      }),
    );
}

function questionsText(output: Output, runId: string, questions: readonly OpenQuestion[]): string {
  if (questions.length === 0) return `no open questions in run ${runId}\n`;
  const lines = [
    paint(
      output,
      'yellow',
      `${questions.length} open question${questions.length > 1 ? 's' : ''} in run ${runId}:`,
    ),
  ];
  for (const q of questions) {
    lines.push(`  [${q.questionId}] ${q.taskId}: ${q.question}`);
    if (q.proposal !== null)
      lines.push(
        `      the foreman proposes${q.confidence === null ? '' : ` (confidence ${q.confidence.toFixed(2)})`}: ${q.proposal}`,
      );
    if (q.reason !== null) lines.push(paint(output, 'dim', `      why you are asked: ${q.reason}`));
  }
  const accept = questions.some((q) => q.proposal !== null)
    ? '   accept a proposal: gaffer answer <question-id> --accept'
    : '';
  lines.push(`  answer with: gaffer answer <question-id> "your answer"${accept}`);
  return lines.join('\n') + '\n';
}

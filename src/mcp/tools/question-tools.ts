import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { OpenQuestion } from '../../engine/index.js';
import { pickRun } from '../pick-run.js';
import type { ToolContext } from '../tool-context.js';
import { guarded, toolResult } from '../tool-result.js';

const questionSchema = z.object({
  questionId: z.string().describe('what answer_question takes'),
  taskId: z.string(),
  question: z.string(),
  askedAt: z.string(),
  proposal: z
    .string()
    .nullable()
    .describe("the foreman's proposed answer, if it has one (answer with accept: true to send it)"),
  confidence: z.number().nullable().describe('how sure the foreman is of its proposal, 0 to 1'),
  reason: z.string().nullable().describe('why a person is asked'),
});

const questionOf = (q: OpenQuestion): z.infer<typeof questionSchema> => ({
  questionId: q.questionId,
  taskId: q.taskId,
  question: q.question,
  askedAt: q.askedAt,
  proposal: q.proposal,
  confidence: q.confidence,
  reason: q.reason,
});

/** `list_questions`, `answer_question`: what agents wait to be told, and telling them. */
export function registerQuestionTools(server: McpServer, context: ToolContext): void {
  const { engine, logger } = context;

  server.registerTool(
    'list_questions',
    {
      title: 'List questions',
      description:
        "List the agents' questions of a run (default: the newest) that wait for a person's answer, with the " +
        "foreman's proposed answers. The asking agent waits until answer_question answers it. Changes nothing.",
      inputSchema: { run: z.string().min(1).optional().describe('the run id (default: the newest run)') },
      outputSchema: { runId: z.string(), questions: z.array(questionSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(logger, async ({ run }: { run?: string }) => {
      const runId = (await pickRun(engine, run)).id;
      const questions = await engine.openQuestions(runId);
      const summary =
        questions.length === 0
          ? `no open questions in run ${runId}`
          : [
              `${questions.length} open question(s) in run ${runId}:`,
              ...questions.map(
                (q) =>
                  `  ${q.questionId} (${q.taskId}): ${q.question}${q.proposal === null ? '' : `\n    the foreman proposes: ${q.proposal}`}`,
              ),
              'answer with answer_question {question, answer} (or accept: true for the proposal)',
            ].join('\n');
      return toolResult(summary, { runId, questions: questions.map(questionOf) });
    }),
  );

  server.registerTool(
    'answer_question',
    {
      title: 'Answer a question',
      description:
        "Answer an agent's open question (see list_questions) in your own words, or with accept: true send the " +
        "foreman's proposal as it is (then give no answer). The waiting agent continues with it.",
      inputSchema: {
        question: z.string().min(1).describe('the question id from list_questions'),
        answer: z.string().optional().describe('the answer (it may edit or replace the foreman’s proposal)'),
        accept: z.boolean().optional().describe("send the foreman's proposal as the answer"),
      },
      outputSchema: { questionId: z.string(), accepted: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    guarded(logger, async (args: { question: string; answer?: string; accept?: boolean }) => {
      const accepted = args.accept === true;
      await engine.answerQuestion(args.question, args.answer ?? '', { accept: accepted });
      return toolResult(
        accepted
          ? `answered ${args.question} with the foreman's proposal; the agent continues`
          : `answered ${args.question}; the agent continues`,
        { questionId: args.question, accepted },
      );
    }),
  );
}

import type { AttemptRef } from '../domain/index.js';
import { attemptRunning, attemptWaiting } from '../domain/index.js';
import type { RunContext } from './run-context.js';
import { tailEvents } from './queries/index.js';

/** What an agent is told when nobody answered its question in time. */
export const UNANSWERED =
  'Nobody answered in time. Make the most reasonable assumption, say which one in your final message, and continue.';

export interface QuestionScope {
  attempt: AttemptRef;
  signal: AbortSignal;
  /** How long to wait for a person before answering UNANSWERED. */
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Routes an agent's question: records it (the attempt waits for an answer), then waits for an
 * answer recorded by `gaffer answer <question-id>` — from any process — until the timeout or
 * the attempt stops; then tells the agent to assume and go on. Questions are events, so a
 * dashboard or the future foreman answer them the same way.
 */
export function createQuestionRouter(
  ctx: RunContext,
  scope: QuestionScope,
): (question: string) => Promise<string> {
  let count = 0;
  // One question at a time per attempt: the attempt has a single `waiting_answer` state.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = async (question: string): Promise<string> => {
    count += 1;
    const questionId = `${scope.attempt.id}.q${count}`;
    // An answer can only follow its question: the tail starts at the log's end before asking.
    const after = await ctx.store.lastEventId(ctx.run.id);
    await ctx.store.transaction((tx) => tx.apply(attemptWaiting(scope.attempt, questionId, question)));
    const answer = await waitForAnswer(ctx, scope, questionId, after);
    await ctx.store.transaction(async (tx) => {
      if (answer === undefined) {
        await tx.appendEvent({
          type: 'attempt.question-answered',
          runId: ctx.run.id,
          taskId: scope.attempt.taskId,
          attemptId: scope.attempt.id,
          data: {
            questionId,
            question,
            answer: UNANSWERED,
            by: scope.signal.aborted ? 'gaffer (attempt stopped)' : 'gaffer (timeout)',
          },
        });
      }
      if ((await tx.getAttempt(scope.attempt.id))?.status === 'waiting_answer') {
        await tx.apply(attemptRunning(scope.attempt));
      }
    });
    return answer ?? UNANSWERED;
  };
  return (question: string) => {
    const next = queue.then(() => ask(question));
    // The asker gets the rejection through `next`; the queue only orders the questions.
    queue = next.catch(() => undefined);
    return next;
  };
}

/** The answer recorded for `questionId`, or undefined once the timeout passed or the attempt stopped. */
async function waitForAnswer(
  ctx: RunContext,
  scope: QuestionScope,
  questionId: string,
  after: number,
): Promise<string | undefined> {
  const deadline = AbortSignal.timeout(scope.timeoutMs);
  const signal = AbortSignal.any([scope.signal, deadline]);
  for await (const event of tailEvents(ctx.store, ctx.run.id, {
    after,
    taskId: scope.attempt.taskId,
    types: ['attempt.question-answered'],
    follow: true,
    signal,
    pollMs: scope.pollMs ?? 250,
  })) {
    if (event.type === 'attempt.question-answered' && event.data.questionId === questionId)
      return event.data.answer;
  }
  return undefined;
}

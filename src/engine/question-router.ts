import type { RunContext } from './run-context.js';

/** What an agent is told when nobody answered its question in time. */
export const UNANSWERED =
  'Nobody answered in time. Make the most reasonable assumption, say which one in your final message, and continue.';

export interface QuestionScope {
  taskId: string;
  attemptId: string;
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
  const { store, run } = ctx;
  // One question at a time per attempt: the attempt has a single `waiting_answer` state.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = async (question: string): Promise<string> => {
    count += 1;
    const questionId = `${scope.attemptId}.q${count}`;
    await store.transaction((tx) =>
      tx.setAttemptStatus(
        scope.attemptId,
        'waiting_answer',
        {},
        {
          type: 'attempt.question-asked',
          runId: run.id,
          taskId: scope.taskId,
          attemptId: scope.attemptId,
          data: { questionId, question },
        },
      ),
    );
    const deadline = Date.now() + scope.timeoutMs;
    let afterId = 0;
    let answer: string | undefined;
    while (answer === undefined && Date.now() < deadline && !scope.signal.aborted) {
      const events = await store.readEvents({ runId: run.id, taskId: scope.taskId, afterId });
      for (const event of events) {
        afterId = event.id;
        if (event.type === 'attempt.question-answered' && event.data.questionId === questionId)
          answer = event.data.answer;
      }
      if (answer === undefined) await sleep(scope.pollMs ?? 250, scope.signal);
    }
    await store.transaction(async (tx) => {
      if (answer === undefined) {
        answer = UNANSWERED;
        await tx.appendEvent({
          type: 'attempt.question-answered',
          runId: run.id,
          taskId: scope.taskId,
          attemptId: scope.attemptId,
          data: {
            questionId,
            question,
            answer,
            by: scope.signal.aborted ? 'gaffer (attempt stopped)' : 'gaffer (timeout)',
          },
        });
      }
      const attempt = await tx.getAttempt(scope.attemptId);
      if (attempt?.status === 'waiting_answer') {
        await tx.setAttemptStatus(
          scope.attemptId,
          'running',
          {},
          {
            type: 'attempt.running',
            runId: run.id,
            taskId: scope.taskId,
            attemptId: scope.attemptId,
            data: {},
          },
        );
      }
    });
    return answer ?? UNANSWERED;
  };
  return (question: string) => {
    const next = queue.then(() => ask(question));
    queue = next.catch(() => undefined);
    return next;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

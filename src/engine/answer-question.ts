import { userError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { openQuestions } from './queries/index.js';

/** Records a person's answer to a question an attempt is still waiting on. */
export async function recordAnswer(store: Store, questionId: string, answer: string): Promise<void> {
  const runId = questionId.split('.')[0] ?? '';
  const open = (await openQuestions(store, runId)).find((q) => q.questionId === questionId);
  const waiting = open && (await store.getAttempt(open.attemptId))?.status === 'waiting_answer';
  if (!open || !waiting) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `no open question "${questionId}"`,
      'open questions and their ids are listed by `gaffer status`',
    );
  }
  await store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.question-answered',
      runId,
      taskId: open.taskId,
      attemptId: open.attemptId,
      data: { questionId, question: open.question, answer, by: 'person' },
    }),
  );
}

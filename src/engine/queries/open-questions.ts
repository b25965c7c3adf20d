import type { Store } from '../../store/index.js';

/** An agent's question that nobody has answered yet. */
export interface OpenQuestion {
  questionId: string;
  taskId: string;
  attemptId: string;
  question: string;
  askedAt: string;
}

/** Questions asked in a run and not answered yet: one indexed read by event type, not a scan of the log. */
export async function openQuestions(store: Store, runId: string): Promise<OpenQuestion[]> {
  const events = await store.readEvents({
    runId,
    types: ['attempt.question-asked', 'attempt.question-answered'],
  });
  const open = new Map<string, OpenQuestion>();
  for (const event of events) {
    if (event.type === 'attempt.question-asked') {
      open.set(event.data.questionId, {
        questionId: event.data.questionId,
        taskId: event.taskId ?? '',
        attemptId: event.attemptId ?? '',
        question: event.data.question,
        askedAt: event.at,
      });
    }
    if (event.type === 'attempt.question-answered') open.delete(event.data.questionId);
  }
  return [...open.values()];
}

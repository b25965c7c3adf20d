import type { Store } from '../../store/index.js';

/** An agent's question that nobody has answered yet. */
export interface OpenQuestion {
  questionId: string;
  taskId: string;
  attemptId: string;
  question: string;
  askedAt: string;
  /** The foreman's proposed answer, when it escalated with one; `gaffer answer <id> --accept` sends it. */
  proposal: string | null;
  /** How sure the foreman was of its proposal, in [0, 1]; null without one. */
  confidence: number | null;
  /** Why the foreman asks a person (not sure enough, no readable reply); null when it has not escalated. */
  reason: string | null;
}

/** Questions asked in a run and not answered yet: one indexed read by event type, not a scan of the log. */
export async function openQuestions(store: Store, runId: string): Promise<OpenQuestion[]> {
  const events = await store.readEvents({
    runId,
    types: ['attempt.question-asked', 'attempt.question-escalated', 'attempt.question-answered'],
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
        proposal: null,
        confidence: null,
        reason: null,
      });
    }
    if (event.type === 'attempt.question-escalated') {
      const question = open.get(event.data.questionId);
      if (question) {
        const { proposal, confidence, reason } = event.data;
        open.set(event.data.questionId, { ...question, proposal, confidence, reason });
      }
    }
    if (event.type === 'attempt.question-answered') open.delete(event.data.questionId);
  }
  return [...open.values()];
}

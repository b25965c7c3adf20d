import { userError } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { ANSWERED_BY } from './foreman/index.js';
import { openQuestions } from './queries/index.js';

/** How a person answers: in their own words (which may edit the foreman's proposal), or by accepting it. */
export interface AnswerOptions {
  /** Send the foreman's proposal as the answer; no text of one's own then. */
  accept?: boolean;
}

/**
 * Records a person's answer to a question an attempt is still waiting on: their own text, or with
 * `accept` the foreman's proposal. Bad input (no such open question, text and `accept` together,
 * neither, `accept` without a proposal) records nothing and says what to do instead.
 */
export async function recordAnswer(
  store: Store,
  questionId: string,
  text: string,
  options: AnswerOptions = {},
): Promise<void> {
  const own = text.trim();
  if (options.accept && own)
    throw userError(
      'GAFFER_BAD_INPUT',
      'give either an answer or --accept, not both',
      `\`gaffer answer ${questionId} --accept\` sends the foreman's proposal as it is; to change it, give your own text without --accept`,
    );
  if (!options.accept && !own)
    throw userError(
      'GAFFER_BAD_INPUT',
      `no answer given for "${questionId}"`,
      `answer with \`gaffer answer ${questionId} "your answer"\`, or \`--accept\` to send the foreman's proposal`,
    );
  const runId = questionId.split('.')[0] ?? '';
  const open = (await openQuestions(store, runId)).find((q) => q.questionId === questionId);
  const waiting = open && (await store.getAttempt(open.attemptId))?.status === 'waiting_answer';
  if (!open || !waiting) throw await notOpen(store, runId, questionId);
  if (options.accept && open.proposal === null)
    throw userError(
      'GAFFER_BAD_INPUT',
      `question ${questionId} has no proposal from the foreman`,
      `answer it in your own words: \`gaffer answer ${questionId} "your answer"\``,
    );
  const answer = options.accept ? (open.proposal ?? '') : own;
  const by = options.accept ? ANSWERED_BY.personAccepted : ANSWERED_BY.person;
  await store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.question-answered',
      runId,
      taskId: open.taskId,
      attemptId: open.attemptId,
      data: { questionId, question: open.question, answer, by },
    }),
  );
}

/** Why `questionId` cannot be answered: never asked (a typo), or answered already and by whom. */
async function notOpen(store: Store, runId: string, questionId: string): Promise<Error> {
  const answered = runId
    ? (await store.readEvents({ runId, types: ['attempt.question-answered'] })).find(
        (e) => e.type === 'attempt.question-answered' && e.data.questionId === questionId,
      )
    : undefined;
  const by = answered?.type === 'attempt.question-answered' ? answered.data.by : undefined;
  return userError(
    'GAFFER_BAD_INPUT',
    by === undefined
      ? `no open question "${questionId}"`
      : `no open question "${questionId}": it was answered already (by ${by})`,
    'open questions and their ids are listed by `gaffer questions`',
  );
}

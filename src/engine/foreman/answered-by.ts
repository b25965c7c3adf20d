/**
 * Who answered a question, as `attempt.question-answered` records it in `by`. Gaffer's own
 * stand-in answers (timeout, attempt stopped) start with `gaffer`: they are nobody's knowledge.
 */
export const ANSWERED_BY = {
  foreman: 'foreman',
  person: 'person',
  personAccepted: "person (accepted the foreman's proposal)",
} as const;

/** Whether `by` is someone who knew an answer, not Gaffer telling the agent to assume. */
export const isRealAnswer = (by: string): boolean => !by.startsWith('gaffer');

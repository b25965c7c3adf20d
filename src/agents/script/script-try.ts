import type { SessionInput } from '../../domain/index.js';

// A session whose try differs from its attempt number says so in its native session id, so the
// session that resumes or retries it (which gets that id back as `resumeSessionId`) knows it.
const TRY_SUFFIX = /~t(\d+)$/;

/**
 * Which try of the work a session is: `attempts[try - 1]` is its script. A first attempt is try
 * 1 and a rework the next try; a `resume` (an interrupted session coming back as attempt N+1)
 * or a `retry` (after a transient failure) continues the try of the session before it, so it
 * plays that script again rather than the next one.
 *
 * SessionInput has no try count, so a rework's try is taken to be its attempt number: exact
 * until a resume or retry came before it, then too high (which the clamp to the last list
 * hides for the usual two-list script). The engine's `tryNumber` makes it exact; the rest is for
 * callers that do not set it.
 */
export function tryOfSession(
  input: Pick<SessionInput, 'kind' | 'attemptNumber' | 'resumeSessionId' | 'tryNumber'>,
): number {
  if (input.tryNumber !== undefined) return input.tryNumber;
  if (input.kind === 'first') return 1;
  if (input.kind === 'rework') return Math.max(1, input.attemptNumber);
  const marked = input.resumeSessionId === undefined ? undefined : TRY_SUFFIX.exec(input.resumeSessionId);
  // Unmarked, the session before (always attempt N-1) was the try its number says.
  return marked?.[1] !== undefined ? Number(marked[1]) : Math.max(1, input.attemptNumber - 1);
}

/** The native session id of a script session: `script-<attemptId>`, marked when the try differs. */
export function scriptSessionId(attemptId: string, attemptNumber: number, tryNumber: number): string {
  return tryNumber === attemptNumber ? `script-${attemptId}` : `script-${attemptId}~t${tryNumber}`;
}

import type { AttemptRef } from '../domain/index.js';
import { attemptRunning, attemptWaiting } from '../domain/index.js';
import type { RunContext } from './run-context.js';
import { tailEvents } from './queries/index.js';
import type { ForemanDecision } from './foreman/index.js';
import { ANSWERED_BY, askForeman, foremanOf } from './foreman/index.js';

/** What an agent is told when nobody answered its question in time. */
export const UNANSWERED =
  'Nobody answered in time. Make the most reasonable assumption, say which one in your final message, and continue.';

export interface QuestionScope {
  attempt: AttemptRef;
  signal: AbortSignal;
  /** How long to wait for an answer (the foreman's thinking included) before answering UNANSWERED. */
  timeoutMs: number;
  pollMs?: number;
}

/**
 * Routes an agent's question: records it (the attempt waits for an answer); with a `foreman:` in
 * the plan asks it first, and a sure enough answer goes straight back to the agent. Otherwise
 * (no foreman, or it escalated with its proposal) the answer is one recorded by
 * `gaffer answer <question-id>` — from any process — until the timeout or the attempt stops;
 * then the agent is told to assume and go on. Questions are events, so a dashboard answers them
 * the same way.
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
    // The wait for a person starts with the question: one who answers while the foreman thinks
    // is heard, and question_timeout_s bounds the whole wait, the foreman's part included.
    const settled = new AbortController();
    const person = waitForAnswer(ctx, scope, questionId, after, settled.signal);
    const foreman = await consult(ctx, scope, { questionId, question, after }, person);
    // Answered by the foreman: nobody else needs to be waited for.
    if (foreman !== undefined) settled.abort();
    const answer = (await person) ?? foreman;
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

/** The answer recorded for `questionId`, or undefined once the timeout passed, the attempt stopped or `stop` fired. */
async function waitForAnswer(
  ctx: RunContext,
  scope: QuestionScope,
  questionId: string,
  after: number,
  stop: AbortSignal,
): Promise<string | undefined> {
  const deadline = AbortSignal.timeout(scope.timeoutMs);
  const signal = AbortSignal.any([scope.signal, deadline, stop]);
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

interface AskedQuestion {
  questionId: string;
  question: string;
  /** The event id the question's answers come after. */
  after: number;
}

/**
 * The foreman's answer when it is sure enough, recorded with what its session spent; otherwise
 * its escalation is recorded (proposal, confidence, reason, usage) and undefined says a person
 * is to answer. Without a foreman, undefined and nothing recorded. Once the wait for a person
 * ends (a person answered, the time is up, the attempt stopped) the foreman's session is stopped
 * and its answer, if any, is only a proposal for the record. The usage is charged to the task's
 * budget and stored in the event, so a resumed run counts it too.
 */
async function consult(
  ctx: RunContext,
  scope: QuestionScope,
  asked: AskedQuestion,
  person: Promise<string | undefined>,
): Promise<string | undefined> {
  const foreman = foremanOf(ctx.run);
  if (!foreman) return undefined;
  const stop = new AbortController();
  let overtaken: string | undefined;
  const end = (answer: string | undefined) => {
    overtaken ??= scope.signal.aborted
      ? 'the attempt stopped while the foreman answered'
      : answer === undefined
        ? `nobody answered within question_timeout_s (${ctx.run.plan.settings.question_timeout_s}s)`
        : 'a person answered while the foreman answered';
    stop.abort();
  };
  void person.then(end, () => stop.abort());
  const signal = AbortSignal.any([scope.signal, stop.signal]);
  const { questionId, question } = asked;
  const reply = await askForeman(ctx, foreman, scope.attempt, questionId, question, signal);
  if (reply.usage) ctx.spend?.charge(scope.attempt.taskId, reply.usage);
  // A person's answer recorded just as the foreman finished is the one the agent gets.
  if (overtaken === undefined && reply.type === 'answer' && (await answeredAlready(ctx, scope, asked)))
    overtaken = 'a person answered while the foreman answered';
  const decision = overtaken === undefined ? reply : asProposal(reply, overtaken);
  const where = { runId: ctx.run.id, taskId: scope.attempt.taskId, attemptId: scope.attempt.id };
  const usage = decision.usage ? { usage: decision.usage } : {};
  if (decision.type === 'answer') {
    const { answer } = decision;
    await ctx.store.transaction((tx) =>
      tx.appendEvent({
        type: 'attempt.question-answered',
        ...where,
        data: { questionId, question, answer, by: ANSWERED_BY.foreman, ...usage },
      }),
    );
    return answer;
  }
  const { proposal, confidence, reason } = decision;
  await ctx.store.transaction((tx) =>
    tx.appendEvent({
      type: 'attempt.question-escalated',
      ...where,
      data: { questionId, proposal, confidence, reason, ...usage },
    }),
  );
  return undefined;
}

/** The foreman's take kept as a proposal, since the question was settled otherwise. */
function asProposal(decision: ForemanDecision, reason: string): ForemanDecision {
  const proposal = decision.type === 'answer' ? decision.answer : decision.proposal;
  return { type: 'escalate', proposal, confidence: decision.confidence, reason, usage: decision.usage };
}

async function answeredAlready(
  ctx: RunContext,
  scope: QuestionScope,
  asked: AskedQuestion,
): Promise<boolean> {
  const events = await ctx.store.readEvents({
    runId: ctx.run.id,
    taskId: scope.attempt.taskId,
    types: ['attempt.question-answered'],
    afterId: asked.after,
  });
  return events.some((e) => e.type === 'attempt.question-answered' && e.data.questionId === asked.questionId);
}

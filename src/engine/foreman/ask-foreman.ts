import type { AttemptRef, ForemanSettings } from '../../domain/index.js';
import { errorMessage } from '../logger.js';
import { redactSecrets } from '../redact.js';
import type { RunContext } from '../run-context.js';
import { taskOf } from '../run-context.js';
import { knownSecretValues } from '../secrets.js';
import type { ForemanDecision } from './consult-foreman.js';
import { consultForeman } from './consult-foreman.js';
import { foremanPrompt } from './foreman-prompt.js';
import { foremanSession } from './foreman-session.js';
import { runFaq } from './run-faq.js';
import { KNOWLEDGE_BUDGET_CHARS, readKnowledge, renderKnowledge } from '../knowledge/index.js';

/**
 * What the foreman makes of an agent's question: an answer sure enough for the agent, or a
 * proposal (or none) for a person. It reads the plan, the asking task, what earlier tasks did
 * (the run's knowledge, the asking task's dependencies first) and the run's FAQ. Never
 * rejects: whatever goes wrong is the reason a person is asked. What it says is redacted, since
 * it goes into the event log and back to the agent.
 */
export async function askForeman(
  ctx: RunContext,
  foreman: ForemanSettings,
  attempt: AttemptRef,
  questionId: string,
  question: string,
  signal: AbortSignal,
): Promise<ForemanDecision> {
  let decision: ForemanDecision;
  try {
    const prompt = foremanPrompt({
      plan: { name: ctx.run.plan.name, tasks: ctx.run.plan.tasks },
      task: taskOf(ctx.run, attempt.taskId),
      question,
      faq: await runFaq(ctx.store, ctx.run.id),
      // The tasks the asking one builds on first: what they created and decided.
      knowledge: renderKnowledge(
        ctx.run.plan,
        await readKnowledge(ctx.store, ctx.run.id),
        attempt.taskId,
        KNOWLEDGE_BUDGET_CHARS,
        true,
      ),
    });
    decision = await consultForeman({
      prompt,
      ask: foremanSession(ctx, foreman, attempt, questionId, signal),
      answerAt: foreman.answer_at,
      stopped: () => signal.aborted,
    });
  } catch (error) {
    decision = {
      type: 'escalate',
      proposal: null,
      confidence: null,
      reason: `the foreman could not be asked: ${errorMessage(error)}`,
      usage: null,
    };
  }
  return redacted(decision, knownSecretValues(ctx.env));
}

function redacted(decision: ForemanDecision, known: readonly string[]): ForemanDecision {
  if (decision.type === 'answer') return { ...decision, answer: redactSecrets(decision.answer, known) };
  return {
    ...decision,
    proposal: decision.proposal === null ? null : redactSecrets(decision.proposal, known),
    reason: redactSecrets(decision.reason, known),
  };
}

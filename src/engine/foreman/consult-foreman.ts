import type { Usage } from '../../domain/index.js';
import { addUsage } from '../../domain/index.js';
import type { ReviewerAnswer } from '../../verify/index.js';
import { errorMessage } from '../logger.js';
import { foremanRetryPrompt } from './foreman-prompt.js';
import type { ForemanReply } from './foreman-reply.js';
import { parseForemanReply } from './foreman-reply.js';

/** Runs one foreman session on `prompt`: its text, usage, or why it failed. */
export type AskForeman = (prompt: string) => Promise<ReviewerAnswer>;

/** What becomes of a question the foreman was asked. */
export type ForemanDecision =
  /** Sure enough: the answer goes straight back to the agent. */
  | { type: 'answer'; answer: string; confidence: number; usage: Usage | null }
  /** Not sure enough, or no readable answer: a person decides, shown the proposal (if any). */
  | {
      type: 'escalate';
      proposal: string | null;
      confidence: number | null;
      reason: string;
      usage: Usage | null;
    };

export interface ConsultOptions {
  prompt: string;
  ask: AskForeman;
  /** A confidence at or above it answers the agent; below it a person is asked. */
  answerAt: number;
  /** True once the attempt is stopping: no second session is started. */
  stopped?: () => boolean;
}

/**
 * Asks the foreman: one session, and when its reply cannot be read one more with the reason;
 * after that (or when a session fails) the question goes to a person without a proposal. Never
 * rejects: a foreman that cannot answer is a question for a person, not a failed attempt. Usage
 * adds up over both sessions.
 */
export async function consultForeman(options: ConsultOptions): Promise<ForemanDecision> {
  const first = await askAndRead(options.ask, options.prompt);
  if (first.reply) return decide(first.reply, options.answerAt, first.usage);
  if (first.failed || options.stopped?.()) return unanswered(first.error, first.usage);
  const retry = await askAndRead(options.ask, foremanRetryPrompt(options.prompt, first.error));
  const usage = sumUsage(first.usage, retry.usage);
  return retry.reply ? decide(retry.reply, options.answerAt, usage) : unanswered(retry.error, usage);
}

/** The threshold's verdict on a readable reply. */
export function decide(reply: ForemanReply, answerAt: number, usage: Usage | null): ForemanDecision {
  if (reply.confidence >= answerAt)
    return { type: 'answer', answer: reply.answer, confidence: reply.confidence, usage };
  return {
    type: 'escalate',
    proposal: reply.answer,
    confidence: reply.confidence,
    reason: `not sure enough (answer_at is ${answerAt})${reply.why.trim() ? `: ${reply.why.trim()}` : ''}`,
    usage,
  };
}

const unanswered = (reason: string, usage: Usage | null): ForemanDecision => ({
  type: 'escalate',
  proposal: null,
  confidence: null,
  reason,
  usage,
});

interface Read {
  reply?: ForemanReply;
  /** The session itself failed: asking again the same way would not help. */
  failed: boolean;
  error: string;
  usage: Usage | null;
}

async function askAndRead(ask: AskForeman, prompt: string): Promise<Read> {
  let answer: ReviewerAnswer;
  try {
    answer = await ask(prompt);
  } catch (error) {
    answer = { text: '', error: errorMessage(error) };
  }
  const usage = answer.usage ?? null;
  if (answer.error !== undefined)
    return { failed: true, error: `the foreman session failed: ${answer.error}`, usage };
  const parsed = parseForemanReply(answer.text);
  return parsed.success
    ? { reply: parsed.value, failed: false, error: '', usage }
    : { failed: false, error: `the foreman's reply could not be read: ${parsed.error}`, usage };
}

const sumUsage = (a: Usage | null, b: Usage | null): Usage | null => (a && b ? addUsage(a, b) : (a ?? b));

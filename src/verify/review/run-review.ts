import type { AgentSession, EvaluationReview, Usage } from '../../domain/index.js';
import { addUsage } from '../../domain/index.js';
import type { ReviewMaterial } from './review-prompt.js';
import { retryPrompt, reviewPrompt } from './review-prompt.js';
import type { ReviewReply } from './review-reply.js';
import { parseReviewReply } from './review-reply.js';

/** What one reviewer session gave back: its text, its usage, or why it failed. */
export interface ReviewerAnswer {
  text: string;
  usage?: Usage;
  /** The session did not succeed (a model error, a crash): no reply to read. */
  error?: string;
}

/** Runs one reviewer session on `prompt`; the caller owns the backend, its sandbox and its signal. */
export type AskReviewer = (prompt: string) => Promise<ReviewerAnswer>;

export interface RunReviewOptions {
  material: ReviewMaterial;
  ask: AskReviewer;
  /** For the record: the backend and model the review runs on. */
  agent: string;
  model?: string;
  /** True once the run is stopping: no second session is started. */
  stopped?: () => boolean;
}

/**
 * The review of one attempt: one session, and when its reply cannot be read (or the session
 * failed) one more with the reason; after that every criterion is `cannot_tell`. Usage adds up
 * over both sessions.
 */
export async function runReview(options: RunReviewOptions): Promise<EvaluationReview> {
  const { material } = options;
  const prompt = reviewPrompt(material);
  const criteria = material.task.acceptance_criteria;
  const record = {
    agent: options.agent,
    ...(options.model ? { model: options.model } : {}),
    diffCut: prompt.diffCut,
  };
  const first = await askAndRead(options, prompt.text);
  if (first.reply) return { ...record, status: 'parsed', ...first.reply, sessions: 1, usage: first.usage };
  const retry = options.stopped?.() ? undefined : await askAndRead(options, retryPrompt(prompt, first.error));
  const usage = sumUsage(first.usage, retry?.usage ?? null);
  if (retry?.reply) return { ...record, status: 'parsed', ...retry.reply, sessions: 2, usage };
  return {
    ...record,
    status: 'unreadable',
    criteria: criteria.map((criterion) => ({ criterion, verdict: 'cannot_tell', evidence: '' })),
    critiques: [],
    summary: '',
    error: retry?.error ?? first.error,
    sessions: retry ? 2 : 1,
    usage,
  };
}

/** One session and its reply read: the reply, or why it could not be read. */
async function askAndRead(
  options: RunReviewOptions,
  prompt: string,
): Promise<{ reply?: ReviewReply; error: string; usage: Usage | null }> {
  const answer = await options.ask(prompt);
  const usage = answer.usage ?? null;
  if (answer.error !== undefined) return { error: `the reviewer session failed: ${answer.error}`, usage };
  const parsed = parseReviewReply(answer.text, options.material.task.acceptance_criteria);
  return parsed.success ? { reply: parsed.value, error: '', usage } : { error: parsed.error, usage };
}

const sumUsage = (a: Usage | null, b: Usage | null): Usage | null => (a && b ? addUsage(a, b) : (a ?? b));

/** Everything the session said and what it cost; it never rejects (adapters promise a result). */
export async function collectAnswer(session: AgentSession): Promise<ReviewerAnswer> {
  const texts: string[] = [];
  let lastUsage: Usage | undefined;
  for await (const event of session.events) {
    if (event.type === 'text') texts.push(event.text);
    if (event.type === 'usage') lastUsage = event.usage;
  }
  const result = await session.result;
  const usage = result.usage ?? lastUsage;
  const base = { text: texts.join('\n'), ...(usage ? { usage } : {}) };
  return result.status === 'succeeded' ? base : { ...base, error: result.error ?? result.status };
}

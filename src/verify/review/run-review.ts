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
  /**
   * The text passed the `maxChars` it was collected with: the session was stopped there and
   * `text` holds its first `maxChars` characters. Not an error: the answer is too long.
   */
  cut?: true;
}

/** How {@link collectAnswer} bounds what it keeps. */
export interface CollectLimit {
  /** Once the text passes this many characters, `stop` is called and nothing more is kept. */
  maxChars: number;
  /** Stops the session (aborts the signal it was started with). */
  stop: () => void;
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

/**
 * Everything the session said and what it cost; it never rejects (adapters promise a result).
 * With a `limit`, a session that says more than `limit.maxChars` is stopped and its text cut
 * there, so a runaway answer is neither held whole nor written whole; without one (the task
 * reviewer), all of it is kept.
 */
export async function collectAnswer(session: AgentSession, limit?: CollectLimit): Promise<ReviewerAnswer> {
  const texts: string[] = [];
  let length = 0;
  let cut = false;
  let lastUsage: Usage | undefined;
  // The events are read to their end even once cut: the usage comes last, and the session ends
  // as soon as it sees the stop.
  for await (const event of session.events) {
    if (event.type === 'text' && !cut) {
      texts.push(event.text);
      length += event.text.length + (texts.length > 1 ? 1 : 0);
      if (limit && length > limit.maxChars) {
        cut = true;
        // Only what is kept stays held: a whole runaway block is let go at once.
        texts[texts.length - 1] = event.text.slice(
          0,
          Math.max(0, event.text.length - (length - limit.maxChars)),
        );
        limit.stop();
      }
    }
    if (event.type === 'usage') lastUsage = event.usage;
  }
  const result = await session.result;
  const usage = result.usage ?? lastUsage;
  const text = texts.join('\n');
  // The session's result is then the echo of that stop (cancelled), no failure of the model's.
  if (cut && limit) return { text: text.slice(0, limit.maxChars), cut: true, ...(usage ? { usage } : {}) };
  const base = { text, ...(usage ? { usage } : {}) };
  return result.status === 'succeeded' ? base : { ...base, error: result.error ?? result.status };
}

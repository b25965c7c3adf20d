import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelPrice, PlanTask } from '../../domain/index.js';
import { costOf, priceOf } from '../../agents/pricing.js';
import type { AttemptEstimate } from './spend.js';

/** Roughly how many characters make a token for English text and code. */
const CHARS_PER_TOKEN = 4;

/**
 * The least an attempt costs: its model reading the prompt and the task's context files once.
 * A lower bound on purpose — a breaker that refuses an attempt on an estimate must never refuse
 * one that could have fit. Unknown prices (local models, the script agent) cost nothing here.
 */
export async function estimateAttempt(input: {
  prompt: string;
  task: PlanTask;
  /** Where the context files are read (the repository's main checkout). */
  root: string;
  model: string | undefined;
  pricing: Readonly<Record<string, ModelPrice>>;
}): Promise<AttemptEstimate> {
  const sizes = await Promise.all(
    input.task.context_files.map((file) =>
      stat(join(input.root, file)).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  const characters = input.prompt.length + sizes.reduce((a, b) => a + b, 0);
  const tokens = Math.ceil(characters / CHARS_PER_TOKEN);
  const price = input.model === undefined ? undefined : priceOf(input.model, input.pricing);
  return { tokens, cost_usd: costOf({ inputTokens: tokens, outputTokens: 0, cachedInputTokens: 0 }, price) };
}

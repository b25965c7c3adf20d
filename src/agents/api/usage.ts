import type { LanguageModelUsage } from 'ai';
import { ZERO_USAGE, addUsage } from '../../domain/index.js';
import type { ModelPrice, Usage } from '../../domain/index.js';
import { costOf } from '../pricing.js';

/**
 * Gaffer's usage of one model step. The SDK counts cached tokens inside `inputTokens` for every
 * provider (Anthropic's cache reads and writes are added in), which is what `costOf` expects.
 */
export function usageOfStep(usage: LanguageModelUsage, price: ModelPrice | undefined): Usage {
  const counts = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens ?? usage.cachedInputTokens ?? 0,
  };
  return { ...counts, costUsd: costOf(counts, price) };
}

/** A running total of a session's usage. */
export function createUsageMeter(price: ModelPrice | undefined) {
  let total: Usage = { ...ZERO_USAGE };
  return {
    /** Adds one step and returns the new total. */
    add(step: LanguageModelUsage): Usage {
      total = addUsage(total, usageOfStep(step, price));
      return total;
    },
    get total(): Usage {
      return total;
    },
  };
}

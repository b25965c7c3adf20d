import type { ModelPrice, Usage } from '../domain/index.js';

export type { ModelPrice };

/**
 * List prices of common models, matched by the longest prefix of the model id. Plans override
 * or extend it with `pricing: { <model-prefix>: { input, output, cached_input } }`.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-5': { input: 5, output: 25, cached_input: 0.5 },
  'claude-opus-4': { input: 15, output: 75, cached_input: 1.5 },
  'claude-sonnet-4': { input: 3, output: 15, cached_input: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cached_input: 0.3 },
  'claude-haiku-4': { input: 1, output: 5, cached_input: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cached_input: 0.08 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cached_input: 0.005 },
  'gpt-5-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cached_input: 0.125 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cached_input: 0.1 },
  'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
  'gpt-4o': { input: 2.5, output: 10, cached_input: 1.25 },
  'o4-mini': { input: 1.1, output: 4.4, cached_input: 0.275 },
  o3: { input: 2, output: 8, cached_input: 0.5 },
};

/**
 * The price of `model`: the plan's table first (its longest matching prefix — a price the plan
 * names wins over a more specific built-in one), then the built-in table; undefined when
 * neither knows it (local models cost nothing we can know).
 */
export function priceOf(
  model: string,
  overrides: Readonly<Record<string, ModelPrice>> = {},
): ModelPrice | undefined {
  const id = model.toLowerCase().replace(/^(anthropic|openai)\//, '');
  return longestPrefix(id, overrides) ?? longestPrefix(id, DEFAULT_PRICES);
}

function longestPrefix(id: string, table: Readonly<Record<string, ModelPrice>>): ModelPrice | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (id.startsWith(prefix.toLowerCase()) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * Cost in dollars of token counts. `inputTokens` includes the cached ones (as OpenAI and the
 * Vercel AI SDK count them); cached tokens are charged at the cached price.
 */
export function costOf(usage: Omit<Usage, 'costUsd'>, price: ModelPrice | undefined): number {
  if (!price) return 0;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (
    (fresh * price.input + cached * (price.cached_input ?? price.input) + usage.outputTokens * price.output) /
    1_000_000
  );
}

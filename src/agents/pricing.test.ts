import { describe, expect, it } from 'vitest';
import { costOf, priceOf } from './pricing.js';

describe('pricing', () => {
  it('matches the longest prefix', () => {
    expect(priceOf('gpt-5-mini-2025-08-07')?.input).toBe(0.25);
    expect(priceOf('gpt-5')?.input).toBe(1.25);
    expect(priceOf('claude-sonnet-4-5-20250929')?.output).toBe(15);
    expect(priceOf('anthropic/claude-haiku-4-5')?.input).toBe(1);
    expect(priceOf('llama3.1:8b')).toBeUndefined();
  });

  it('lets config override and extend the table', () => {
    expect(priceOf('gpt-5', { 'gpt-5': { input: 9, output: 9 } })?.input).toBe(9);
    expect(priceOf('llama3.1:8b', { llama: { input: 0.1, output: 0.1 } })?.output).toBe(0.1);
    // The plan's price wins over a more specific built-in prefix.
    expect(priceOf('claude-sonnet-4-5', { 'claude-sonnet': { input: 2, output: 10 } })?.input).toBe(2);
  });

  it('charges cached input at the cached price', () => {
    const cost = costOf(
      { inputTokens: 1_000_000, cachedInputTokens: 800_000, outputTokens: 100_000 },
      priceOf('gpt-5'),
    );
    expect(cost).toBeCloseTo(0.2 * 1.25 + 0.8 * 0.125 + 0.1 * 10, 6);
    expect(costOf({ inputTokens: 10, cachedInputTokens: 0, outputTokens: 10 }, undefined)).toBe(0);
  });
});

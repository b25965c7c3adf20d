import { describe, expect, it } from 'vitest';
import { parseApiConfig } from './api-config.js';

const valid = (config: Record<string, unknown>) => {
  const parsed = parseApiConfig(config);
  if (!parsed.success) throw new Error(parsed.error);
  return parsed.config;
};

describe('api agent config', () => {
  it('applies defaults for a local OpenAI-compatible server, which needs no key', () => {
    expect(valid({ base_url: 'http://localhost:11434/v1', model: 'qwen2.5-coder:7b', env: ['X'] })).toEqual({
      provider: 'openai-compatible',
      baseUrl: 'http://localhost:11434/v1',
      model: 'qwen2.5-coder:7b',
      apiKeyEnv: undefined,
      maxSteps: 40,
      contextTokens: 24_000,
      commandTimeoutS: 120,
      maxRetries: 0,
      maxOutputTokens: undefined,
      temperature: undefined,
      pricing: {},
    });
  });

  it('names the default key variable of hosted providers', () => {
    expect(valid({ provider: 'anthropic', model: 'claude-sonnet-4-5' }).apiKeyEnv).toBe('ANTHROPIC_API_KEY');
    expect(valid({ provider: 'openai', model: 'gpt-5-mini' }).apiKeyEnv).toBe('OPENAI_API_KEY');
    expect(valid({ provider: 'openai', model: 'gpt-5-mini', api_key_env: 'MY_KEY' }).apiKeyEnv).toBe(
      'MY_KEY',
    );
  });

  it('takes one price for the model or a table by prefix', () => {
    expect(
      valid({ base_url: 'http://h/v1', model: 'm', pricing: { input: 1, output: 2, cachedInput: 0.1 } })
        .pricing,
    ).toEqual({
      m: { input: 1, output: 2, cached_input: 0.1 },
    });
    expect(
      valid({ base_url: 'http://h/v1', model: 'm', pricing: { 'm-': { input: 1, output: 2 } } }).pricing,
    ).toEqual({
      'm-': { input: 1, output: 2 },
    });
  });

  it.each([
    [{ model: 'm' }, /^base_url: required for provider openai-compatible/],
    [{ base_url: 'http://h/v1' }, /^model: /],
    [{ base_url: 'ftp://h', model: 'm' }, /^base_url: base_url must be an http\(s\) URL/],
    [{ provider: 'gemini', model: 'm' }, /^provider: /],
    [{ base_url: 'http://h/v1', model: 'm', max_steps: 0 }, /^max_steps: /],
    [{ base_url: 'http://h/v1', model: 'm', api_key_env: 'not a name' }, /^api_key_env: /],
  ])('rejects %j', (config, message) => {
    const parsed = parseApiConfig(config);
    expect(parsed.success ? '' : parsed.error).toMatch(message);
  });
});

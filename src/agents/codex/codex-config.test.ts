import { describe, expect, it } from 'vitest';
import { parseCodexConfig } from './codex-config.js';

describe('parseCodexConfig', () => {
  it('defaults to the worktree-only, offline sandbox and a 30 minute timeout', () => {
    const parsed = parseCodexConfig({ env: ['FOO'], unrelated: true });
    expect(parsed).toEqual({
      success: true,
      config: {
        sandbox: 'workspace-write',
        network: false,
        writableTmp: false,
        timeoutS: 1800,
        rateLimitRetries: 3,
        rateLimitBackoffS: 5,
        pricing: {},
        codexConfig: {},
        model: undefined,
        executable: undefined,
        codexHome: undefined,
        reasoningEffort: undefined,
        provider: undefined,
      },
    });
  });

  it('reads a provider, with wire_api responses by default', () => {
    const parsed = parseCodexConfig({
      model: 'qwen3-coder',
      provider: { name: 'local', base_url: 'http://127.0.0.1:8080/v1', env_key: 'LOCAL_KEY' },
    });
    expect(parsed.success && parsed.config.provider).toEqual({
      name: 'local',
      base_url: 'http://127.0.0.1:8080/v1',
      wire_api: 'responses',
      env_key: 'LOCAL_KEY',
    });
  });

  it('explains that codex no longer speaks chat completions', () => {
    const parsed = parseCodexConfig({ provider: { name: 'x', base_url: 'http://h/v1', wire_api: 'chat' } });
    expect(parsed).toEqual({
      success: false,
      error:
        'provider.wire_api: codex supports only wire_api "responses"; use the api agent for chat servers',
    });
  });

  it('rejects provider names that cannot be a codex config key', () => {
    const parsed = parseCodexConfig({ provider: { name: 'my.provider', base_url: 'http://h/v1' } });
    expect(parsed.success).toBe(false);
    expect(!parsed.success && parsed.error).toMatch(/^provider\.name: /);
  });

  it('reads prices with cached_input (or cachedInput)', () => {
    const parsed = parseCodexConfig({
      pricing: {
        'my-model': { input: 1, output: 2, cached_input: 0.1 },
        other: { input: 3, output: 4, cachedInput: 0.3 },
      },
    });
    expect(parsed.success && parsed.config.pricing).toEqual({
      'my-model': { input: 1, output: 2, cached_input: 0.1 },
      other: { input: 3, output: 4, cached_input: 0.3 },
    });
  });

  it('names the offending key', () => {
    expect(parseCodexConfig({ sandbox: 'yolo' })).toMatchObject({
      success: false,
      error: expect.stringMatching(/^sandbox: /) as string,
    });
    expect(parseCodexConfig({ timeout_s: 0 })).toMatchObject({
      success: false,
      error: expect.stringMatching(/^timeout_s: /) as string,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { configEnv, parseClaudeCodeConfig } from './claude-code-config.js';

describe('claude-code config', () => {
  it('applies defaults and ignores keys of other agents', () => {
    expect(parseClaudeCodeConfig({ argv: ['x'] })).toEqual({
      success: true,
      config: {
        permissionMode: 'default',
        allowedTools: [],
        disallowedTools: [],
        timeoutS: 1800,
        env: [],
      },
    });
  });

  it('reads every documented key', () => {
    const parsed = parseClaudeCodeConfig({
      model: 'claude-sonnet-4-5',
      permission_mode: 'acceptEdits',
      allowed_tools: ['Bash(npm test:*)'],
      disallowed_tools: ['WebFetch'],
      max_turns: 30,
      executable: '/opt/claude',
      system_prompt_append: 'Run the tests.',
      timeout_s: 600,
      max_retries: 2,
      env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(parsed).toEqual({
      success: true,
      config: {
        model: 'claude-sonnet-4-5',
        permissionMode: 'acceptEdits',
        allowedTools: ['Bash(npm test:*)'],
        disallowedTools: ['WebFetch'],
        maxTurns: 30,
        executable: '/opt/claude',
        systemPromptAppend: 'Run the tests.',
        timeoutS: 600,
        maxRetries: 2,
        env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
      },
    });
  });

  it.each([
    [{ permission_mode: 'bypassPermissions' }, /^invalid claude-code agent config: permission_mode: /],
    [{ max_turns: 0 }, /max_turns: /],
    [{ timeout_s: -1 }, /timeout_s: /],
    [{ allowed_tools: 'Bash' }, /allowed_tools: /],
    [{ env: 'ANTHROPIC_API_KEY' }, /env: /],
  ])('rejects %j', (config, message) => {
    const parsed = parseClaudeCodeConfig(config);
    expect(parsed.success ? '' : parsed.error).toMatch(message);
  });

  it('takes env as values or as names of parent variables', () => {
    const parent = { GAFFER_A: 'a', GAFFER_B: undefined };
    expect(configEnv({ env: ['GAFFER_A', 'GAFFER_B', 'GAFFER_C'] }, parent)).toEqual({ GAFFER_A: 'a' });
    expect(configEnv({ env: { GAFFER_A: 'literal' } }, parent)).toEqual({ GAFFER_A: 'literal' });
  });
});

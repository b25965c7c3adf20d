import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClaudeCodeAgent } from './claude-code-agent.js';

let emptyConfigDir: string;
/** The engine's environment as preflight sees it: no credentials unless a test sets them. */
let env: Record<string, string | undefined>;
beforeEach(async () => {
  emptyConfigDir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-claude-config-'));
  env = { PATH: process.env.PATH, CLAUDE_CONFIG_DIR: emptyConfigDir };
});
afterEach(async () => {
  await rm(emptyConfigDir, { recursive: true, force: true });
});

describe('claude-code agent', () => {
  const agent = createClaudeCodeAgent();

  it('declares every capability', () => {
    expect(agent.name).toBe('claude-code');
    expect(agent.capabilities).toEqual({
      resume: true,
      steer: true,
      permissionHook: true,
      questions: true,
      usage: true,
    });
  });

  it('preflight rejects a bad config', async () => {
    await expect(agent.preflight?.({ max_turns: 'many' }, env)).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
    });
  });

  it('preflight names a missing binary and how to install it', async () => {
    env.ANTHROPIC_API_KEY = 'sk-test';
    await expect(agent.preflight?.({ executable: 'gaffer-no-such-claude' }, env)).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      userError: true,
      message: 'Claude Code binary "gaffer-no-such-claude" not found',
      hint: expect.stringContaining('npm i -g @anthropic-ai/claude-code') as string,
    });
  });

  it('preflight needs some credential', async () => {
    await expect(agent.preflight?.({}, env)).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      message: 'no credentials for Claude Code',
      hint: expect.stringContaining('ANTHROPIC_API_KEY') as string,
    });
    await expect(agent.preflight?.({}, { ...env, ANTHROPIC_API_KEY: 'sk-test' })).resolves.toBeUndefined();
    await expect(
      agent.preflight?.({ env: { ANTHROPIC_AUTH_TOKEN: 'token' } }, { ...env, ANTHROPIC_API_KEY: '' }),
    ).resolves.toBeUndefined();
  });

  it('preflight rejects an unknown key with a suggestion', async () => {
    await expect(agent.preflight?.({ max_turn: 3 }, env)).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      message: 'invalid claude-code agent config: unknown key "max_turn"',
      hint: expect.stringContaining('did you mean "max_turns"?') as string,
    });
  });
});

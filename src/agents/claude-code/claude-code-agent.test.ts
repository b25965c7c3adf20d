import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClaudeCodeAgent } from './claude-code-agent.js';

let emptyConfigDir: string;
beforeEach(async () => {
  emptyConfigDir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-claude-config-'));
  // No credentials anywhere unless a test sets them.
  for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'])
    vi.stubEnv(name, '');
  vi.stubEnv('CLAUDE_CONFIG_DIR', emptyConfigDir);
});
afterEach(async () => {
  vi.unstubAllEnvs();
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
    await expect(agent.preflight?.({ max_turns: 'many' })).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
    });
  });

  it('preflight names a missing binary and how to install it', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-test');
    await expect(agent.preflight?.({ executable: 'gaffer-no-such-claude' })).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      userError: true,
      message: 'Claude Code binary "gaffer-no-such-claude" not found',
      hint: expect.stringContaining('npm i -g @anthropic-ai/claude-code') as string,
    });
  });

  it('preflight needs some credential', async () => {
    await expect(agent.preflight?.({})).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      message: 'no credentials for Claude Code',
      hint: expect.stringContaining('ANTHROPIC_API_KEY') as string,
    });
    vi.stubEnv('ANTHROPIC_API_KEY', 'sk-test');
    await expect(agent.preflight?.({})).resolves.toBeUndefined();
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    await expect(agent.preflight?.({ env: { ANTHROPIC_AUTH_TOKEN: 'token' } })).resolves.toBeUndefined();
  });
});

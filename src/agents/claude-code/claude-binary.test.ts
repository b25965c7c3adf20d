import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeCodeStatus, claudeCredentialSource, resolveClaudeBinary } from './claude-binary.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-claude-home-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('claude-code binary and credentials', () => {
  it('finds the claude binary installed with Gaffer, or the configured one', async () => {
    const bundled = await resolveClaudeBinary(undefined, '');
    expect(bundled).toMatch(/node_modules\/\.bin\/claude$/);
    expect(await resolveClaudeBinary('gaffer-no-such-claude', process.env.PATH)).toBeUndefined();
    expect(await resolveClaudeBinary(bundled, '')).toBe(bundled);
  });

  it('reports the binary and its version', async () => {
    const status = await claudeCodeStatus(process.env);
    expect(status.binary).toMatch(/claude$/);
    expect(status.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names the credential source without reading secrets', async () => {
    expect(claudeCredentialSource({ ANTHROPIC_API_KEY: 'sk-x' }, dir)).toBe('ANTHROPIC_API_KEY');
    expect(claudeCredentialSource({ ANTHROPIC_AUTH_TOKEN: 't' }, dir)).toBe('ANTHROPIC_AUTH_TOKEN');
    expect(claudeCredentialSource({ CLAUDE_CODE_OAUTH_TOKEN: 't' }, dir)).toBe('CLAUDE_CODE_OAUTH_TOKEN');
    expect(claudeCredentialSource({ ANTHROPIC_API_KEY: '' }, dir)).toBeUndefined();
    await writeFile(path.join(dir, '.credentials.json'), '{}');
    expect(claudeCredentialSource({ CLAUDE_CONFIG_DIR: dir }, '/nonexistent')).toBe(
      path.join(dir, '.credentials.json'),
    );
  });
});

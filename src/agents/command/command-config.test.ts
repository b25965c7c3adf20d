import { describe, expect, it } from 'vitest';
import { buildArgv, inferPromptVia, parseCommandConfig } from './command-config.js';
import type { CommandConfig } from './command-config.js';

function valid(config: Record<string, unknown>): CommandConfig {
  const parsed = parseCommandConfig(config);
  if (!parsed.success) throw new Error(parsed.error);
  return parsed.config;
}

describe('command agent config', () => {
  it('infers how the prompt travels from the placeholders', () => {
    expect(inferPromptVia(['agent', '--prompt={prompt}'])).toBe('arg');
    expect(inferPromptVia(['agent', '--file', '{prompt_file}'])).toBe('file');
    expect(inferPromptVia(['agent', '-'])).toBe('stdin');
  });

  it('applies defaults', () => {
    expect(valid({ argv: ['agent'], other: 1 })).toEqual({
      argv: ['agent'],
      promptVia: 'stdin',
      timeoutS: 1800,
      env: [],
      okExitCodes: [0],
    });
  });

  it('replaces placeholders inside elements literally, even with $ patterns', () => {
    const config = valid({
      argv: ['agent', '--prompt={prompt}', '--file', '{prompt_file}'],
      prompt_via: 'arg',
    });
    expect(buildArgv(config, "it's $& $1 `x`", '/tmp/p.md')).toEqual([
      'agent',
      "--prompt=it's $& $1 `x`",
      '--file',
      '/tmp/p.md',
    ]);
  });

  it('appends the prompt or its file when an explicit mode has no placeholder', () => {
    expect(buildArgv(valid({ argv: ['agent', '-m'], prompt_via: 'arg' }), 'do it', undefined)).toEqual([
      'agent',
      '-m',
      'do it',
    ]);
    expect(buildArgv(valid({ argv: ['agent'], prompt_via: 'file' }), 'do it', '/tmp/p.md')).toEqual([
      'agent',
      '/tmp/p.md',
    ]);
    expect(buildArgv(valid({ argv: ['agent'] }), 'do it', undefined)).toEqual(['agent']);
  });

  it.each([
    [{}, /^argv: /],
    [{ argv: [] }, /^argv: argv needs at least the program/],
    [{ argv: ['a'], prompt_via: 'email' }, /^prompt_via: /],
    [{ argv: ['a'], timeout_s: 0 }, /^timeout_s: /],
  ])('rejects %j', (config, message) => {
    const parsed = parseCommandConfig(config);
    expect(parsed.success ? '' : parsed.error).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import type { AgentAdapter } from '../domain/index.js';
import { createAgentRegistry, defaultAgentRegistry } from './registry.js';
import { didYouMean } from './did-you-mean.js';

function fake(name: string): AgentAdapter {
  return {
    name,
    capabilities: { resume: false, steer: false, permissionHook: false, questions: false, usage: false },
    start: () => {
      throw new Error('not used');
    },
  };
}

function caught(action: () => unknown): GafferError {
  try {
    action();
  } catch (error) {
    if (GafferError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a GafferError');
}

describe('agent registry', () => {
  it('holds the built-in backends', () => {
    const registry = defaultAgentRegistry();
    expect(registry.names()).toEqual(['api', 'claude-code', 'codex', 'command', 'script']);
    expect(registry.has('script')).toBe(true);
    expect(registry.get('command').name).toBe('command');
    expect(registry.get('claude-code').capabilities.resume).toBe(true);
    expect(registry.has('gpt')).toBe(false);
  });

  it('names the unknown agent and suggests the closest one', () => {
    const registry = createAgentRegistry([fake('script'), fake('command'), fake('claude-code')]);
    const error = caught(() => registry.get('scirpt'));
    expect(error.code).toBe('GAFFER_UNKNOWN_AGENT');
    expect(error.userError).toBe(true);
    expect(error.message).toBe('unknown agent "scirpt"');
    expect(error.hint).toBe('did you mean "script"? known agents: claude-code, command, script');
    expect(caught(() => registry.get('claude')).hint).toMatch(/^did you mean "claude-code"\?/);
  });

  it('only lists the known agents when nothing is close', () => {
    const error = caught(() => defaultAgentRegistry().get('gpt'));
    expect(error.hint).toBe('known agents: api, claude-code, codex, command, script');
  });

  it('refuses two adapters with one name', () => {
    expect(() => createAgentRegistry([fake('script'), fake('script')])).toThrow(
      /two agent adapters are called "script"/,
    );
  });
});

describe('didYouMean', () => {
  it('finds typos and prefixes but not strangers', () => {
    expect(didYouMean('comand', ['script', 'command'])).toBe('command');
    expect(didYouMean('codx', ['codex', 'command'])).toBe('codex');
    expect(didYouMean('xyz', ['script', 'command'])).toBeUndefined();
  });
});

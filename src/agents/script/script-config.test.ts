import { describe, expect, it } from 'vitest';
import { parseScriptConfig, stepsForAttempt } from './script-config.js';
import type { ScriptConfig } from './script-config.js';

function valid(config: Record<string, unknown>): ScriptConfig {
  const parsed = parseScriptConfig(config);
  if (!parsed.success) throw new Error(parsed.error);
  return parsed.config;
}

function errorOf(config: Record<string, unknown>): string {
  const parsed = parseScriptConfig(config);
  if (parsed.success) throw new Error('expected an invalid config');
  return parsed.error;
}

describe('parseScriptConfig', () => {
  it('parses every step kind and normalises run', () => {
    const config = valid({
      steps: [
        { write: { path: 'a.txt', content: 'A' } },
        { append: { path: 'a.txt', content: 'B' } },
        { delete: 'b.txt' },
        { run: ['node', '-v'] },
        { run: { argv: ['node', '-v'], timeout_ms: 500 } },
        { sleep_ms: 5 },
        { fail: 'no' },
        { ask: 'why?' },
        { say: 'hello' },
      ],
      unrelated_plan_setting: true,
    });
    expect(stepsForAttempt(config, 1)?.map((step) => step.kind)).toEqual([
      'write',
      'append',
      'delete',
      'run',
      'run',
      'sleep_ms',
      'fail',
      'ask',
      'say',
    ]);
    expect(stepsForAttempt(config, 1)?.[3]).toEqual({ kind: 'run', args: { argv: ['node', '-v'] } });
  });

  it('picks attempts[min(N, len) - 1] and the same steps for every attempt otherwise', () => {
    const perAttempt = valid({ attempts: [[{ say: 'first' }], [{ say: 'second' }]] });
    const said = (attempt: number) => stepsForAttempt(perAttempt, attempt)?.map((step) => step.args);
    expect([said(1), said(2), said(3), said(9)]).toEqual([['first'], ['second'], ['second'], ['second']]);
    const same = valid({ steps: [{ say: 'always' }] });
    expect(stepsForAttempt(same, 4)).toEqual([{ kind: 'say', args: 'always' }]);
    expect(stepsForAttempt(valid({}), 1)).toBeUndefined();
  });

  it.each([
    [{ steps: [{ say: 'ok' }, { wrte: { path: 'a', content: '' } }] }, /^steps\[1\]: unknown step "wrte"/],
    [{ steps: [{ say: 'a', fail: 'b' }] }, /^steps\[0\]: a step has exactly one key, found say, fail$/],
    [{ steps: ['say hi'] }, /^steps\[0\]: a step is an object/],
    [{ attempts: [[], [{ write: { path: 3, content: '' } }]] }, /^attempts\[1\]\[0\]\.write\.path: /],
    [{ steps: [{ write: { path: '../outside', content: '' } }] }, /path "\.\.\/outside" must be relative/],
    [{ steps: [{ delete: '/etc/hosts' }] }, /^steps\[0\]\.delete: path "\/etc\/hosts" must be relative/],
    [{ steps: [{ run: [] }] }, /^steps\[0\]\.run\.argv: argv needs at least the program/],
    [{ steps: [{ sleep_ms: -1 }] }, /^steps\[0\]\.sleep_ms: /],
    [{ steps: 'nope' }, /^steps: /],
    [{ attempts: [] }, /^attempts: attempts needs at least one list/],
    [{ steps: [], attempts: [[]] }, /either "steps" or "attempts"/],
  ])('names the bad step in %j', (config, message) => {
    expect(errorOf(config)).toMatch(message);
  });
});

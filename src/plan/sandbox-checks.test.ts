import { describe, expect, it } from 'vitest';
import { validatePlan } from './validate.js';

const plan = (sandbox: string) => `agent: command
sandbox:
${sandbox}
tasks:
  - id: a
    title: A
`;

const issues = (text: string, exists: (p: string) => boolean = () => true) => {
  const result = validatePlan(text, { home: '/home/ann', pathExists: exists });
  return result.ok ? [] : result.issues.map((i) => ({ line: i.line, message: i.message, hint: i.hint }));
};

describe('sandbox paths in a plan', () => {
  it('accepts absolute and ~/ paths that exist, and `sandbox: off`', () => {
    expect(issues(plan('  writable: [~/.cache/pip, /srv/data]\n  readable: [~/.npmrc]'))).toEqual([]);
    expect(validatePlan('agent: command\nsandbox: off\ntasks:\n  - { id: a, title: A }\n').ok).toBe(true);
  });

  it('refuses a plan that opens the whole file system or the home directory, at its line', () => {
    const found = issues(plan('  writable:\n    - /\n  readable:\n    - "~"'));
    expect(found.map((i) => i.line)).toEqual([4, 6]);
    expect(found[0]?.message).toContain('opens the whole file system');
    expect(found[1]?.message).toContain('opens your whole home directory');
    expect(issues(plan('  writable: [/home]'))[0]?.message).toContain('whole home directory');
  });

  it('refuses relative and missing paths, with the fix', () => {
    const relative = issues(plan('  writable: [build/out]'))[0];
    expect(relative?.message).toBe('sandbox.writable "build/out" is a relative path');
    expect(relative?.hint).toContain('absolute or start with ~/');
    expect(issues(plan('  readable: [~/nowhere]'), () => false)[0]).toMatchObject({
      message: 'sandbox.readable "~/nowhere" does not exist (/home/ann/nowhere)',
    });
  });

  it('checks the sandbox of tasks and agents too, and misspelt keys', () => {
    const text = `agent: command
agents:
  command: { argv: [true], sandbox: { writable: [/] } }
tasks:
  - id: a
    title: A
    sandbox: { writeable: [/tmp] }
`;
    const found = issues(text);
    expect(found.map((i) => i.line)).toEqual([3, 7]);
    expect(found[1]?.hint).toContain('writable');
  });
});

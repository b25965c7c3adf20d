import { describe, expect, it } from 'vitest';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorktreeSettings } from '../../domain/index.js';
import type { SetupStamp, SetupState } from './worktree-setup.js';
import { setupCheckout, setupDue } from './worktree-setup.js';

const stamp: SetupStamp = {
  identity: 'ino-1',
  command: '"npm ci"',
  hash: 'abc',
  worktree: '/repo/.gaffer/worktrees/run/a',
  kept: ['node_modules'],
};
const now = (changes: Partial<SetupState> = {}): SetupState => ({
  identity: 'ino-1',
  command: '"npm ci"',
  hash: 'abc',
  worktree: '/repo/.gaffer/worktrees/run/a',
  present: ['node_modules'],
  ...changes,
});

describe('when the setup runs again', () => {
  it('runs in a new or re-created worktree, after a change of command or of the files it depends on', () => {
    expect(setupDue(undefined, now())).toBe('new worktree');
    expect(setupDue(stamp, now({ identity: 'ino-2' }))).toBe('new worktree');
    expect(setupDue(stamp, now({ command: '"pnpm i"' }))).toBe('the setup command changed');
    expect(setupDue(stamp, now({ hash: 'def' }))).toBe('setup_when_changed files changed');
  });

  it('runs again after a setup that failed on an agent’s change, until one passes', () => {
    const failed = { ...stamp, kept: [], failed: true };
    expect(setupDue(failed, now({ present: [] }))).toBe('the last setup failed');
    expect(setupDue(failed, now({ hash: 'def' }))).toBe('setup_when_changed files changed');
  });

  it('does not run in the same worktree again, nor in one reused from the pool that kept the install', () => {
    expect(setupDue(stamp, now())).toBeUndefined();
    expect(setupDue(stamp, now({ worktree: '/repo/.gaffer/worktrees/run/b' }))).toBeUndefined();
  });

  it('runs in a reused worktree whose clean removed what the setup installed', () => {
    const moved = { worktree: '/repo/.gaffer/worktrees/run/b' };
    expect(setupDue(stamp, now({ ...moved, present: [] }))).toBe('reused worktree: node_modules gone');
    expect(setupDue({ ...stamp, kept: [] }, now(moved))).toBe(
      'reused worktree: nothing of the setup was kept',
    );
  });
});

/** A main checkout with `.env` and `node_modules/dep`, and an empty worktree beside it. */
function checkouts() {
  const root = mkdtempSync(join(tmpdir(), 'gaffer-setup-'));
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(join(root, '.env'), 'A=1\n');
  mkdirSync(join(root, 'config'));
  writeFileSync(join(root, 'config', 'local.json'), '{}');
  const worktree = join(root, '.gaffer', 'worktrees', 'run', 'task');
  mkdirSync(worktree, { recursive: true });
  return { root, worktree };
}

const place = (root: string, worktree: string, settings: Partial<WorktreeSettings>) =>
  setupCheckout(
    {
      repo: { root } as never,
      run: {
        plan: { settings: { worktree: { copy: [], link: [], setup_when_changed: [], ...settings } } },
      } as never,
      env: {},
    },
    worktree,
  );

describe('copies and links', () => {
  it('copies over what is there and links a folder as a folder of links, leaving what the worktree installed', async () => {
    const { root, worktree } = checkouts();
    writeFileSync(join(worktree, '.env'), 'OLD=1\n');
    mkdirSync(join(worktree, 'node_modules', 'own'), { recursive: true });
    expect(await place(root, worktree, { copy: ['.env', 'config/local.json'], link: ['node_modules'] })).toBe(
      undefined,
    );
    expect(readFileSync(join(worktree, '.env'), 'utf8')).toBe('A=1\n');
    expect(readFileSync(join(worktree, 'config', 'local.json'), 'utf8')).toBe('{}');
    expect(lstatSync(join(worktree, 'node_modules')).isDirectory()).toBe(true);
    expect(readlinkSync(join(worktree, 'node_modules', 'dep'))).toBe(join(root, 'node_modules', 'dep'));
    expect(lstatSync(join(worktree, 'node_modules', 'own')).isDirectory()).toBe(true);
  });

  it('never writes through a link an agent left in the worktree', async () => {
    const { root, worktree } = checkouts();
    const elsewhere = mkdtempSync(join(tmpdir(), 'gaffer-elsewhere-'));
    symlinkSync(elsewhere, join(worktree, 'config'));
    const result = await place(root, worktree, { copy: ['config/local.json'] });
    expect(result).toMatchObject({ passed: false });
    expect(result?.output).toContain('config is not a folder in the worktree');
    expect(() => lstatSync(join(elsewhere, 'local.json'))).toThrow();
  });
});

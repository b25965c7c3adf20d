import { describe, expect, it } from 'vitest';
import { createClaudeProcess } from './claude-process.js';

const groupAlive = (pid: number | undefined) => {
  try {
    process.kill(-(pid ?? 0), 0);
    return true;
  } catch {
    return false;
  }
};

// Stands in for a Claude Code that ignores SIGTERM and has started a long shell command.
const STUBBORN = `
process.on('SIGTERM', () => {});
require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
process.stderr.write('started\\n');
setInterval(() => {}, 1000);
`;

describe('claude-code process', () => {
  it('kills the whole process group, even a child that ignores SIGTERM', async () => {
    const claude = createClaudeProcess();
    claude.spawn({
      command: process.execPath,
      args: ['-e', STUBBORN],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '' },
      signal: new AbortController().signal,
    });
    while (claude.stderrTail() !== 'started') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(groupAlive(claude.pid)).toBe(true);
    // Without the SIGKILL after the 300 ms grace, kill() would wait on `sleep 60` past the test's timeout.
    await claude.kill(300);
    expect(groupAlive(claude.pid)).toBe(false); // the leader and its `sleep` alike
  });

  it('has nothing to kill before it started', async () => {
    const claude = createClaudeProcess();
    await expect(claude.exited()).resolves.toBeUndefined();
    await expect(claude.kill(10)).resolves.toBeUndefined();
  });
});

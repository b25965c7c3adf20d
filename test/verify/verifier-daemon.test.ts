import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { allowlistedEnv } from '../../src/process/run-process.js';
import { formatFailures, runVerifier } from '../../src/verify/index.js';
import { tempDir } from './temp-dir.js';

const env = allowlistedEnv(process.env);

// A test command that starts a server inheriting its stdout (as `server & jest` does) and hangs.
const HANGS_WITH_DAEMON = `
const { spawn } = require('node:child_process');
const server = spawn(process.execPath, ['-e', 'setInterval(() => process.stdout.write("."), 20)'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log('server ' + server.pid);
setInterval(() => {}, 1000);
`;

const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('a check whose daemon keeps stdout open', () => {
  it('fails at its timeout with the daemon killed, and says it timed out', async () => {
    const spawned: number[] = [];
    const result = await runVerifier(
      { name: 'test', argv: [process.execPath, '-e', HANGS_WITH_DAEMON], source: 'plan' },
      { cwd: await tempDir(), env, timeoutMs: 3000, onSpawn: (pid) => spawned.push(pid) },
    );
    const server = Number(/server (\d+)/.exec(result.output)?.[1]);
    strays.push(server, ...spawned);
    expect(result).toMatchObject({ name: 'test', passed: false, timedOut: true, exitCode: null });
    expect(spawned).toHaveLength(1);
    expect(server).toBeGreaterThan(0);
    expect(running(server)).toBe(false);
    expect(result.output).toContain(
      'gaffer: test timed out after 3 s and was killed with its process group (raise verifiers.timeout_s if it needs longer)',
    );
    expect(formatFailures([result])).toMatch(/^### test failed \(timed out after 3 s\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN, runCli } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

const PLAN = `agent: script
concurrency: 2
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { sleep_ms: 20000 }, { write: { path: s.txt, content: s } } ] }
  - id: after
    title: After
    depends_on: [slow]
`;

function startRun(repo: string): { done: Promise<CliResult>; kill: (signal: NodeJS.Signals) => void } {
  const child = spawn(process.execPath, [GAFFER_BIN, 'run', 'plan.yaml'], {
    cwd: repo,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return {
    done: new Promise((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    ),
    kill: (signal) => child.kill(signal),
  };
}

async function runningRunId(repo: string): Promise<string> {
  for (;;) {
    try {
      const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
      const run = (await store.listRuns())[0];
      const slow = run && (await store.getTask(run.id, 'slow'));
      await store.close();
      if (run && slow?.status === 'running') return run.id;
    } catch {
      // the database is not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('steering a run from another terminal', () => {
  it('gaffer pause stops the run with exit code 3, and gaffer resume finishes it', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN.replace('20000', '4000') });
    const run = startRun(repo);
    const runId = await runningRunId(repo);
    const paused = await runCli(['pause', runId, '--reason', 'lunch break'], repo);
    expect(paused.code).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('paused: lunch break');
    expect(result.stdout).toContain(`gaffer resume ${runId}`);

    const resumed = await runCli(['resume', runId], repo);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/completed.*2\/2 tasks passed/);
  }, 60_000);

  it('a SIGTERM pauses the run cleanly (exit code 3) and it resumes later', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN.replace('20000', '3000') });
    const run = startRun(repo);
    const runId = await runningRunId(repo);
    run.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('paused: interrupted by SIGTERM');
    const resumed = await runCli(['resume', runId], repo);
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 60_000);

  it('gaffer cancel ends the run with exit code 1 and a cancelled status', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const run = startRun(repo);
    const runId = await runningRunId(repo);
    expect((await runCli(['cancel', runId], repo)).code).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(1);
    const status = JSON.parse((await runCli(['status', runId, '--json'], repo)).stdout) as {
      run: { status: string };
      tasks: { taskId: string; status: string }[];
    };
    expect(status.run.status).toBe('cancelled');
    expect(status.tasks.map((t) => `${t.taskId}:${t.status}`)).toEqual(['slow:cancelled', 'after:cancelled']);
    const again = await runCli(['resume', runId], repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already ended/);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { GAFFER_BIN, runCli } from '../support/cli.js';
import type { CliResult } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

// The slow task's agent waits until the test opens its gate (a file outside the repository), so
// the run is still working when the test steers it however long a loaded machine takes to get
// there, and finishes as soon as the test lets it.
const GATE = `import { existsSync } from 'node:fs';
const timer = setInterval(() => existsSync(process.argv[2]) && clearInterval(timer), 25);
`;

// The gate lives outside the worktree: the sandbox lets the agent read it.
const plan = (gate: string) => `agent: script
sandbox: { readable: [${JSON.stringify(dirname(gate))}] }
concurrency: 2
autonomy: full_auto
tasks:
  - id: slow
    title: Slow
    agent_config: { steps: [ { run: [${JSON.stringify(process.execPath)}, gate.mjs, ${JSON.stringify(gate)}] }, { write: { path: s.txt, content: s } } ] }
  - id: after
    title: After
    depends_on: [slow]
    allow_empty: true
`;

/** A repository whose slow task waits for `open()`. */
function gatedRepo(): { repo: string; open: () => void } {
  const gate = join(mkdtempSync(join(tmpdir(), 'gaffer-gate-')), 'open');
  const repo = makeRepo({ 'plan.yaml': plan(gate), 'gate.mjs': GATE });
  return { repo, open: () => writeFileSync(gate, '') };
}

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

/** The run's id once its slow task is running (the database may not exist yet when polling starts). */
function runningRunId(repo: string): Promise<string> {
  return waitFor(async () => {
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const run = (await store.listRuns())[0];
      const slow = run && (await store.getTask(run.id, 'slow'));
      return run && slow?.status === 'running' && run.id;
    } finally {
      await store.close();
    }
  }, 'the slow task to be running');
}

describe('steering a run from another terminal', () => {
  it('gaffer pause stops the run with exit code 3, and gaffer resume finishes it', async () => {
    const { repo, open } = gatedRepo();
    const run = startRun(repo);
    const runId = await runningRunId(repo);
    const paused = await runCli(['pause', runId, '--reason', 'lunch break'], repo);
    expect(paused.code).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('paused: lunch break');
    expect(result.stdout).toContain(`gaffer resume ${runId}`);

    open();
    const resumed = await runCli(['resume', runId], repo);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/completed.*2\/2 tasks passed/);
  }, 60_000);

  it('a SIGTERM pauses the run cleanly (exit code 3) and it resumes later', async () => {
    const { repo, open } = gatedRepo();
    const run = startRun(repo);
    const runId = await runningRunId(repo);
    run.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('paused: interrupted by SIGTERM');
    open();
    const resumed = await runCli(['resume', runId], repo);
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 60_000);

  it('gaffer cancel ends the run with exit code 1 and a cancelled status', async () => {
    const { repo } = gatedRepo(); // never opened: only the cancel ends the slow task
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

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GAFFER_BIN } from '../support/cli.js';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';

const REVIEW_ALL = `agent: script
autonomy: review_all
tasks:
  - id: a
    title: Write a
    agent_config: { steps: [ { write: { path: a.txt, content: "a" } } ] }
`;

// The built binary (`npm run build` first, as `npm test` does), as a user starts it.
describe('gaffer run --serve', () => {
  it('drives the run with the dashboard open; approved there, the run completes and Ctrl-C exits 0', async () => {
    const repo = makeRepo({ 'plan.yaml': REVIEW_ALL });
    const home = mkdtempSync(join(tmpdir(), 'gaffer-home-'));
    const child = spawn(process.execPath, [GAFFER_BIN, 'run', 'plan.yaml', '--serve', '0', '--no-open'], {
      cwd: repo,
      env: { ...process.env, HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    onTestFinished(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [, origin, token] = await waitFor(
      () => /gaffer serve: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)\n/.exec(stdout),
      `the dashboard URL (stderr: ${stderr})`,
    );
    const api = async (method: string, path: string) => {
      const res = await fetch(`${origin}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      return (await res.json()) as Record<string, unknown>;
    };
    const runId = await waitFor(async () => {
      const { runs } = (await api('GET', '/api/runs')) as { runs: { id: string }[] };
      return runs[0]?.id;
    }, 'the run to be listed');
    const approvalId = await waitFor(async () => {
      const { approvals } = (await api('GET', `/api/runs/${runId}/approvals`)) as {
        approvals: { approvalId: string; open: boolean }[];
      };
      return approvals.find((a) => a.open)?.approvalId;
    }, 'the result to wait for approval');
    // The terminal's drive ends there (nothing left but a decision); the dashboard stays.
    await waitFor(() => stderr.includes('the dashboard stays at'), 'the drive to pause for the decision');
    expect(await api('POST', `/api/approvals/${approvalId}/approve`)).toMatchObject({ resumed: true });
    await waitFor(async () => {
      const { run } = (await api('GET', `/api/runs/${runId}`)) as { run: { status: string } };
      return run.status === 'completed';
    }, 'the run to complete');
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`).trim()).toBe('a');

    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';
import { spawnGaffer } from './spawn-gaffer.js';

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
    const { child, exited, printed } = spawnGaffer(['run', 'plan.yaml', '--serve', '0', '--no-open'], repo);
    const [, origin, token] = await waitFor(
      () => /gaffer serve: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)\n/.exec(printed.stdout),
      `the dashboard URL (stderr: ${printed.stderr})`,
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
    await waitFor(
      () => printed.stderr.includes('the dashboard stays at'),
      'the drive to pause for the decision',
    );
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

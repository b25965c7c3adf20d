import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../support/repo.js';
import { connectHarness, textOf } from './mcp-harness.js';
import { REVIEWED_PLAN } from './plans.js';

interface Listed {
  approvals: {
    approvalId: string;
    kind: string;
    taskId: string | null;
    attempt: number;
    confidence: string;
  }[];
}

describe('gaffer over MCP: approvals', () => {
  it('start_run drives in the background until a result waits; approve merges it and the run completes', async () => {
    const repo = makeRepo({ 'plan.yaml': REVIEWED_PLAN });
    const mcp = await connectHarness(repo);
    const started = await mcp.ok<{ runId: string; status: string; tasks: string[] }>('start_run', {
      plan: 'plan.yaml',
    });
    expect(started).toMatchObject({ status: 'pending', tasks: ['a'] });
    const { runId } = started;

    const waiting = await mcp.statusUntil(
      runId,
      'a waits for approval',
      (s) => s.openApprovals === 1 && !s.driven,
    );
    expect(waiting).toMatchObject({ status: 'paused', tasks: [{ id: 'a', status: 'awaiting_approval' }] });
    const { approvals } = await mcp.ok<Listed>('list_approvals', { run: runId });
    expect(approvals).toMatchObject([{ kind: 'task', taskId: 'a', attempt: 1, confidence: 'yellow' }]);
    expect(await mcp.ok<Listed>('list_approvals')).toEqual({ approvals });

    const approved = await mcp.call('approve', { approval: approvals[0]?.approvalId });
    expect(approved.structuredContent).toMatchObject({ decision: 'approved', runId, runDriven: false });
    expect(textOf(approved)).toContain(`resume_run {run: "${runId}"}`);
    expect((await mcp.ok<Listed>('list_approvals', { run: runId })).approvals).toEqual([]);

    await mcp.ok('resume_run', { run: runId });
    const done = await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed');
    expect(done.tasks).toMatchObject([{ id: 'a', status: 'passed' }]);
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`)).toBe('first');
  });

  it('deny sends the task back for rework with the reason; its new result waits in turn', async () => {
    const repo = makeRepo({ 'plan.yaml': REVIEWED_PLAN });
    const mcp = await connectHarness(repo);
    const { runId } = await mcp.ok<{ runId: string }>('start_run', { plan: 'plan.yaml' });
    await mcp.statusUntil(runId, 'a waits for approval', (s) => s.openApprovals === 1 && !s.driven);
    const [first] = (await mcp.ok<Listed>('list_approvals', { run: runId })).approvals;

    const denied = await mcp.call('deny', { approval: first?.approvalId, reason: 'write "second" instead' });
    expect(denied.structuredContent).toMatchObject({ decision: 'denied', runDriven: false });
    expect(textOf(denied)).toContain('the task goes back for rework when the run continues');
    const decided = (await mcp.engine.approvals(runId))[0]?.decision;
    expect(decided).toMatchObject({ decision: 'denied', reason: 'write "second" instead' });

    await mcp.ok('resume_run', { run: runId });
    const reworked = await mcp.statusUntil(
      runId,
      'the rework waits for approval',
      (s) => s.openApprovals === 1 && !s.driven,
    );
    expect(reworked.tasks).toMatchObject([{ id: 'a', status: 'awaiting_approval', attempts: 2, reworks: 1 }]);
    const [second] = (await mcp.ok<Listed>('list_approvals', { run: runId })).approvals;
    expect(second).toMatchObject({ taskId: 'a', attempt: 2 });
    expect(second?.approvalId).not.toBe(first?.approvalId);

    await mcp.ok('approve', { approval: second?.approvalId });
    await mcp.ok('resume_run', { run: runId });
    await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed');
    expect(git(repo, 'show', `gaffer/${runId}:a.txt`)).toBe('second');
  });
});

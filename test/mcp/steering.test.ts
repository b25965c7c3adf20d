import { describe, expect, it } from 'vitest';
import { git, makeRepo } from '../support/repo.js';
import { connectHarness } from './mcp-harness.js';
import { BUDGET_PLAN, gatedRepo, QUESTION_PLAN } from './plans.js';

describe('gaffer over MCP: steering runs', () => {
  it('pause_run stops a driven run; resume_run drives it on to the end', async () => {
    const { repo, open } = gatedRepo();
    const mcp = await connectHarness(repo);
    const { runId } = await mcp.ok<{ runId: string }>('start_run', { plan: 'plan.yaml' });
    await mcp.statusUntil(runId, 'the slow task runs', (s) => s.tasks[0]?.status === 'running');
    expect(await mcp.fails('resume_run', { run: runId })).toContain(`run ${runId} is being driven already`);

    expect(await mcp.ok('pause_run', { run: runId, reason: 'lunch break' })).toEqual({
      runId,
      status: 'running',
      pausing: true,
    });
    const paused = await mcp.statusUntil(runId, 'the run pauses', (s) => s.status === 'paused' && !s.driven);
    expect(paused.reason).toBe('lunch break');
    expect(paused.tasks[0]?.status).not.toBe('passed');

    open();
    await mcp.ok('resume_run', { run: runId });
    const done = await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed');
    expect(done).toMatchObject({ driveError: null, tasks: [{ id: 'slow', status: 'passed' }] });
    expect(git(repo, 'show', `gaffer/${runId}:s.txt`)).toBe('s');
  });

  it('resume_run raises a budget first; a refused raise starts nothing', async () => {
    const repo = makeRepo({ 'plan.yaml': BUDGET_PLAN });
    const mcp = await connectHarness(repo);
    const { runId } = await mcp.ok<{ runId: string }>('start_run', { plan: 'plan.yaml' });
    const paused = await mcp.statusUntil(
      runId,
      'the budget pauses the run',
      (s) => s.status === 'paused' && !s.driven,
    );
    expect(paused.pausedByBudget).toContain("the run's tokens limit is reached");
    expect(paused.budgets).toMatchObject([{ scope: 'run', limit: 'tokens', max: 2000 }]);

    // The plan sets no cost limit: refused, and the run stays as it was.
    expect(await mcp.fails('resume_run', { run: runId, raise: { cost_usd: 5 } })).toContain('cost_usd');
    expect(await mcp.ok('run_status', { run: runId })).toEqual(paused);

    const resumed = await mcp.ok<{ raised: unknown[] }>('resume_run', {
      run: runId,
      raise: { tokens: 100_000 },
    });
    expect(resumed.raised).toEqual([
      { limit: 'tokens', scope: 'run', taskId: null, from: 2000, to: 100_000 },
    ]);
    const done = await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed');
    expect(done.tasks.map((t) => t.status)).toEqual(['passed', 'passed']);
  });

  it("list_questions shows an agent's question; answer_question lets it go on", async () => {
    const mcp = await connectHarness(makeRepo({ 'plan.yaml': QUESTION_PLAN }));
    const { runId } = await mcp.ok<{ runId: string }>('start_run', { plan: 'plan.yaml' });
    await mcp.statusUntil(runId, 'the agent asks', (s) => s.openQuestions === 1);
    const { questions } = await mcp.ok<{ questions: { questionId: string; question: string }[] }>(
      'list_questions',
    );
    expect(questions).toMatchObject([{ question: 'Which port should the server use?' }]);
    const questionId = questions[0]?.questionId ?? '';

    expect(await mcp.fails('answer_question', { question: questionId })).toContain(
      `no answer given for "${questionId}"`,
    );
    expect(await mcp.ok('answer_question', { question: questionId, answer: 'Use 8080' })).toEqual({
      questionId,
      accepted: false,
    });
    await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed');
    expect(await mcp.fails('answer_question', { question: questionId, answer: 'late' })).toContain(
      'it was answered already (by person)',
    );
  });
});

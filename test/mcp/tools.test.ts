import { describe, expect, it } from 'vitest';
import { makeRepo } from '../support/repo.js';
import { connectHarness, textOf } from './mcp-harness.js';
import type { RunStatus } from './mcp-harness.js';
import { REVIEWED_PLAN } from './plans.js';

const TOOLS = [
  'answer_question',
  'approve',
  'check_plan',
  'deny',
  'list_approvals',
  'list_questions',
  'pause_run',
  'resume_run',
  'run_status',
  'start_run',
];

// A dependency on a task that does not exist, on line 5.
const BAD_PLAN = `agent: script
tasks:
  - id: a
    title: A
    depends_on: [nope]
`;

describe('gaffer over MCP: the tools', () => {
  it('lists every tool with a description and input and output schemas', async () => {
    const mcp = await connectHarness(makeRepo({ 'README.md': 'empty' }));
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const start = tools.find((t) => t.name === 'start_run');
    expect(start?.inputSchema.required).toEqual(['plan']);
  });

  it('check_plan says a plan is valid, or lists its problems with file:line', async () => {
    const mcp = await connectHarness(makeRepo({ 'plan.yaml': REVIEWED_PLAN, 'bad.yaml': BAD_PLAN }));
    const good = await mcp.call('check_plan', { plan: 'plan.yaml' });
    expect(good.isError).toBeFalsy();
    expect(good.structuredContent).toEqual({ valid: true, plan: { name: 'plan', tasks: ['a'] }, issues: [] });
    expect(textOf(good)).toContain('plan.yaml is valid');

    const bad = await mcp.call('check_plan', { plan: 'bad.yaml' });
    expect(bad.isError).toBeFalsy();
    const { valid, issues } = bad.structuredContent as {
      valid: boolean;
      issues: { file: string; line: number }[];
    };
    expect(valid).toBe(false);
    expect(issues[0]).toMatchObject({ file: 'bad.yaml', line: 5, kind: 'unknown-dependency' });
    expect(textOf(bad)).toMatch(/^bad\.yaml:5:\d+: .*nope/m);

    expect(await mcp.fails('check_plan', { plan: 'missing.yaml' })).toContain(
      'plan file not found: missing.yaml',
    );
  });

  it('turns user mistakes into tool errors with a hint, and changes nothing', async () => {
    const mcp = await connectHarness(makeRepo({ 'plan.yaml': REVIEWED_PLAN, 'bad.yaml': BAD_PLAN }));
    expect(await mcp.fails('run_status')).toContain('there are no runs in this repository yet');
    const badPlan = await mcp.fails('start_run', { plan: 'bad.yaml' });
    expect(badPlan).toMatch(/\/bad\.yaml:5:\d+: task "a" depends on unknown task "nope"/);
    expect(await mcp.engine.listRuns()).toEqual([]);
    expect(await mcp.fails('run_status', { run: 'nope' })).toBe(
      'no run named "nope"\nhint: list runs with `gaffer status`',
    );
    // Input the schema refuses never reaches the engine.
    expect(await mcp.fails('start_run', { plan: 'plan.yaml', concurrency: 0 })).toContain(
      'Input validation error',
    );

    const { runId } = await mcp.ok<{ runId: string }>('start_run', { plan: 'plan.yaml' });
    const waiting = await mcp.statusUntil(
      runId,
      'a waits for approval',
      (s) => s.openApprovals === 1 && !s.driven,
    );
    const unknown = await mcp.fails('approve', { approval: 'nope' });
    expect(unknown).toContain('no result waits for approval as "nope"');
    expect(unknown).toContain('hint: ');
    expect(await mcp.fails('deny', { approval: 'a', reason: '' })).toContain('Input validation error');
    expect(await mcp.ok<RunStatus>('run_status', { run: runId })).toEqual(waiting);
    expect(await mcp.engine.approvals(runId)).toMatchObject([{ taskId: 'a', open: true }]);
    expect((await mcp.engine.approvals(runId))[0]?.decision).toBeUndefined();

    await mcp.ok('approve', { approval: 'a' });
    expect(await mcp.fails('approve', { approval: `${runId}.a.1.eval` })).toContain(
      `approval ${runId}.a.1.eval was already approved by person`,
    );
    await mcp.ok('resume_run', { run: runId });
    await mcp.statusUntil(runId, 'the run completes', (s) => s.status === 'completed' && !s.driven);
    const ended = await mcp.fails('resume_run', { run: runId });
    expect(ended).toContain(`run ${runId} has already completed`);
    expect((await mcp.ok<RunStatus>('run_status', { run: runId })).status).toBe('completed');
  });
});

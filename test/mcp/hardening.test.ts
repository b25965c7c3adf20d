import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../support/repo.js';
import { connectHarness } from './mcp-harness.js';
import type { RunStatus } from './mcp-harness.js';
import { QUICK_PLAN } from '../server/harness.js';

// No key-like pattern: only knowing the value masks it.
const SECRET = 'correct-horse-battery-staple-9f3a';
afterEach(() => {
  delete process.env.GAFFER_HARDENING_API_KEY;
});

describe('gaffer over MCP, hardened', () => {
  it('two resume_run calls at once start one drive; the other is refused and nothing fails', async () => {
    const repo = makeRepo({ 'plan.yaml': QUICK_PLAN });
    const mcp = await connectHarness(repo);
    const run = await mcp.engine.createRun({ planPath: join(repo, 'plan.yaml'), cwd: repo });
    const [first, second] = await Promise.all([
      mcp.call('resume_run', { run: run.id }),
      mcp.call('resume_run', { run: run.id }),
    ]);
    expect([first.isError ?? false, second.isError ?? false].sort()).toEqual([false, true]);
    const done = await mcp.statusUntil(run.id, 'completed', (s: RunStatus) => s.status === 'completed');
    expect(done.driveError).toBeNull();
  });

  it('masks secret values in what it sends, errors included, and reads no plan outside the repository', async () => {
    process.env.GAFFER_HARDENING_API_KEY = SECRET;
    const mcp = await connectHarness(makeRepo({ 'plan.yaml': QUICK_PLAN }));
    for (const [tool, args] of [
      ['check_plan', { plan: `${SECRET}.yaml` }],
      ['run_status', { run: SECRET }],
      ['approve', { approval: `${SECRET}.a.1.eval` }],
    ] as const) {
      const error = await mcp.fails(tool, args);
      expect(error, tool).not.toContain(SECRET);
      expect(error, tool).toContain('[REDACTED]');
    }
    const outside = join(mkdtempSync(join(tmpdir(), 'gaffer-outside-')), 'plan.yaml');
    writeFileSync(outside, QUICK_PLAN);
    expect(await mcp.fails('check_plan', { plan: outside })).toContain('not inside the served repository');
    expect(await mcp.fails('start_run', { plan: '../outside.yaml' })).toContain(
      'not inside the served repository',
    );
    expect(await mcp.engine.listRuns()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli, runMain } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

const PLAN = `agent: script
autonomy: full_auto
tasks:
  - id: a
    title: A
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
  - id: b
    title: B
    depends_on: [a]
    agent_config: { steps: [ { write: { path: b.txt, content: b } } ] }
`;

describe('gaffer run output', () => {
  // The built binary end to end: its stdout, line by line, and its exit code.
  it('--json prints every event as one JSON object per line, in order', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const result = await runCli(['run', 'plan.yaml', '--json'], repo);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; type: string; taskId?: string });
    expect(events[0]?.type).toBe('run.created');
    expect(events.at(-1)?.type).toBe('run.completed');
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((x, y) => x - y));
    const passed = events.filter((e) => e.type === 'task.passed').map((e) => e.taskId);
    expect(passed).toEqual(['a', 'b']);
  });

  // In-process, with an output that is not a terminal, as a pipe is.
  it('without a terminal prints one readable line per event and a summary', async () => {
    const repo = makeRepo({ 'plan.yaml': PLAN });
    const result = await runMain(['run', 'plan.yaml'], repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d {2}a: passed and merged \(1 files\)/m);
    expect(result.stdout).toMatch(/run \S+ completed in \d+s: 2\/2 tasks passed, 2 attempts/);
    expect(result.stdout).not.toContain('\u001b['); // no escape codes when not a terminal
  });
});

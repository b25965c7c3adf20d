import { describe, expect, it } from 'vitest';
import type { PlanTask } from '../domain/index.js';
import { buildPrompt } from './prompt.js';

const task: PlanTask = {
  id: 'parse',
  title: 'Parse arguments',
  description: 'Use node:util parseArgs.',
  depends_on: [],
  deliverables: ['src/args.ts'],
  acceptance_criteria: ['--help prints usage'],
  context_files: ['src/main.ts'],
};
const base = { task, protectedPaths: ['.git/**', '.gaffer/**'], instructions: 'Two-space indent.' };

describe('buildPrompt', () => {
  it('puts the stable parts first and the task after them', () => {
    const prompt = buildPrompt({ ...base, kind: 'first', attemptNumber: 1 });
    const order = [
      'protected',
      'Repository instructions',
      'Task parse',
      'Acceptance criteria',
      'Deliverables',
      'Files worth',
    ];
    const positions = order.map((text) => prompt.indexOf(text));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompt).not.toContain('Rework');
  });

  it('tells a rework what failed, and a resumed rework too', () => {
    const rework = buildPrompt({
      ...base,
      kind: 'rework',
      attemptNumber: 2,
      feedback: 'test failed: expected 1',
    });
    expect(rework).toContain('## Rework (attempt 2)');
    expect(rework).toContain('test failed: expected 1');
    const resumed = buildPrompt({
      ...base,
      kind: 'resume',
      attemptNumber: 3,
      feedback: 'test failed: expected 1',
    });
    expect(resumed).toContain('## Resumed (attempt 3)');
    expect(resumed).toContain('test failed: expected 1');
  });
});

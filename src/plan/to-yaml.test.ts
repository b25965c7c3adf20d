import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../domain/index.js';
import { planToYaml, validatePlan } from './index.js';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';

function roundTrip(plan: Plan): Plan {
  const result = validatePlan(planToYaml(plan), { file: 'other-name.yaml' });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.plan;
}

describe('planToYaml', () => {
  it('round-trips the diamond fixture', async () => {
    const text = await readFile(
      fileURLToPath(new URL('../../test/fixtures/plans/diamond.yaml', import.meta.url)),
      'utf8',
    );
    const parsed = validatePlan(text);
    if (!parsed.ok) throw new Error('fixture should be valid');
    expect(roundTrip(parsed.plan)).toEqual(parsed.plan);
  });

  it('round-trips values YAML would otherwise misread, and writes no aliases', () => {
    const shared = ['base'];
    const plan: Plan = {
      name: 'tricky',
      settings: {
        base_branch: 'release/1.0',
        concurrency: 1,
        agent_concurrency: { 'claude-code': 1 },
        max_rework: 0,
        question_timeout_s: 600,
        pricing: {},
        budgets: { tokens: 1000 },
        agent: 'command',
        protected_paths: ['*.lock', '#notes'],
        verifiers: { commands: { test: ['npm', 'test', '--', '--grep', 'a: b'] }, timeout_s: 30 },
        retry: DEFAULT_RETRY_POLICY,
        agents: { command: { argv: ['agent', '--flag'], env: { A: 'yes' } } },
      },
      tasks: [
        {
          id: 'base',
          title: 'yes',
          description: 'line one\nline two: with colon\n  indented # not a comment\n',
          depends_on: [],
          deliverables: ['007'],
          acceptance_criteria: ['true', 'null', '- dash', '"quoted"'],
          context_files: [],
          order: 0,
        },
        {
          id: '1',
          title: 'a: b',
          description: '',
          depends_on: shared,
          deliverables: [],
          acceptance_criteria: [],
          context_files: [],
          estimate_s: 1.5,
        },
        {
          id: 'c',
          title: 'c',
          description: '',
          depends_on: shared,
          deliverables: [],
          acceptance_criteria: [],
          context_files: [],
          agent_config: { steps: [{ write: 'x' }] },
        },
      ],
    };
    const text = planToYaml(plan);
    expect(text).not.toMatch(/[&*]a\d/);
    expect(roundTrip(plan)).toEqual(plan);
  });

  it("keeps each task's covers (the spec's acceptance-criterion ids), empty ones too", () => {
    const text =
      'tasks:\n  - { id: a, title: A, covers: [AC-1.1, AC-2.3] }\n  - { id: b, title: B, covers: [] }\n  - { id: c, title: C }\n';
    const result = validatePlan(text, { file: 'plan.yaml' });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(planToYaml(result.plan)).toContain('    covers:\n      - AC-1.1\n      - AC-2.3\n');
    const back = roundTrip(result.plan);
    expect(back).toEqual(result.plan);
    expect(back.tasks.map((t) => t.covers)).toEqual([['AC-1.1', 'AC-2.3'], [], undefined]);
  });

  it('leaves defaults out and keeps the flat file layout', () => {
    const result = validatePlan('tasks: [{ id: a, title: A }]\n', { file: 'plan.yaml' });
    if (!result.ok) throw new Error('should be valid');
    expect(planToYaml(result.plan)).toBe(
      [
        'name: plan',
        'concurrency: 4',
        'max_rework: 2',
        'agent: claude-code',
        'tasks:',
        '  - id: a',
        '    title: A',
        '',
      ].join('\n'),
    );
  });
});

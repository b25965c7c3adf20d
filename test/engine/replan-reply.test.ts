import { describe, expect, it } from 'vitest';
import { readReplanReply } from '../../src/engine/replan/index.js';
import { criteriaOfPlan, withCoveredCriteria } from '../../src/engine/spec/covered-criteria.js';

const reply = (covers: string) =>
  `\`\`\`yaml\ntasks:\n  - id: refuse-blank\n    title: Refuse a blank name\n    covers: ${covers}\n\`\`\``;

const context = {
  agent: 'script',
  passed: [],
  takenIds: ['greet-name', 'refuse-empty'],
  agents: ['script'],
  templates: [],
  runSlug: 'greet',
  maxTasks: 10,
  pathExists: () => true,
};

describe("a planner's `covers`", () => {
  it('is kept when it names criteria the run covers', () => {
    const read = readReplanReply(reply('[AC-1.2]'), { ...context, coverable: ['AC-1.1', 'AC-1.2'] });
    expect(read).toMatchObject({ ok: true, tasks: [{ id: 'refuse-blank', covers: ['AC-1.2'] }] });
  });

  it('is sent back when it names a criterion the run does not know', () => {
    const read = readReplanReply(reply('[AC-1.2, AC-9.9]'), { ...context, coverable: ['AC-1.1', 'AC-1.2'] });
    expect(read).toEqual({
      ok: false,
      errors: [
        'task "refuse-blank": covers "AC-9.9", which is no acceptance criterion of this run (known: AC-1.1, AC-1.2)',
      ],
    });
  });

  it('is refused in a run from no spec', () => {
    const read = readReplanReply(reply('[AC-1.2]'), context);
    expect(read).toEqual({
      ok: false,
      errors: [
        'task "refuse-blank": `covers` names a spec\'s acceptance criteria, and this run is from no spec: leave it out',
      ],
    });
  });
});

describe('covered criteria', () => {
  it("reads a plan's criteria from its acceptance lines and gives them to tasks once", () => {
    const criteria = criteriaOfPlan({
      tasks: [
        { covers: ['AC-1.2'], acceptance_criteria: ['be kind', 'AC-1.2: IF empty THEN throw'] },
        { covers: ['AC-1.3'], acceptance_criteria: [] },
      ] as never,
    });
    expect(criteria).toEqual({ 'AC-1.2': 'IF empty THEN throw' });
    const tasks = withCoveredCriteria(
      [
        { covers: ['AC-1.2', 'AC-1.2', 'AC-1.3'], acceptance_criteria: [] },
        { covers: ['AC-1.2'], acceptance_criteria: ['AC-1.2: IF empty THEN throw'] },
        { acceptance_criteria: ['x'] },
      ],
      criteria,
    );
    expect(tasks.map((t) => t.acceptance_criteria)).toEqual([
      ['AC-1.2: IF empty THEN throw'],
      ['AC-1.2: IF empty THEN throw'],
      ['x'],
    ]);
  });
});

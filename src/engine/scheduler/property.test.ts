import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt, type Random } from '../../../test/support/scheduler/random.js';
import { randomDag, type SimTask } from '../../../test/support/scheduler/random-dag.js';
import { simulate, type SimulationResult } from '../../../test/support/scheduler/simulate.js';
import { dependencyLevels } from './critical-path.js';
import type { SchedulerConfig } from './types.js';

const AGENTS = ['claude', 'codex', 'script'];
const SEED = 20_240_611;

interface Case {
  tasks: SimTask[];
  config: SchedulerConfig;
  blocked: Set<string>;
}

function randomCase(random: Random): Case {
  const tasks = randomDag(random, {
    size: 1 + randomInt(random, 60),
    agents: AGENTS,
    estimates: random() < 0.5,
  });
  const agentConcurrency: Record<string, number> = {};
  for (const agent of AGENTS) if (random() < 0.5) agentConcurrency[agent] = 1 + randomInt(random, 3);
  const blocked = new Set(tasks.filter(() => random() < 0.08).map((task) => task.id));
  return {
    tasks,
    blocked,
    config: {
      concurrency: 1 + randomInt(random, 6),
      agentConcurrency,
      keepGoing: random() < 0.5,
      mode: random() < 0.75 ? 'critical-path' : 'waves',
    },
  };
}

/** Every task that transitively depends on one of `roots`. */
function dependentsOf(tasks: SimTask[], roots: Set<string>): Set<string> {
  const found = new Set<string>();
  for (const task of tasks) {
    // Plan order is a topological order in generated DAGs.
    if (task.deps.some((dep) => roots.has(dep) || found.has(dep))) found.add(task.id);
  }
  return found;
}

/** Limits, dependencies and work conservation; returns what was violated (empty when none). */
function violations({ tasks, config, blocked }: Case, run: SimulationResult): string[] {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const problems: string[] = [];
  if (run.finishCount !== 1) problems.push(`finish emitted ${run.finishCount} times`);
  if (run.maxRunning > config.concurrency) problems.push(`${run.maxRunning} running > ${config.concurrency}`);
  for (const [agent, most] of run.maxRunningByAgent) {
    const limit = config.agentConcurrency[agent] ?? config.concurrency;
    if (most > limit) problems.push(`${most} ${agent} sessions > ${limit}`);
  }
  if (new Set(run.dispatchOrder).size !== run.dispatchOrder.length)
    problems.push('a task was dispatched twice');
  for (const id of run.dispatchOrder) {
    for (const dep of byId.get(id)?.deps ?? []) {
      const depEnd = run.ends.get(dep);
      if (blocked.has(dep) || depEnd === undefined || (run.starts.get(id) ?? -1) < depEnd) {
        problems.push(`${id} started before its dependency ${dep} passed`);
      }
    }
  }
  for (const { state, atS } of run.trace) {
    if (state.running < 0) problems.push(`negative running count at ${atS}`);
    // Work conserving: a ready task waits only for a slot or its agent's limit (or, in waves, its level).
    if (config.mode !== 'critical-path' || state.halted !== 'none' || state.running >= config.concurrency)
      continue;
    for (const id of state.ready) {
      const agent = byId.get(id)?.agent ?? '';
      if (state.runningByAgent.get(agent) !== config.agentConcurrency[agent]) {
        problems.push(`${id} left waiting with a free slot at ${atS}`);
      }
    }
  }
  return problems;
}

function checkOutcome({ tasks, config, blocked }: Case, run: SimulationResult): void {
  const status = (id: string) => run.state.status[run.state.graph.index.get(id) ?? -1];
  const hitBlocked = tasks.filter((task) => blocked.has(task.id) && run.starts.has(task.id));
  if (hitBlocked.length === 0) {
    expect(run.outcome).toBe('completed');
    expect(run.state.counts.passed).toBe(tasks.length);
    return;
  }
  expect(run.outcome).toBe('failed');
  if (config.keepGoing) {
    const skipped = dependentsOf(tasks, blocked);
    for (const task of tasks) {
      const expected =
        blocked.has(task.id) && !skipped.has(task.id)
          ? 'blocked'
          : skipped.has(task.id)
            ? 'skipped'
            : 'passed';
      expect(status(task.id), task.id).toBe(expected);
    }
    expect(run.reason).toMatch(new RegExp(`^${hitBlocked.length} task\\(s\\) blocked: `));
  } else {
    const firstBlock = run.trace.findIndex((step) => step.event.type === 'task-blocked');
    const later = run.trace.slice(firstBlock).flatMap((step) => step.actions);
    expect(later.some((action) => action.type === 'dispatch')).toBe(false);
    expect(run.reason).toBe(
      `${(run.trace[firstBlock]?.event as { taskId: string }).taskId} failed its checks`,
    );
    for (const task of tasks) expect(['passed', 'blocked', 'cancelled']).toContain(status(task.id));
  }
}

describe('scheduler properties over 200 seeded random DAGs', () => {
  it(`respects every limit, every dependency and finishes exactly once (seed ${SEED})`, () => {
    const random = mulberry32(SEED);
    let failedRuns = 0;
    for (let i = 0; i < 200; i++) {
      const c = randomCase(random);
      const run = simulate(c.tasks, c.config, { blocked: c.blocked });
      expect(violations(c, run), `case ${i}`).toEqual([]);
      checkOutcome(c, run);
      if (run.outcome === 'failed') failedRuns += 1;
    }
    // The generator must exercise both paths for the checks above to mean anything.
    expect(failedRuns).toBeGreaterThan(20);
    expect(failedRuns).toBeLessThan(180);
  });

  it('waves never start a level before the previous one has settled', () => {
    const random = mulberry32(SEED + 1);
    for (let i = 0; i < 50; i++) {
      const tasks = randomDag(random, { size: 2 + randomInt(random, 40) });
      const concurrency = 1 + randomInt(random, 6);
      const run = simulate(tasks, { concurrency, agentConcurrency: {}, keepGoing: false, mode: 'waves' });
      const levels = dependencyLevels(tasks);
      const levelEnd = new Map<number, number>();
      for (const task of tasks) {
        const level = levels.get(task.id) ?? 0;
        levelEnd.set(level, Math.max(levelEnd.get(level) ?? 0, run.ends.get(task.id) ?? 0));
      }
      for (const task of tasks) {
        const level = levels.get(task.id) ?? 0;
        if (level > 0) expect(run.starts.get(task.id)).toBeGreaterThanOrEqual(levelEnd.get(level - 1) ?? 0);
      }
      expect(run.outcome).toBe('completed');
    }
  });
});

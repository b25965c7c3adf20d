/**
 * How close dependency-driven dispatch gets to the best possible makespan, against
 * level-by-level waves, on seeded random DAGs in virtual time.
 *
 *   npx tsx bench/schedule.ts [--seed 42] [--trials 5]
 *
 * Ratio = makespan ÷ max(critical path, total work ÷ slots); 1.00 is optimal. Each column names
 * the estimate model the scheduler was given: `perfect` (every task's estimate is its true
 * duration), `noisy` (the true duration × lognormal(0, 0.5): half the time off by more than a factor of 1.4,
 * drawn from its own seeded stream so the DAGs stay those of the other columns), `none` (no
 * estimates: every task counts the same).
 */
import type { SchedulerConfig } from '../src/engine/scheduler/index.js';
import { mulberry32, randomLogNormal, type Random } from '../test/support/scheduler/random.js';
import { randomDag, withoutEstimates, type SimTask } from '../test/support/scheduler/random-dag.js';
import { lowerBoundS, simulate } from '../test/support/scheduler/simulate.js';

const SIZES = [20, 50, 100, 200, 500];
const SLOTS = [2, 4, 8, 16];
/** σ of the noisy estimate model's lognormal factor. */
const NOISE_SIGMA = 0.5;

interface Cell {
  size: number;
  slots: number;
  criticalPath: number;
  noisyEstimates: number;
  noEstimates: number;
  waves: number;
  /** Mean of waves makespan ÷ critical-path makespan over the trials. */
  speedup: number;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

function makespan(tasks: SimTask[], slots: number, mode: SchedulerConfig['mode']): number {
  const run = simulate(tasks, { concurrency: slots, agentConcurrency: {}, keepGoing: false, mode });
  if (run.outcome !== 'completed') throw new Error(`simulation ended ${run.outcome ?? 'without finish'}`);
  return run.makespanS;
}

/** The `noisy` model: each estimate is the true duration times lognormal(0, σ). */
function withNoisyEstimates(tasks: readonly SimTask[], random: Random): SimTask[] {
  return tasks.map((task) => ({
    ...task,
    estimateS: task.durationS * randomLogNormal(random, 0, NOISE_SIGMA),
  }));
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const geoMean = (values: readonly number[]) => Math.exp(mean(values.map((v) => Math.log(v))));
const fmt = (value: number) => value.toFixed(3);

const seed = option('seed', 42);
const trials = option('trials', 5);
const random = mulberry32(seed);
// Its own stream: the DAGs drawn from `random` stay the same with or without the noisy model.
const noise = mulberry32(seed ^ 0x5eed);
const began = performance.now();
const cells: Cell[] = [];

for (const size of SIZES) {
  const dags = Array.from({ length: trials }, () => randomDag(random, { size }));
  for (const slots of SLOTS) {
    const ratios = {
      criticalPath: [] as number[],
      noisyEstimates: [] as number[],
      noEstimates: [] as number[],
      waves: [] as number[],
    };
    const speedups: number[] = [];
    for (const dag of dags) {
      const bound = lowerBoundS(dag, slots);
      const cp = makespan(dag, slots, 'critical-path');
      const waves = makespan(dag, slots, 'waves');
      ratios.criticalPath.push(cp / bound);
      ratios.noisyEstimates.push(makespan(withNoisyEstimates(dag, noise), slots, 'critical-path') / bound);
      ratios.noEstimates.push(makespan(withoutEstimates(dag), slots, 'critical-path') / bound);
      ratios.waves.push(waves / bound);
      speedups.push(waves / cp);
    }
    cells.push({
      size,
      slots,
      criticalPath: mean(ratios.criticalPath),
      noisyEstimates: mean(ratios.noisyEstimates),
      noEstimates: mean(ratios.noEstimates),
      waves: mean(ratios.waves),
      speedup: mean(speedups),
    });
  }
}

const lines = [
  `### Scheduler benchmark — seed ${seed}, ${trials} random DAG(s) per size`,
  '',
  'Makespan ÷ max(critical path, total work ÷ slots); 1.000 is optimal. Durations lognormal(0, 1) × 60 s. ' +
    'Columns name the scheduler and the estimate model it is given: **perfect** = each estimate is the true duration, ' +
    `**noisy** = true duration × lognormal(0, ${NOISE_SIGMA}) (half of them off by more than ×${Math.exp(NOISE_SIGMA * 0.6745).toFixed(1)}), **none** = no estimates.`,
  '',
  '| tasks | slots | critical-path, perfect | critical-path, noisy | critical-path, none | waves, perfect | waves ÷ critical-path (both perfect) |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...cells.map(
    (c) =>
      `| ${c.size} | ${c.slots} | ${fmt(c.criticalPath)} | ${fmt(c.noisyEstimates)} | ${fmt(c.noEstimates)} | ${fmt(c.waves)} | ${fmt(c.speedup)} |`,
  ),
  '',
  `Mean ratio — critical-path with perfect estimates: ${fmt(mean(cells.map((c) => c.criticalPath)))}, ` +
    `noisy estimates: ${fmt(mean(cells.map((c) => c.noisyEstimates)))}, ` +
    `no estimates: ${fmt(mean(cells.map((c) => c.noEstimates)))}; ` +
    `waves with perfect estimates: ${fmt(mean(cells.map((c) => c.waves)))}`,
  `Waves ÷ critical-path makespan, both with perfect estimates (geometric mean over cells): ${fmt(geoMean(cells.map((c) => c.speedup)))}×`,
];
console.log(lines.join('\n'));
console.error(`(${((performance.now() - began) / 1000).toFixed(1)} s)`);

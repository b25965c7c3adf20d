import type { SchedTask } from '../../../src/engine/scheduler/index.js';
import { randomInt, randomLogNormal, type Random } from './random.js';

/** A scheduler task with the duration it really takes in a simulation. */
export interface SimTask extends SchedTask {
  durationS: number;
}

export interface RandomDagOptions {
  size: number;
  /** Agents assigned uniformly at random (default: one agent, `a`). */
  agents?: readonly string[];
  /** Give each task its true duration as `estimateS` (default true). */
  estimates?: boolean;
  /** Duration scale in seconds: durations are lognormal(0, 1) × this (default 60). */
  scaleS?: number;
}

/**
 * A layered random DAG: tasks spread over about √n layers; each task after the first layer
 * depends on 1–3 distinct earlier tasks (2 on average), half of them drawn from the layer just
 * before it so the graph has both long chains and wide fans.
 */
export function randomDag(random: Random, options: RandomDagOptions): SimTask[] {
  const { size, agents = ['a'], estimates = true, scaleS = 60 } = options;
  const layerCount = Math.max(2, Math.round(Math.sqrt(size)));
  const layerOf = Array.from({ length: size }, (_, i) =>
    i < layerCount ? i : randomInt(random, layerCount),
  );
  layerOf.sort((a, b) => a - b);
  const layerStart: number[] = [];
  layerOf.forEach((layer, index) => {
    layerStart[layer] ??= index;
  });

  const tasks: SimTask[] = [];
  for (let i = 0; i < size; i++) {
    const layer = layerOf[i] ?? 0;
    const firstOfLayer = layerStart[layer] ?? 0;
    const deps = new Set<string>();
    if (layer > 0) {
      const previousStart = layerStart[layer - 1] ?? 0;
      const wanted = Math.min(1 + randomInt(random, 3), firstOfLayer);
      while (deps.size < wanted) {
        const fromPrevious = random() < 0.5;
        const low = fromPrevious ? previousStart : 0;
        deps.add(`t${low + randomInt(random, firstOfLayer - low)}`);
      }
    }
    const durationS = randomLogNormal(random, 0, 1) * scaleS;
    tasks.push({
      id: `t${i}`,
      deps: [...deps],
      agent: agents[randomInt(random, agents.length)] ?? 'a',
      planIndex: i,
      durationS,
      ...(estimates ? { estimateS: durationS } : {}),
    });
  }
  return tasks;
}

/** The same tasks without estimates, as when a plan gives none. */
export function withoutEstimates(tasks: readonly SimTask[]): SimTask[] {
  return tasks.map(({ estimateS: _estimate, ...rest }) => rest);
}

/** The same tasks with their true durations as estimates, for lower bounds. */
export function withTrueEstimates(tasks: readonly SimTask[]): SimTask[] {
  return tasks.map((task) => ({ ...task, estimateS: task.durationS }));
}

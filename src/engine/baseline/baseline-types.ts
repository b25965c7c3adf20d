import type { GafferEvent } from '../../domain/index.js';

/** The `run.baseline-completed` event. */
export type BaselineCompletedEvent = Extract<GafferEvent, { type: 'run.baseline-completed' }>;

/** One check as it ended on the base commit, as recorded in `run.baseline-completed` and cached. */
export type BaselineCheckResult = BaselineCompletedEvent['data']['checks'][number];

/** What the plan says about a check that already fails on the base: `verifiers.baseline`. */
export type BaselinePolicy = BaselineCompletedEvent['data']['policy'];

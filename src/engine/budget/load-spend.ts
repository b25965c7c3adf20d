import type { AttemptRecord, BudgetRaise, RunRecord, StoredEvent, Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/** One attempt as the ledger counts it. */
export interface AttemptSpend {
  taskId: string;
  /** Only a try of the work (first, rework, retry) counts against an `attempts` limit, not a resume after a pause. */
  counts: boolean;
  usage: Usage | null;
  startedAtMs: number;
  /** Null while its session runs (or was left running by a dead engine). */
  finishedAtMs: number | null;
}

/** What a run has spent according to its records, with the raises people made. */
export interface StoredSpend {
  attempts: Map<string, AttemptSpend>;
  /** Usage outside the attempts' sessions (the foreman's answers), per task. */
  charges: Map<string, Usage>;
  /** Wall time the run was driven, in stretches: [start, end or null while one runs]. */
  stretches: [number, number | null][];
  raises: BudgetRaise[];
}

const STRETCH_ENDS = new Set(['run.paused', 'run.completed', 'run.failed', 'run.cancelled']);

/** Reads a run's spending from its attempts and its event log (a handful of indexed reads). */
export async function loadSpend(store: Store, run: RunRecord): Promise<StoredSpend> {
  const [attempts, events] = await Promise.all([
    store.listAttempts(run.id),
    store.readEvents({
      runId: run.id,
      types: [
        'run.started',
        'run.resumed',
        'run.paused',
        'run.completed',
        'run.failed',
        'run.cancelled',
        'run.budget-raised',
        'attempt.question-answered',
        'attempt.question-escalated',
        'run.final-review',
        'run.replanned',
        'run.replan-failed',
      ],
    }),
  ]);
  const charges = new Map<string, Usage>();
  const raises: BudgetRaise[] = [];
  for (const event of events) {
    if (event.type === 'run.budget-raised') raises.push(...event.data.raises);
    if ((event.type === 'run.replanned' || event.type === 'run.replan-failed') && event.data.usage) {
      const key = `replan ${event.data.replan}`;
      charges.set(key, addUsage(charges.get(key) ?? ZERO_USAGE, event.data.usage));
    }
    // The final review is the run's spending, under a name no task has (task ids have no spaces).
    if (event.type === 'run.final-review' && event.data.review.usage)
      charges.set(
        'final review',
        addUsage(charges.get('final review') ?? ZERO_USAGE, event.data.review.usage),
      );
    if (
      (event.type === 'attempt.question-answered' || event.type === 'attempt.question-escalated') &&
      event.data.usage &&
      event.taskId
    )
      charges.set(event.taskId, addUsage(charges.get(event.taskId) ?? ZERO_USAGE, event.data.usage));
  }
  return {
    attempts: new Map(attempts.map((a) => [a.id, attemptSpend(a)])),
    charges,
    stretches: await stretchesOf(store, run.id, events),
    raises,
  };
}

export function attemptSpend(attempt: AttemptRecord): AttemptSpend {
  return {
    taskId: attempt.taskId,
    counts: attempt.kind !== 'resume',
    usage: attempt.usage,
    startedAtMs: Date.parse(attempt.startedAt),
    finishedAtMs: attempt.finishedAt === null ? null : Date.parse(attempt.finishedAt),
  };
}

/**
 * The stretches an engine drove the run: from each `run.started` or `run.resumed` (a resume, or a
 * take-over from a dead engine) to the pause or end that followed. A stretch its engine never
 * closed (killed) ends at the last event it recorded; the newest one may still be running (null).
 */
async function stretchesOf(
  store: Store,
  runId: string,
  events: StoredEvent[],
): Promise<[number, number | null][]> {
  const stretches: [number, number | null][] = [];
  let open: StoredEvent | undefined;
  for (const event of events) {
    if (event.type === 'run.started' || event.type === 'run.resumed') {
      if (open) {
        const start = Date.parse(open.at);
        stretches.push([start, (await lastEventBefore(store, runId, open.id, event.id)) ?? start]);
      }
      open = event;
    } else if (open && STRETCH_ENDS.has(event.type)) {
      stretches.push([Date.parse(open.at), Date.parse(event.at)]);
      open = undefined;
    }
  }
  if (open) stretches.push([Date.parse(open.at), null]);
  return stretches;
}

/** When a killed engine last wrote (only read after a crash, so rarely). */
async function lastEventBefore(
  store: Store,
  runId: string,
  afterId: number,
  beforeId: number,
): Promise<number | undefined> {
  if (beforeId - afterId <= 1) return undefined;
  const between = await store.readEvents({ runId, afterId, limit: beforeId - afterId - 1 });
  const last = between.filter((e) => e.id < beforeId).at(-1);
  return last ? Date.parse(last.at) : undefined;
}

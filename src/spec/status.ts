import { existsSync } from 'node:fs';
import { validatePlan } from '../plan/index.js';
import type { Approval } from './approvals.js';
import { coverageGaps } from './coverage.js';
import type { Gates, PhaseStanding } from './gates.js';
import { blockedBy } from './gates.js';
import { CONTEXT_INPUTS, sha256, sha256OfValue } from './hash.js';
import type { LockInfo, LockWorld } from './lock.js';
import { inspectLock, lockVerdict, lockWorld } from './lock.js';
import type { SpecPhase } from './phases.js';
import { FEATURE_FILE, PHASE_ARTIFACT, PHASES } from './phases.js';
import type { Receipt } from './receipt.js';
import { RUNNING_STATUS } from './receipt.js';
import type { UserStory } from './requirements.js';
import { criterionIds, parseRequirements } from './requirements.js';
import type { SpecHandle } from './spec-files.js';
import { listReceipts, readApprovals, readSpecConfig, readText } from './spec-files.js';
import type { ChangedInput, PhaseState } from './staleness.js';
import { phaseVerdict } from './staleness.js';

/** One phase as `gaffer spec status` shows it. */
export interface PhaseStatus {
  phase: SpecPhase;
  artifact: string;
  state: PhaseState;
  changed: ChangedInput[];
  edited: boolean;
  gate: boolean;
  approved: boolean;
  /** A `<artifact>.partial` from a failed run is there to read. */
  partial: boolean;
  lastReceipt: Receipt | undefined;
  /** The number of the phase's newest run when it was killed before its receipt was finished. */
  interrupted?: number;
}

export interface SpecStatus {
  id: string;
  phases: PhaseStatus[];
  /**
   * The plan stands on the requirements alone ({@link isQuick}): a design that was never written
   * is skipped, not waited for.
   */
  quick: boolean;
  /** The user stories, when requirements.md reads. */
  stories: UserStory[] | undefined;
  /** Criteria no task of plan.yaml covers, when both read. */
  gaps: string[] | undefined;
  /**
   * The spec's lock, when one is there: `running` while a live process holds it (a phase is being
   * written), `stale` when its holder is gone or it is too old (`--force` takes it).
   */
  lock: SpecLockState | null;
}

export interface SpecLockState {
  state: 'running' | 'stale';
  /** Null when the lock file cannot be read (being written this instant, or damaged). */
  holder: LockInfo | null;
  reason?: string;
}

/** The lock as `status` reports it; reading it takes nothing. */
export function lockState(path: string, world: Partial<LockWorld> = {}): SpecLockState | null {
  const seen = inspectLock(path);
  if (seen === undefined) return null;
  const holder = seen.holder ?? null;
  const verdict = lockVerdict(seen.holder, lockWorld(world), seen.mtimeMs);
  return verdict.type === 'held'
    ? { state: 'running', holder }
    : { state: 'stale', holder, reason: verdict.reason };
}

/**
 * The sha256 of each file a phase may read, now (null: not there), and of spec.yaml's `plan:`
 * settings (a compared context of the tasks phase).
 */
export function currentHashes(spec: SpecHandle): Record<string, string | null> {
  const files = [FEATURE_FILE, ...PHASES.map((p) => PHASE_ARTIFACT[p])];
  return {
    ...Object.fromEntries(
      files.map((name) => {
        const text = readText(`${spec.paths.dir}/${name}`);
        return [name, text === undefined ? null : sha256(text)];
      }),
    ),
    [CONTEXT_INPUTS.planSettings]: sha256OfValue(readSpecConfig(spec).plan),
  };
}

/**
 * Whether a spec's plan stands on the requirements alone, from its newest good tasks receipt: one
 * of `gaffer spec run --quick`, or of a tasks run of such a spec, which records design.md as
 * absent. Only a good run counts: a quick run that failed wrote no plan, so the spec goes the full
 * way (requirements → design → tasks) unless `--quick` is run again. Once a design is written and
 * the plan is written again from it, the spec is quick no more.
 */
export function isQuick(lastOkTasks: Receipt | undefined): boolean {
  if (!lastOkTasks) return false;
  return (
    lastOkTasks.quick !== undefined ||
    lastOkTasks.inputs.some((i) => i.name === PHASE_ARTIFACT.design && i.sha256 === null)
  );
}

/** Quick receipts written before absent inputs were recorded lack design.md: the plan had none. */
function withAbsentDesign(receipt: Receipt | undefined): Receipt | undefined {
  if (!receipt?.quick || receipt.phase !== 'tasks') return receipt;
  if (receipt.inputs.some((i) => i.name === PHASE_ARTIFACT.design)) return receipt;
  return { ...receipt, inputs: [...receipt.inputs, { name: PHASE_ARTIFACT.design, sha256: null }] };
}

/** A design a quick spec does without: never written, so no phase waits for it. */
export function skipsDesign(status: Pick<SpecStatus, 'phases' | 'quick'>, phase: SpecPhase): boolean {
  return (
    status.quick && phase === 'design' && status.phases.find((p) => p.phase === 'design')?.state === 'missing'
  );
}

/** The first phase a plain `gaffer spec run` runs: the first not done, past a design a quick spec skips. */
export function firstToRun(status: Pick<SpecStatus, 'phases' | 'quick'>): SpecPhase | undefined {
  return status.phases.find((p) => p.state !== 'done' && !skipsDesign(status, p.phase))?.phase;
}

/** What the order check ({@link blockedBy}) needs of each phase. */
export function standingOf(phases: readonly PhaseStatus[]): Record<SpecPhase, PhaseStanding> {
  const standing = Object.fromEntries(
    PHASES.map((p): [SpecPhase, PhaseStanding] => [p, { state: 'missing', approved: false }]),
  ) as Record<SpecPhase, PhaseStanding>;
  for (const p of phases) standing[p.phase] = { state: p.state, approved: p.approved };
  return standing;
}

/**
 * The command that brings a spec's stale or missing phases up to date from here: the first phase
 * to run again with `--from-phase`, or, when that cannot run yet, what unblocks it. Worded as a
 * hint ("run `…`").
 */
export function nextStepHint(status: SpecStatus): string {
  const first = firstToRun(status);
  if (first === undefined) return `every phase is done: see \`gaffer spec status ${status.id}\``;
  const gates = Object.fromEntries(status.phases.map((p) => [p.phase, p.gate])) as Gates;
  const blocked = blockedBy(first, standingOf(status.phases), gates, status.id, { quick: status.quick });
  return blocked?.hint ?? `run \`gaffer spec run ${status.id} --from-phase ${first}\``;
}

/** Every phase's state, re-read from disk: artifacts, receipts and approvals. Needs no lock. */
export function specStatus(spec: SpecHandle, gates: Gates = readSpecConfig(spec).gates): SpecStatus {
  const current = currentHashes(spec);
  const approvals = readApprovals(spec);
  const lock = lockState(spec.paths.lock);
  let lastOkTasks: Receipt | undefined;
  const phases = PHASES.map((phase): PhaseStatus => {
    const receipts = listReceipts(spec, phase);
    const artifact = current[PHASE_ARTIFACT[phase]] ?? null;
    const { last, lastOk, interrupted } = settledReceipts(receipts, artifact, lock?.state === 'running');
    if (phase === 'tasks') lastOkTasks = lastOk;
    const verdict = phaseVerdict({ artifact, current, last, lastOk });
    return {
      phase,
      artifact: PHASE_ARTIFACT[phase],
      ...verdict,
      ...(interrupted === undefined ? {} : { interrupted }),
      gate: gates[phase],
      approved: approvedAsNow(phase, approvals[phase], artifact, current),
      partial: existsSync(spec.paths.partial(phase)),
      lastReceipt: receipts.at(-1),
    };
  });
  const requirements = readText(spec.paths.artifact('requirements'));
  const parsed = requirements === undefined ? undefined : parseRequirements(requirements);
  const stories = parsed?.ok ? parsed.stories : undefined;
  return {
    id: spec.id,
    phases,
    quick: isQuick(lastOkTasks),
    stories,
    gaps: stories ? planGaps(spec, criterionIds(stories)) : undefined,
    lock,
  };
}

/**
 * The receipts a phase's state is judged by, given a newest one still `running` (reserved before
 * the model was asked). While the lock is held its run is under way: the state is what it was
 * before. Once the lock is gone the run was killed: when the artifact is exactly the output it
 * recorded, that artifact is the model's (its inputs are the ones to judge staleness by, and it
 * is no hand edit); otherwise the run wrote nothing usable and counts as failed.
 */
function settledReceipts(
  receipts: readonly Receipt[],
  artifact: string | null,
  lockHeld: boolean,
): { last: Receipt | undefined; lastOk: Receipt | undefined; interrupted?: number } {
  const newest = receipts.at(-1);
  const finished = newest?.status === RUNNING_STATUS ? receipts.slice(0, -1) : receipts;
  const lastOk = withAbsentDesign(finished.findLast((r) => r.status === 'ok'));
  if (newest?.status !== RUNNING_STATUS) return { last: newest, lastOk };
  if (lockHeld) return { last: finished.at(-1), lastOk };
  const wrote = newest.output !== null && artifact !== null && newest.output.sha256 === artifact;
  return {
    last: newest,
    lastOk: wrote ? withAbsentDesign(newest) : lastOk,
    interrupted: newest.number,
  };
}

/**
 * Whether `approval` is of the artifact as it is now. The plan's is also of requirements.md as it
 * is now: a run gives its tasks the criteria's text from there, so a changed text was never
 * approved, and neither was a plan whose approval predates recording it.
 */
function approvedAsNow(
  phase: SpecPhase,
  approval: Approval | undefined,
  artifact: string | null,
  current: Readonly<Record<string, string | null>>,
): boolean {
  if (artifact === null || approval?.sha256 !== artifact) return false;
  return phase !== 'tasks' || approval.requirementsSha256 === (current[PHASE_ARTIFACT.requirements] ?? null);
}

function planGaps(spec: SpecHandle, criteria: string[]): string[] | undefined {
  const text = readText(spec.paths.artifact('tasks'));
  if (text === undefined) return undefined;
  const checked = validatePlan(text, { file: spec.paths.artifact('tasks') });
  return checked.ok ? coverageGaps(criteria, checked.plan.tasks) : undefined;
}

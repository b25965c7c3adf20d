import { existsSync } from 'node:fs';
import { validatePlan } from '../plan/index.js';
import { coverageGaps } from './coverage.js';
import type { Gates } from './gates.js';
import { sha256 } from './hash.js';
import type { LockInfo, LockWorld } from './lock.js';
import { inspectLock, lockVerdict, lockWorld } from './lock.js';
import type { SpecPhase } from './phases.js';
import { FEATURE_FILE, PHASE_ARTIFACT, PHASES } from './phases.js';
import type { Receipt } from './receipt.js';
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
}

export interface SpecStatus {
  id: string;
  phases: PhaseStatus[];
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

/** The sha256 of each file a phase may read, now (null: not there). */
export function currentHashes(spec: SpecHandle): Record<string, string | null> {
  const files = [FEATURE_FILE, ...PHASES.map((p) => PHASE_ARTIFACT[p])];
  return Object.fromEntries(
    files.map((name) => {
      const text = readText(`${spec.paths.dir}/${name}`);
      return [name, text === undefined ? null : sha256(text)];
    }),
  );
}

/** Every phase's state, re-read from disk: artifacts, receipts and approvals. Needs no lock. */
export function specStatus(spec: SpecHandle, gates: Gates = readSpecConfig(spec).gates): SpecStatus {
  const current = currentHashes(spec);
  const approvals = readApprovals(spec);
  const phases = PHASES.map((phase): PhaseStatus => {
    const receipts = listReceipts(spec, phase);
    const artifact = current[PHASE_ARTIFACT[phase]] ?? null;
    const verdict = phaseVerdict({
      artifact,
      current,
      last: receipts.at(-1),
      lastOk: receipts.findLast((r) => r.status === 'ok'),
    });
    return {
      phase,
      artifact: PHASE_ARTIFACT[phase],
      ...verdict,
      gate: gates[phase],
      approved: artifact !== null && approvals[phase]?.sha256 === artifact,
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
    stories,
    gaps: stories ? planGaps(spec, criterionIds(stories)) : undefined,
    lock: lockState(spec.paths.lock),
  };
}

function planGaps(spec: SpecHandle, criteria: string[]): string[] | undefined {
  const text = readText(spec.paths.artifact('tasks'));
  if (text === undefined) return undefined;
  const checked = validatePlan(text, { file: spec.paths.artifact('tasks') });
  return checked.ok ? coverageGaps(criteria, checked.plan.tasks) : undefined;
}

import type { SpecPhase } from './phases.js';
import { phasesBefore } from './phases.js';
import type { PhaseState } from './staleness.js';

/** Which phases need a person's approval before what follows them starts (tasks: before a run). */
export type Gates = Readonly<Record<SpecPhase, boolean>>;

/** By default only the plan waits for a person before `gaffer run --spec`. */
export const DEFAULT_GATES: Gates = { requirements: false, design: false, tasks: true };

/** What the order check needs of each phase. */
export interface PhaseStanding {
  state: PhaseState;
  /** A person approved the artifact as it is now (the approval's hash is the artifact's). */
  approved: boolean;
}

/**
 * The first phase before `phase` whose gate is on but which is not approved as it is now: what a
 * plan may not run past, however it was written (`--quick` writes requirements and plan at once,
 * a person may write both). A design a quick spec never wrote is skipped, as {@link blockedBy} does.
 */
export function unapprovedGate(
  phase: SpecPhase,
  standing: Readonly<Record<SpecPhase, PhaseStanding>>,
  gates: Gates,
  options: { quick?: boolean } = {},
): SpecPhase | undefined {
  return phasesBefore(phase).find((before) => {
    if (!gates[before] || standing[before].approved) return false;
    return !(options.quick && before === 'design' && standing[before].state === 'missing');
  });
}

/**
 * Why `phase` cannot run yet, with the command that unblocks it; undefined when it may run.
 * `quick`: the spec's plan stands on the requirements alone (SpecStatus.quick), so a design that
 * was never written holds nothing up (one that is there, or failed, is waited for as ever).
 */
export function blockedBy(
  phase: SpecPhase,
  standing: Readonly<Record<SpecPhase, PhaseStanding>>,
  gates: Gates,
  specId: string,
  options: { quick?: boolean } = {},
): { reason: string; hint: string } | undefined {
  for (const before of phasesBefore(phase)) {
    const { state, approved } = standing[before];
    if (options.quick && before === 'design' && state === 'missing') continue;
    if (state !== 'done')
      return {
        reason: `${phase} needs ${before} first, which is ${state}`,
        hint: `run \`gaffer spec run ${specId} --phase ${before}\`${state === 'stale' ? ` (or \`--from-phase ${before}\`)` : ''}`,
      };
    if (gates[before] && !approved)
      return {
        reason: `${phase} waits for a person to approve ${before}`,
        hint: `read it, then \`gaffer spec approve ${specId} ${before}\``,
      };
  }
  return undefined;
}

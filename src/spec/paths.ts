import { join } from 'node:path';
import type { SpecPhase } from './phases.js';
import { PHASE_ARTIFACT } from './phases.js';

/** Where every spec of a repository lives. */
export const specsDir = (repoRoot: string) => join(repoRoot, '.gaffer', 'specs');

/** The folder of one spec: its feature, artifacts, receipts, approvals and lock. */
export const specDir = (repoRoot: string, id: string) => join(specsDir(repoRoot), id);

/** The paths of one spec's files, from its folder. */
export function specPaths(dir: string) {
  return {
    dir,
    feature: join(dir, 'feature.md'),
    config: join(dir, 'spec.yaml'),
    approvals: join(dir, 'approvals.json'),
    lock: join(dir, 'lock'),
    receipts: join(dir, 'receipts'),
    history: join(dir, 'history'),
    scratch: join(dir, 'scratch'),
    artifact: (phase: SpecPhase) => join(dir, PHASE_ARTIFACT[phase]),
    /** What a failed, timed-out or invalid run of the phase produced, kept for a person to read. */
    partial: (phase: SpecPhase) => join(dir, `${PHASE_ARTIFACT[phase]}.partial`),
    receipt: (phase: SpecPhase, n: number) => join(dir, 'receipts', `${phase}-${n}.json`),
  };
}

export type SpecPaths = ReturnType<typeof specPaths>;

import { userError } from '../domain/index.js';

/** The phases of a spec, in the order they run: each one reads the artifacts of those before it. */
export const PHASES = ['requirements', 'design', 'tasks'] as const;
export type SpecPhase = (typeof PHASES)[number];

/** The file each phase writes under `.gaffer/specs/<id>/`. */
export const PHASE_ARTIFACT: Readonly<Record<SpecPhase, string>> = {
  requirements: 'requirements.md',
  design: 'design.md',
  tasks: 'plan.yaml',
};

/** The feature description every phase reads first. */
export const FEATURE_FILE = 'feature.md';

export const isPhase = (name: string): name is SpecPhase => (PHASES as readonly string[]).includes(name);

/** `name` as a phase, or a user error listing the phases. */
export function parsePhase(name: string): SpecPhase {
  if (isPhase(name)) return name;
  throw userError('GAFFER_BAD_INPUT', `unknown phase "${name}"`, `the phases are ${PHASES.join(', ')}`, {
    phase: name,
  });
}

/** The phases before `phase`, oldest first. */
export const phasesBefore = (phase: SpecPhase): SpecPhase[] => PHASES.slice(0, PHASES.indexOf(phase));

/** `phase` and the phases after it. */
export const phasesFrom = (phase: SpecPhase): SpecPhase[] => PHASES.slice(PHASES.indexOf(phase));

/** The files a phase reads, relative to the spec folder: the feature, then every earlier artifact. */
export const phaseInputs = (phase: SpecPhase): string[] => [
  FEATURE_FILE,
  ...phasesBefore(phase).map((p) => PHASE_ARTIFACT[p]),
];

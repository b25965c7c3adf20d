export type { NewSpecInput } from './spec-admin.js';
export { approvePhase, listSpecs, newSpec, specStatusAt } from './spec-admin.js';
export type { SpecRunRequest, SpecRunResult } from './run-spec.js';
export { runSpec } from './run-spec.js';
export type { PhaseOutcome } from './run-phase.js';
export type { PhaseInput, PhaseMaterial } from './phase-material.js';
export { estimateTokens } from './phase-material.js';
export type { PhaseStatus, Receipt, SpecPhase, SpecStatus } from '../../spec/index.js';
export { describeChange, parsePhase, PHASES } from '../../spec/index.js';

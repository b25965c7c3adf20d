export type { ValidateOptions, PlanCheckResult } from './validate.js';
export { validatePlan } from './validate.js';
export type { LoadPlanOptions } from './load.js';
export { loadPlan } from './load.js';
export { formatPlanIssue } from './format.js';
export { effectiveDependencies, findCycle, topologicalOrder } from './graph.js';
export { planToYaml } from './to-yaml.js';

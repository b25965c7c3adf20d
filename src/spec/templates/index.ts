import type { SpecPhase } from '../phases.js';
import { designV1 } from './design.v1.js';
import { quickV1 } from './quick.v1.js';
import { requirementsV1 } from './requirements.v1.js';
import { tasksV1 } from './tasks.v1.js';
import type { PromptTemplate } from './template.js';

export type { PromptInputs, PromptTemplate } from './template.js';
export { MODEL_TASK_KEYS } from './tasks.v1.js';

/** The template each phase runs now; a changed prompt is a new version, so old receipts stay true. */
export const CURRENT_TEMPLATES: Readonly<Record<SpecPhase, PromptTemplate>> = {
  requirements: requirementsV1,
  design: designV1,
  tasks: tasksV1,
};

/** The template of `gaffer spec run --quick` (requirements and plan in one answer). */
export const QUICK_TEMPLATE: PromptTemplate = quickV1;

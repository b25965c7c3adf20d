export { REPLAN_ROUNDS, replanDue, replanRun } from './replan.js';
export { plannerConfig } from './planner-settings.js';
export type { ReplanOutcome } from './replan.js';
export { readReplanReply } from './replan-reply.js';
export { replanPrompt } from './replan-prompt.js';

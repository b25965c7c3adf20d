export type { TailOptions } from './tail-events.js';
export { tailEvents, pause } from './tail-events.js';
export type { TaskView, AttemptView, RunView, RunSummary } from './run-views.js';
export { runView, attemptViews, taskViews, listRunSummaries } from './run-views.js';
export type { OpenQuestion } from './open-questions.js';
export { openQuestions } from './open-questions.js';
export type { FollowOptions } from './follow-run-events.js';
export { followRunEvents } from './follow-run-events.js';
export { taskActivities, toolCallSummary } from './activity.js';

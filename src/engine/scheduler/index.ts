export type {
  SchedTask,
  SchedStatus,
  SchedulerConfig,
  SchedHalt,
  SchedOutcome,
  SchedBlock,
  SchedGraph,
  SchedulerState,
  SchedEvent,
  SchedAction,
  ScheduleResult,
} from './types.js';
export { createSchedulerState, taskStatus, statusById } from './create-state.js';
export { schedule } from './schedule.js';
export {
  criticalPathLengths,
  criticalPathBound,
  dependencyLevels,
  topologicalOrder,
} from './critical-path.js';

import type { CheckPlanOptions, Engine, Logger } from '../engine/index.js';
import type { BackgroundDrives } from './background-drives.js';

/** What every tool group works with. */
export interface ToolContext {
  engine: Engine;
  /** The repository the server serves: plan paths are relative to it, and runs start in it. */
  repoRoot: string;
  drives: BackgroundDrives;
  logger: Logger;
  /** What `check_plan` checks a plan's agents with and in (default: every built-in backend, `process.env`). */
  planChecks: CheckPlanOptions;
}

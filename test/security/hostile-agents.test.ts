import { describeHostileAgents } from './hostile-suite.js';

/**
 * The corpus through the `command` agent (`sh -c <script>` per task). The sandboxed actions share
 * one run (one task each, four at a time); the unsandboxed ones, which test Gaffer's own git
 * guard, run one at a time in an arena of their own.
 */
describeHostileAgents('command', 300_000);

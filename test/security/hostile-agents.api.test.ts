import { describeHostileAgents } from './hostile-suite.js';

/**
 * The sandboxed corpus through the `api` backend: a scripted OpenAI-compatible model asks its
 * `run_command` tool to run each task's script, so the script passes the tool policy first.
 */
describeHostileAgents('api', 300_000);

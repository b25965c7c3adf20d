import { describeHostileAgents } from './hostile-suite.js';

/**
 * The sandboxed corpus through the real `claude` binary: a scripted Anthropic model asks its
 * `Bash` tool to run each task's script, past Claude Code's permission gate, with the user's
 * CLAUDE_CONFIG_DIR (`~/.claude`) as a user has it.
 */
describeHostileAgents('claude', 600_000);

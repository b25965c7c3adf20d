import type { AgentRegistry } from '../../agents/index.js';
import type { Plan, PlanIssue } from '../../domain/index.js';
import { GafferError } from '../../domain/index.js';
import { agentConfigFor } from '../run-context.js';

export interface AgentCheckDeps {
  agents: AgentRegistry;
  env: Record<string, string | undefined>;
}

/**
 * The problems `gaffer run` would stop at before it starts: agents nobody registered (with a
 * suggestion), and agents whose preflight fails (binary missing, no credentials, a bad config
 * key). One issue per distinct problem, so ten tasks on a missing binary say it once.
 */
export async function agentIssues(
  plan: Plan,
  text: string,
  file: string,
  deps: AgentCheckDeps,
): Promise<PlanIssue[]> {
  const issues = new Map<string, PlanIssue>();
  for (const task of plan.tasks) {
    const name = task.agent ?? plan.settings.agent;
    try {
      const adapter = deps.agents.get(name);
      await adapter.preflight?.(agentConfigFor({ plan }, task, name), deps.env, {
        sandboxed: plan.settings.sandbox !== 'off',
      });
    } catch (error) {
      if (!GafferError.isInstance(error) || !error.userError) throw error;
      const kind = error.code === 'GAFFER_UNKNOWN_AGENT' ? 'unknown-agent' : 'agent-unavailable';
      const message = kind === 'unknown-agent' ? error.message : `agent "${name}": ${error.message}`;
      if (issues.has(message)) continue;
      issues.set(message, {
        file,
        ...agentLine(text, name),
        kind,
        message,
        ...(error.hint ? { hint: error.hint } : {}),
      });
    }
  }
  return [...issues.values()];
}

/**
 * Where the plan names `agent`: its first `agent: <name>` line, else its `agents:` entry, else
 * the top. The validated plan keeps no positions, and one line is enough to find the spot.
 */
function agentLine(text: string, agent: string): { line: number; column: number } {
  const name = agent.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = text.split(/\r?\n/);
  const patterns = [
    new RegExp(`^(\\s*(?:-\\s+)?)agent:\\s*["']?${name}["']?\\s*(#.*)?$`),
    new RegExp(`^(\\s+)["']?${name}["']?:`),
  ];
  for (const pattern of patterns) {
    const index = lines.findIndex((line) => pattern.test(line));
    if (index !== -1) {
      const indent = pattern.exec(lines[index] ?? '')?.[1]?.length ?? 0;
      return { line: index + 1, column: indent + 1 };
    }
  }
  return { line: 1, column: 1 };
}

import type { CanUseTool, HookCallbackMatcher, HookEvent } from '@anthropic-ai/claude-agent-sdk';
import { checkCommand, checkRead, checkWrite } from '../policy/tool-policy.js';
import type { PolicyDecision } from '../policy/tool-policy.js';
import type { Emit } from '../session.js';

/** Always protected, whatever the plan says: the repository's own metadata and Gaffer's state. */
const ALWAYS_PROTECTED = ['.git', '.git/**', '.gaffer/**'];

/** Which input field holds the path a tool writes or reads. */
const WRITE_PATH: Readonly<Record<string, string>> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};
const READ_PATHS: Readonly<Record<string, readonly string[]>> = {
  Read: ['file_path'],
  Grep: ['path'],
  Glob: ['path', 'pattern'],
};

const stringField = (input: Record<string, unknown>, key: string): string | undefined =>
  typeof input[key] === 'string' ? input[key] : undefined;

/**
 * The shared tool policy applied to one Claude Code tool call: writes stay inside the worktree
 * and off protected paths, reads stay off secrets, shell commands pass the deny list. Tools the
 * policy does not know are allowed.
 */
export function toolDecision(
  cwd: string,
  protectedPaths: readonly string[],
  toolName: string,
  input: Record<string, unknown>,
): PolicyDecision {
  const writeKey = WRITE_PATH[toolName];
  if (writeKey !== undefined) {
    const target = stringField(input, writeKey);
    if (target === undefined) return { allowed: true }; // Claude Code rejects the malformed call itself
    return checkWrite(cwd, target, [...ALWAYS_PROTECTED, ...protectedPaths]);
  }
  for (const key of READ_PATHS[toolName] ?? []) {
    const target = stringField(input, key);
    if (target === undefined) continue;
    const decision = checkRead(cwd, target);
    if (!decision.allowed) return decision;
  }
  if (toolName === 'Bash') {
    const command = stringField(input, 'command');
    if (command !== undefined) return checkCommand(cwd, command);
  }
  return { allowed: true };
}

export interface PermissionGate {
  canUseTool: CanUseTool;
  hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>>;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * The policy wired into Claude Code twice. A PreToolUse hook sees every tool call, including
 * those Claude Code would auto-approve (reads inside the cwd, read-only shell commands such as
 * `cat .env`), and denies what the policy refuses. `canUseTool` answers the permission prompts
 * Claude Code does raise (edits, other commands, MCP tools): it re-checks the policy, then grants.
 * Each refused call yields one `denied` event and the reason goes back to the model.
 */
export function createPermissionGate(options: {
  cwd: string;
  protectedPaths: readonly string[];
  emit: Emit;
}): PermissionGate {
  const reported = new Set<string>();
  const judge = (toolName: string, input: Record<string, unknown>, toolUseId: string | undefined) => {
    const decision = toolDecision(options.cwd, options.protectedPaths, toolName, input);
    if (!decision.allowed && (toolUseId === undefined || !reported.has(toolUseId))) {
      if (toolUseId !== undefined) reported.add(toolUseId);
      options.emit({ type: 'denied', tool: toolName, input, reason: decision.reason });
    }
    return decision;
  };

  const canUseTool: CanUseTool = (toolName, input, { toolUseID }) => {
    const decision = judge(toolName, input, toolUseID);
    return Promise.resolve(
      decision.allowed
        ? { behavior: 'allow', updatedInput: input }
        : { behavior: 'deny', message: `Gaffer denied this: ${decision.reason}` },
    );
  };

  const preToolUse: HookCallbackMatcher = {
    hooks: [
      (hookInput) => {
        if (hookInput.hook_event_name !== 'PreToolUse') return Promise.resolve({});
        const decision = judge(hookInput.tool_name, asRecord(hookInput.tool_input), hookInput.tool_use_id);
        if (decision.allowed) return Promise.resolve({});
        return Promise.resolve({
          hookSpecificOutput: {
            hookEventName: 'PreToolUse',
            permissionDecision: 'deny',
            permissionDecisionReason: `Gaffer denied this: ${decision.reason}`,
          },
        });
      },
    ],
  };
  return { canUseTool, hooks: { PreToolUse: [preToolUse] } };
}

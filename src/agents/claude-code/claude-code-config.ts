import { z } from 'zod';
import { configErrorMessage } from '../config-error.js';

/** Permission modes Gaffer lets a plan pick; `bypassPermissions` is left out on purpose (see below). */
const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'dontAsk'] as const;
export type ClaudePermissionMode = (typeof PERMISSION_MODES)[number];

const schema = z.object({
  model: z.string().min(1).optional(),
  // 'default' sends every edit through our permission callback; acceptEdits would let Claude Code
  // approve edits itself (our PreToolUse hook still checks them). bypassPermissions is refused
  // by Claude Code as root and would skip the callback, so it is not offered.
  permission_mode: z.enum(PERMISSION_MODES).default('default'),
  allowed_tools: z.array(z.string().min(1)).default([]),
  disallowed_tools: z.array(z.string().min(1)).default([]),
  max_turns: z.number().int().positive().optional(),
  executable: z.string().min(1).optional(),
  system_prompt_append: z.string().optional(),
  timeout_s: z.number().positive().default(1800),
  /** Claude Code's own retry budget for 429/5xx (CLAUDE_CODE_MAX_RETRIES; its default is 10). */
  max_retries: z.number().int().min(0).max(15).optional(),
  /** Extra environment: a list names parent variables to pass, a record sets values. */
  env: z.union([z.array(z.string().min(1)), z.record(z.string(), z.string())]).default([]),
});

/** A validated `agents.claude-code` config with defaults applied. */
export interface ClaudeCodeConfig {
  model?: string;
  permissionMode: ClaudePermissionMode;
  allowedTools: string[];
  disallowedTools: string[];
  maxTurns?: number;
  executable?: string;
  systemPromptAppend?: string;
  timeoutS: number;
  maxRetries?: number;
  env: string[] | Record<string, string>;
}

export type ClaudeCodeConfigResult =
  { success: true; config: ClaudeCodeConfig } | { success: false; error: string };

/** The claude-code agent's config schema: the plan's keys in, a {@link ClaudeCodeConfig} out. */
export const claudeCodeConfigSchema = schema.transform((data): ClaudeCodeConfig => ({
  model: data.model,
  permissionMode: data.permission_mode,
  allowedTools: data.allowed_tools,
  disallowedTools: data.disallowed_tools,
  maxTurns: data.max_turns,
  executable: data.executable,
  systemPromptAppend: data.system_prompt_append,
  timeoutS: data.timeout_s,
  maxRetries: data.max_retries,
  env: data.env,
}));

/** Validates the claude-code agent's config; unknown keys are ignored here (the adapter rejects them). */
export function parseClaudeCodeConfig(config: Record<string, unknown>): ClaudeCodeConfigResult {
  const parsed = claudeCodeConfigSchema.safeParse(config);
  return parsed.success
    ? { success: true, config: parsed.data }
    : { success: false, error: `invalid claude-code agent config: ${configErrorMessage(parsed.error)}` };
}

/** The config's extra environment as values: named parent variables looked up in `parent`. */
export function configEnv(
  config: Pick<ClaudeCodeConfig, 'env'>,
  parent: Record<string, string | undefined>,
): Record<string, string> {
  if (!Array.isArray(config.env)) return { ...config.env };
  const env: Record<string, string> = {};
  for (const name of config.env) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

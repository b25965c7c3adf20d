import { z } from 'zod';
import { configErrorMessage } from '../config-error.js';

/** How the prompt reaches the agent CLI. */
export type PromptVia = 'arg' | 'stdin' | 'file';

export const PROMPT_PLACEHOLDER = '{prompt}';
export const PROMPT_FILE_PLACEHOLDER = '{prompt_file}';

const schema = z.object({
  argv: z.array(z.string()).min(1, 'argv needs at least the program'),
  prompt_via: z.enum(['arg', 'stdin', 'file']).optional(),
  timeout_s: z.number().positive().default(1800),
  env: z.array(z.string().min(1)).default([]),
  ok_exit_codes: z.array(z.number().int()).min(1).default([0]),
});

/** A validated `agents.command` config with defaults applied and `prompt_via` settled. */
export interface CommandConfig {
  argv: string[];
  promptVia: PromptVia;
  timeoutS: number;
  env: string[];
  okExitCodes: number[];
}

export type CommandConfigResult =
  { success: true; config: CommandConfig } | { success: false; error: string };

/** `{prompt}` in argv means an argument, `{prompt_file}` a file, neither means stdin. */
export function inferPromptVia(argv: readonly string[]): PromptVia {
  if (argv.some((part) => part.includes(PROMPT_PLACEHOLDER))) return 'arg';
  if (argv.some((part) => part.includes(PROMPT_FILE_PLACEHOLDER))) return 'file';
  return 'stdin';
}

/** The command agent's config schema: the plan's keys in, a {@link CommandConfig} out. */
export const commandConfigSchema = schema.transform(
  ({ argv, prompt_via, timeout_s, env, ok_exit_codes }): CommandConfig => ({
    argv,
    promptVia: prompt_via ?? inferPromptVia(argv),
    timeoutS: timeout_s,
    env,
    okExitCodes: ok_exit_codes,
  }),
);

/** Validates the command agent's config; unknown keys are ignored here (the adapter rejects them). */
export function parseCommandConfig(config: Record<string, unknown>): CommandConfigResult {
  const parsed = commandConfigSchema.safeParse(config);
  return parsed.success
    ? { success: true, config: parsed.data }
    : { success: false, error: configErrorMessage(parsed.error) };
}

/**
 * The argv to spawn: placeholders replaced inside each element (never through a shell, so the
 * prompt needs no quoting). An explicit `arg`/`file` mode without its placeholder appends the
 * prompt or the file path as the last argument, the way most CLIs take a positional prompt.
 */
export function buildArgv(config: CommandConfig, prompt: string, promptFile: string | undefined): string[] {
  const fill = (part: string) =>
    part
      .split(PROMPT_PLACEHOLDER)
      .join(prompt)
      .split(PROMPT_FILE_PLACEHOLDER)
      .join(promptFile ?? '');
  const argv = config.argv.map(fill);
  const has = (placeholder: string) => config.argv.some((part) => part.includes(placeholder));
  if (config.promptVia === 'arg' && !has(PROMPT_PLACEHOLDER)) argv.push(prompt);
  if (config.promptVia === 'file' && !has(PROMPT_FILE_PLACEHOLDER) && promptFile !== undefined)
    argv.push(promptFile);
  return argv;
}

import { z } from 'zod';
import type { ModelPrice } from '../pricing.js';
import { configErrorMessage } from '../config-error.js';

const nonEmpty = z.string().trim().min(1);

const providerSchema = z.strictObject({
  /** The provider's id in Codex's `model_providers` table; also its display name. */
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "-" and "_" only'),
  base_url: z.url(),
  /** Codex 0.169 speaks only the Responses API (`wire_api = "chat"` was removed). */
  wire_api: z
    .literal('responses', {
      error: 'codex supports only wire_api "responses"; use the api agent for chat servers',
    })
    .default('responses'),
  /** The environment variable holding the provider's API key. */
  env_key: nonEmpty.optional(),
  request_max_retries: z.number().int().min(0).max(100).optional(),
  stream_max_retries: z.number().int().min(0).max(100).optional(),
  stream_idle_timeout_ms: z.number().int().positive().optional(),
});

const priceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
  cachedInput: z.number().min(0).optional(),
});

type Toml = string | number | boolean | Toml[] | { [key: string]: Toml };
const tomlValue: z.ZodType<Toml> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.array(tomlValue), z.record(z.string(), tomlValue)]),
);

const schema = z.object({
  model: nonEmpty.optional(),
  /** The codex binary: a path, or a name looked up on PATH. */
  executable: nonEmpty.optional(),
  /** Where Codex keeps auth, config and sessions; resume needs the same one. */
  codex_home: nonEmpty.optional(),
  sandbox: z.enum(['read-only', 'workspace-write', 'danger-full-access']).default('workspace-write'),
  network: z.boolean().default(false),
  /** Let sandboxed commands write /tmp and $TMPDIR too (off: only the worktree is writable). */
  writable_tmp: z.boolean().default(false),
  reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
  provider: providerSchema.optional(),
  timeout_s: z.number().positive().max(604_800).default(1800),
  /** Codex retries 5xx itself (provider request_max_retries) but not 429: we rerun a turn that did nothing yet. */
  rate_limit_retries: z.number().int().min(0).max(10).default(3),
  /** First wait before such a rerun; doubled each time, capped at a minute. */
  rate_limit_backoff_s: z.number().min(0).max(60).default(5),
  pricing: z.record(nonEmpty, priceSchema).default({}),
  /** Extra Codex `--config` overrides, as a nested object. */
  codex_config: z.record(z.string(), tomlValue).default({}),
});

/** A codex model provider (an OpenAI-compatible Responses server). */
export type CodexProvider = z.infer<typeof providerSchema>;

/** The validated `agents.codex` config with defaults applied. */
export interface CodexConfig {
  model?: string;
  executable?: string;
  codexHome?: string;
  sandbox: 'read-only' | 'workspace-write' | 'danger-full-access';
  network: boolean;
  writableTmp: boolean;
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
  provider?: CodexProvider;
  timeoutS: number;
  rateLimitRetries: number;
  rateLimitBackoffS: number;
  pricing: Record<string, ModelPrice>;
  codexConfig: Record<string, Toml>;
}

export type CodexConfigResult = { success: true; config: CodexConfig } | { success: false; error: string };

/** Prices in either spelling of the cached price, as the pricing module reads them. */
function pricingOf(table: Record<string, z.output<typeof priceSchema>>): Record<string, ModelPrice> {
  const pricing: Record<string, ModelPrice> = {};
  for (const [prefix, price] of Object.entries(table)) {
    const cached = price.cached_input ?? price.cachedInput;
    pricing[prefix] = {
      input: price.input,
      output: price.output,
      ...(cached === undefined ? {} : { cached_input: cached }),
    };
  }
  return pricing;
}

/** The codex agent's config schema: the plan's keys in, a {@link CodexConfig} out. */
export const codexConfigSchema = schema.transform((data): CodexConfig => ({
  model: data.model,
  executable: data.executable,
  codexHome: data.codex_home,
  sandbox: data.sandbox,
  network: data.network,
  writableTmp: data.writable_tmp,
  reasoningEffort: data.reasoning_effort,
  provider: data.provider,
  timeoutS: data.timeout_s,
  rateLimitRetries: data.rate_limit_retries,
  rateLimitBackoffS: data.rate_limit_backoff_s,
  pricing: pricingOf(data.pricing),
  codexConfig: data.codex_config,
}));

/** Validates the codex agent's config; unknown keys are ignored here (the adapter rejects them). */
export function parseCodexConfig(config: Record<string, unknown>): CodexConfigResult {
  const parsed = codexConfigSchema.safeParse(config);
  return parsed.success
    ? { success: true, config: parsed.data }
    : { success: false, error: configErrorMessage(parsed.error) };
}

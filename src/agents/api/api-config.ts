import { z } from 'zod';
import type { ModelPrice } from '../pricing.js';
import { configErrorMessage } from '../config-error.js';

/** Which AI SDK provider talks to the model. */
export type ApiProvider = 'openai-compatible' | 'anthropic' | 'openai';

/** The API key variable each provider reads when `api_key_env` is not given. */
export const DEFAULT_KEY_ENV: Readonly<Record<ApiProvider, string | undefined>> = {
  'openai-compatible': undefined,
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

const price = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  cached_input: z.number().nonnegative().optional(),
});

const schema = z.object({
  provider: z.enum(['openai-compatible', 'anthropic', 'openai']).default('openai-compatible'),
  base_url: z.url({ protocol: /^https?$/, error: 'base_url must be an http(s) URL' }).optional(),
  model: z.string({ error: 'model is required, e.g. model: qwen2.5-coder:7b' }).min(1, 'model is required'),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'api_key_env must be an environment variable name')
    .optional(),
  max_steps: z.number().int().positive().default(40),
  context_tokens: z.number().int().positive().default(24_000),
  command_timeout_s: z.number().positive().default(120),
  /**
   * Retries inside the session by the AI SDK. Off by default: the engine's retry policy
   * (`retry:` in the plan) decides, with the typed failure and the server's Retry-After.
   */
  max_retries: z.number().int().nonnegative().max(10).default(0),
  max_output_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** One price for this model, or prices by model-id prefix (like the plan's `pricing`). */
  pricing: z.union([price, z.record(z.string(), price)]).optional(),
});

/** A validated `agents.api` config with defaults applied. */
export interface ApiConfig {
  provider: ApiProvider;
  baseUrl: string | undefined;
  model: string;
  /** The variable holding the key, or undefined when the provider needs none (a local server). */
  apiKeyEnv: string | undefined;
  maxSteps: number;
  contextTokens: number;
  commandTimeoutS: number;
  maxRetries: number;
  maxOutputTokens: number | undefined;
  temperature: number | undefined;
  /** Price overrides by model-id prefix, for `priceOf`. */
  pricing: Record<string, ModelPrice>;
}

export type ApiConfigResult = { success: true; config: ApiConfig } | { success: false; error: string };

function toPrice(value: z.output<typeof price>): ModelPrice {
  const cached = value.cached_input ?? value.cachedInput;
  return cached === undefined
    ? { input: value.input, output: value.output }
    : { input: value.input, output: value.output, cached_input: cached };
}

function pricingOf(model: string, value: z.output<typeof schema>['pricing']): Record<string, ModelPrice> {
  if (value === undefined) return {};
  const single = price.safeParse(value);
  if (single.success) return { [model]: toPrice(single.data) };
  const table: Record<string, ModelPrice> = {};
  for (const [prefix, entry] of Object.entries(value as Record<string, z.output<typeof price>>))
    table[prefix] = toPrice(entry);
  return table;
}

/** The api agent's config schema: the plan's keys in, an {@link ApiConfig} out. */
export const apiConfigSchema = schema
  .superRefine((data, ctx) => {
    if (data.provider === 'openai-compatible' && data.base_url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['base_url'],
        message: 'required for provider openai-compatible, e.g. http://localhost:11434/v1 for Ollama',
      });
    }
  })
  .transform((data): ApiConfig => ({
    provider: data.provider,
    baseUrl: data.base_url,
    model: data.model,
    apiKeyEnv: data.api_key_env ?? DEFAULT_KEY_ENV[data.provider],
    maxSteps: data.max_steps,
    contextTokens: data.context_tokens,
    commandTimeoutS: data.command_timeout_s,
    maxRetries: data.max_retries,
    maxOutputTokens: data.max_output_tokens,
    temperature: data.temperature,
    pricing: pricingOf(data.model, data.pricing),
  }));

/** Validates the api agent's config; unknown keys are ignored here (the adapter rejects them). */
export function parseApiConfig(config: Record<string, unknown>): ApiConfigResult {
  const parsed = apiConfigSchema.safeParse(config);
  return parsed.success
    ? { success: true, config: parsed.data }
    : { success: false, error: configErrorMessage(parsed.error) };
}

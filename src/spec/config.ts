import { parse } from 'yaml';
import { z } from 'zod';
import { userError } from '../domain/index.js';
import { DEFAULT_GATES } from './gates.js';

const freeForm = z.record(z.string(), z.unknown());

/**
 * `.gaffer/specs/<id>/spec.yaml`: which backend answers the phases and how, read at every run.
 * `plan` holds the settings the generated plan.yaml starts from: the model writes only its
 * tasks, never what they may do (agents, sandbox, checks and budgets stay the person's).
 */
export const specConfigSchema = z.strictObject({
  agent: z.string().min(1).default('api'),
  agents: z.record(z.string(), freeForm).default({}),
  timeout_s: z.number().positive().default(600),
  correction_rounds: z.number().int().min(1).max(10).default(3),
  max_output_chars: z.number().int().positive().default(60_000),
  gates: z
    .strictObject({
      requirements: z.boolean().default(DEFAULT_GATES.requirements),
      design: z.boolean().default(DEFAULT_GATES.design),
      tasks: z.boolean().default(DEFAULT_GATES.tasks),
    })
    .default(DEFAULT_GATES),
  plan: freeForm.default({}),
});

export type SpecConfig = z.infer<typeof specConfigSchema>;

/** What `gaffer spec new` writes: every setting at its default, with the backend to fill in. */
export const STARTER_CONFIG = `# How gaffer spec run answers this spec's phases (read at every run).
agent: api
agents:
  api:
    provider: openai-compatible   # or anthropic, openai
    # base_url: http://127.0.0.1:11434/v1
    model: qwen2.5-coder:7b
timeout_s: 600          # per phase run; --timeout overrides
correction_rounds: 3    # answers that do not validate go back with their errors this many times
max_output_chars: 60000
gates: { requirements: false, design: false, tasks: true }   # approval needed before what follows
plan:                   # settings plan.yaml starts from; the model writes only its tasks
  agent: claude-code
`;

/** Reads spec.yaml (absent: every default); a bad file is a user error naming the key. */
export function parseSpecConfig(text: string | undefined, file: string): SpecConfig {
  let raw: unknown = {};
  if (text !== undefined) {
    try {
      raw = parse(text) ?? {};
    } catch (error) {
      throw userError(
        'GAFFER_BAD_INPUT',
        `${file}: ${error instanceof Error ? error.message : String(error)}`,
        'fix the YAML',
      );
    }
  }
  const parsed = specConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw userError(
    'GAFFER_BAD_INPUT',
    `${file}: ${first?.path.join('.') || '(top level)'}: ${first?.message ?? 'invalid'}`,
    `the keys are ${Object.keys(specConfigSchema.shape).join(', ')}`,
  );
}

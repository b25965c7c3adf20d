import { z } from 'zod';
import { PHASES } from './phases.js';

/**
 * How a phase run ended: `invalid` means the model answered, but not in a usable form;
 * `cancelled` that a person stopped it (Ctrl-C), which is no fault of the backend's. Receipts
 * written before `cancelled` existed say `failed` for that, and still parse.
 */
export const RECEIPT_STATUSES = ['ok', 'failed', 'timeout', 'invalid', 'cancelled'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

/**
 * The status of a receipt reserved before the model is asked and not yet finished: its run is
 * under way while the spec's lock is held, and was interrupted (killed) once the lock is gone.
 * Its `output`, once set, names what the run is about to write: an artifact that matches it is
 * the model's output, not a person's edit. No finished run has this status.
 */
export const RUNNING_STATUS = 'running';

/** Bumped when the receipt's shape changes, so old receipts are read knowingly. */
export const RECEIPT_FORMAT = 1;

const hashed = z.object({ name: z.string(), sha256: z.string() });
/** An input file; `sha256: null` when it was not there, so its appearing later counts as a change. */
const input = z.object({ name: z.string(), sha256: z.string().nullable() });

/**
 * The record of one phase run (`receipts/<phase>-<n>.json`), kept as history: exactly what went
 * in (each input's sha256, the template and the prompt's hash), who answered (agent, model), what
 * it cost, and what came out (the output's sha256 and size, and where it was written).
 */
export const receiptSchema = z.object({
  format: z.literal(RECEIPT_FORMAT),
  spec: z.string(),
  phase: z.enum(PHASES),
  number: z.number().int().positive(),
  status: z.enum([...RECEIPT_STATUSES, RUNNING_STATUS]),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  template: z.object({ name: z.string(), version: z.number().int() }),
  /** The first round's prompt. */
  promptSha256: z.string(),
  /** Every round's prompt, first to last (a correction adds the previous reply and its problems). */
  promptsSha256: z.array(z.string()).optional(),
  agent: z.string(),
  model: z.string().nullable(),
  /**
   * Every spec file the phase may read (phaseInputs), compared with the files now to tell a stale
   * artifact; one that was missing has `sha256: null`. Old receipts list only the files found.
   */
  inputs: z.array(input),
  /**
   * What else the answer was made from (CONTEXT_INPUTS): the repository map the prompt showed,
   * spec.yaml's plan settings written into plan.yaml, a revision's feedback. Only the plan settings
   * are compared for staleness (see COMPARED_CONTEXT in staleness.ts). Absent in old receipts.
   */
  context: z.array(hashed).optional(),
  /** The output file (the artifact, or `<artifact>.partial`); null when nothing came back. */
  output: z
    .object({ file: z.string(), sha256: z.string(), chars: z.number().int(), maxChars: z.number().int() })
    .nullable(),
  /** The model was asked this many times: its first answer, then each correction (at most correction_rounds). */
  rounds: z.number().int().nonnegative(),
  usage: z
    .object({
      inputTokens: z.number(),
      outputTokens: z.number(),
      cachedInputTokens: z.number(),
      costUsd: z.number(),
    })
    .nullable(),
  /** Why it is not ok, and the last problems found in the answer (with their locations). */
  error: z.string().nullable(),
  issues: z.array(z.string()),
  /** Acceptance criteria no task covers (the tasks phase only). */
  gaps: z.array(z.string()).optional(),
  /**
   * Written by `gaffer spec run --quick`: requirements and plan came from one answer, whose usage
   * is on the tasks receipt only; `other` names the receipt of the other half.
   */
  quick: z.object({ other: z.string() }).optional(),
  /** `gaffer spec revise`: the sha256 of the person's feedback (its text is in the prompt, hashed too). */
  feedbackSha256: z.string().optional(),
  gafferVersion: z.string(),
});

export type Receipt = z.infer<typeof receiptSchema>;

/** Reads a receipt's JSON; a file that is not one is reported, never thrown. */
export function parseReceipt(
  text: string,
): { success: true; value: Receipt } | { success: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { success: false, error: error instanceof Error ? error.message : String(error) };
  }
  const parsed = receiptSchema.safeParse(raw);
  return parsed.success
    ? { success: true, value: parsed.data }
    : {
        success: false,
        error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      };
}

/** `<phase>-<n>.json` → n, for the receipts of `phase`; undefined for any other file. */
export function receiptNumber(fileName: string, phase: string): number | undefined {
  const match = /^([a-z]+)-(\d+)\.json$/.exec(fileName);
  return match && match[1] === phase ? Number(match[2]) : undefined;
}

import { z } from 'zod';
import type { SpecPhase } from './phases.js';

/** A person's approval of a phase's artifact exactly as it was: a changed artifact is not approved. */
export interface Approval {
  sha256: string;
  at: string;
  /**
   * Of the plan (tasks) only: requirements.md as it was when the plan was approved (null: there was
   * none). A run gives each task the text of the criteria it covers from requirements.md, so that
   * text is approved with the plan. Absent in approvals written before it was recorded: such an
   * approval pins nothing, and `gaffer run --spec` asks for it again.
   */
  requirementsSha256?: string | null;
}

export type Approvals = Partial<Record<SpecPhase, Approval>>;

const approval = z.object({
  sha256: z.string(),
  at: z.string(),
  requirementsSha256: z.string().nullable().optional(),
});
const approvalsSchema = z.object({
  requirements: approval.optional(),
  design: approval.optional(),
  tasks: approval.optional(),
});

/** Reads approvals.json; anything unreadable counts as no approvals (the safe side of a gate). */
export function parseApprovals(text: string | undefined): Approvals {
  if (text === undefined) return {};
  try {
    const parsed = approvalsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

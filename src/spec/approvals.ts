import { z } from 'zod';
import type { SpecPhase } from './phases.js';

/** A person's approval of a phase's artifact exactly as it was: a changed artifact is not approved. */
export interface Approval {
  sha256: string;
  at: string;
}

export type Approvals = Partial<Record<SpecPhase, Approval>>;

const approval = z.object({ sha256: z.string(), at: z.string() });
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

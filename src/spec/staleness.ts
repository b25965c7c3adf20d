import { CONTEXT_INPUTS } from './hash.js';
import type { Receipt } from './receipt.js';

/** An input whose content is not what the phase's last good run read. */
export interface ChangedInput {
  name: string;
  /** The sha256 the receipt recorded; null when the file was not there then. */
  old: string | null;
  /** Its sha256 now; null when the file is gone. */
  new: string | null;
}

/**
 * missing: no artifact; done: an artifact and nothing
 * changed under it; stale: an input changed since its last good run; failed: its last run failed
 * and there is no artifact.
 */
export type PhaseState = 'missing' | 'done' | 'stale' | 'failed';

export interface PhaseFacts {
  /** The artifact's sha256 now; null when there is none. */
  artifact: string | null;
  /** The newest receipt with status ok, if any. */
  lastOk: Receipt | undefined;
  /** The newest receipt of any status, if any. */
  last: Receipt | undefined;
  /**
   * The sha256 of each input now, by name (null: the file is gone), and of the compared context
   * (COMPARED_CONTEXT); a context the caller leaves out is not compared.
   */
  current: Readonly<Record<string, string | null>>;
}

/**
 * The context of a receipt that makes its artifact stale when it changes: spec.yaml's `plan:`
 * settings, which plan.yaml is built from. Not the repository map: the repository changes with
 * every commit (the plan's own tasks change it), so comparing it would make every plan stale as
 * soon as work on it starts. Nor a revision's feedback: it was asked for once, and a later run
 * without it is no change of it.
 */
export const COMPARED_CONTEXT: readonly string[] = [CONTEXT_INPUTS.planSettings];

export interface PhaseVerdict {
  state: PhaseState;
  /** For `stale`: which inputs changed, from what to what. */
  changed: ChangedInput[];
  /** The artifact was changed by hand since the run that wrote it (respected, never overwritten silently). */
  edited: boolean;
}

/**
 * The state of one phase from its receipts and what is on disk now. Pure: the caller re-reads
 * every file each time, so a person's edit is seen at once. An artifact with no good receipt
 * (written by hand) is done: there is nothing it could be stale against.
 */
export function phaseVerdict(facts: PhaseFacts): PhaseVerdict {
  if (facts.artifact === null)
    return {
      state: facts.last && facts.last.status !== 'ok' ? 'failed' : 'missing',
      changed: [],
      edited: false,
    };
  const receipt = facts.lastOk;
  if (!receipt) return { state: 'done', changed: [], edited: false };
  const compared = [
    ...receipt.inputs,
    ...(receipt.context ?? []).filter((c) => COMPARED_CONTEXT.includes(c.name) && c.name in facts.current),
  ];
  // An input recorded as absent (null) that is there now has appeared: that is a change too.
  const changed = compared.flatMap((input): ChangedInput[] => {
    const now = facts.current[input.name] ?? null;
    return now === input.sha256 ? [] : [{ name: input.name, old: input.sha256, new: now }];
  });
  return {
    state: changed.length > 0 ? 'stale' : 'done',
    changed,
    edited: receipt.output !== null && receipt.output.sha256 !== facts.artifact,
  };
}

/** "requirements.md changed (3f2a9c1d → 8b7e6a5f)", "… is gone", "design.md appeared (…)". */
export function describeChange(change: ChangedInput): string {
  const what = change.name === CONTEXT_INPUTS.planSettings ? "spec.yaml's plan: settings" : change.name;
  if (change.old === null) return `${what} appeared (${(change.new ?? '').slice(0, 12)})`;
  return change.new === null
    ? `${what} is gone (was ${change.old.slice(0, 12)})`
    : `${what} changed (${change.old.slice(0, 12)} → ${change.new.slice(0, 12)})`;
}

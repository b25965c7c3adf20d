/** Stable error codes; the CLI maps them to exit codes and the server to HTTP statuses. */
export type GafferErrorCode =
  | 'GAFFER_PLAN_INVALID'
  | 'GAFFER_PLAN_NOT_FOUND'
  | 'GAFFER_PLAN_CYCLE'
  | 'GAFFER_ILLEGAL_TRANSITION'
  | 'GAFFER_NOT_A_REPO'
  | 'GAFFER_DIRTY_TREE'
  | 'GAFFER_UNKNOWN_AGENT'
  | 'GAFFER_AGENT_MISSING'
  | 'GAFFER_GIT'
  | 'GAFFER_INVALID_BRANCH'
  | 'GAFFER_INVALID_PATH'
  | 'GAFFER_RUN_NOT_FOUND'
  | 'GAFFER_LEASE_HELD'
  | 'GAFFER_STORE'
  | 'GAFFER_BAD_INPUT'
  | 'GAFFER_CANCELLED'
  | 'GAFFER_TIMEOUT'
  | 'GAFFER_AGENT_FAILED'
  | 'GAFFER_INVARIANT'
  | 'GAFFER_BASELINE_FAILED'
  /** This machine cannot run the OS sandbox (bubblewrap missing, user namespaces off) and the plan did not opt out. */
  | 'GAFFER_SANDBOX_UNAVAILABLE'
  /** A worktree is not what Gaffer made (a symlink, a rewritten .git file): nothing is removed or committed there. */
  | 'GAFFER_WORKTREE_TAMPERED'
  | 'GAFFER_PROCESSES_LEFT'
  | 'GAFFER_REPO_LOCKED'
  | 'GAFFER_SPEC_NOT_READY'
  | 'GAFFER_INTERNAL';

const marker = Symbol.for('gaffer.error');

export interface GafferErrorOptions {
  /** One line telling the user how to fix it. */
  hint?: string;
  cause?: unknown;
  /** Structured fields for `--json` output and logs. */
  details?: Record<string, unknown>;
  /** True when the error is the user's input, not a fault of Gaffer: exit code 2, no stack trace. */
  userError?: boolean;
}

/** Base of every error Gaffer throws on purpose. */
export class GafferError extends Error {
  readonly [marker] = true;
  override readonly name: string = 'GafferError';
  readonly code: GafferErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;
  readonly userError: boolean;

  constructor(code: GafferErrorCode, message: string, options: GafferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
    this.userError = options.userError ?? false;
  }

  /** Works across copies of the module (bundles, tests), unlike `instanceof`. */
  static isInstance(error: unknown): error is GafferError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** One problem found in a plan, positioned in its file. */
export interface PlanIssue {
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
  /** Machine-readable kind: 'yaml', 'schema', 'duplicate-id', 'unknown-dependency', 'cycle', 'unknown-key', 'deliverable-outside', 'deliverable-protected', … */
  kind: string;
}

/** A plan failed validation; `issues` lists every problem found, not only the first. */
export class PlanValidationError extends GafferError {
  override readonly name = 'PlanValidationError';
  readonly issues: readonly PlanIssue[];

  constructor(issues: readonly PlanIssue[]) {
    const first = issues[0];
    const head = first ? `${first.file}:${first.line}:${first.column}: ${first.message}` : 'invalid plan';
    super('GAFFER_PLAN_INVALID', issues.length > 1 ? `${head} (and ${issues.length - 1} more)` : head, {
      hint: first?.hint,
      userError: true,
      details: { issues },
    });
    this.issues = issues;
  }

  static override isInstance(error: unknown): error is PlanValidationError {
    return isNamed(error, 'PlanValidationError');
  }
}

/** A state machine was asked for a move it does not allow. */
export class IllegalTransitionError extends GafferError {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly machine: 'run' | 'task' | 'attempt',
    readonly from: string,
    readonly to: string,
    readonly subject: string,
  ) {
    super('GAFFER_ILLEGAL_TRANSITION', `${machine} ${subject}: illegal transition ${from} → ${to}`, {
      details: { machine, from, to, subject },
    });
  }

  static override isInstance(error: unknown): error is IllegalTransitionError {
    return isNamed(error, 'IllegalTransitionError');
  }
}

/** The operation was cancelled through an AbortSignal. */
export class CancelledError extends GafferError {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled', cause?: unknown) {
    super('GAFFER_CANCELLED', message, { cause });
  }

  static override isInstance(error: unknown): error is CancelledError {
    return isNamed(error, 'CancelledError');
  }
}

/** The operation ran past its time limit. */
export class TimeoutError extends GafferError {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super('GAFFER_TIMEOUT', message, { details: { timeoutMs } });
  }

  static override isInstance(error: unknown): error is TimeoutError {
    return isNamed(error, 'TimeoutError');
  }
}

/**
 * Gaffer's own code broke a rule it relies on (a task missing from its run, a branch deleted
 * under a running engine): a bug or outside interference, never the user's input.
 */
export class InvariantError extends GafferError {
  override readonly name = 'InvariantError';
  constructor(message: string, cause?: unknown) {
    super('GAFFER_INVARIANT', message, {
      cause,
      hint: 'this is a bug in Gaffer or its state was changed from outside; run again with --debug and report it',
    });
  }

  static override isInstance(error: unknown): error is InvariantError {
    return isNamed(error, 'InvariantError');
  }
}

/** Subclass checks by name, so they too work across copies of the module. */
function isNamed(error: unknown, name: string): boolean {
  return GafferError.isInstance(error) && error.name === name;
}

/** Shorthand for an error caused by what the user gave us (exit code 2). */
export function userError(
  code: GafferErrorCode,
  message: string,
  hint?: string,
  details?: Record<string, unknown>,
) {
  return new GafferError(code, message, { hint, details, userError: true });
}

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { GafferError, PlanValidationError, userError, type Plan } from '../domain/index.js';
import { notTextIssue, notUtf8Issue } from './text-check.js';
import { validatePlan } from './validate.js';

export interface LoadPlanOptions {
  repoRoot?: string;
  home?: string;
  /** Refuse the file unless its bytes have this sha256 (a plan approved as it was). */
  expectSha256?: string;
  /** Acceptance-criterion ids `covers:` may name (a spec's plan). */
  knownCriteria?: readonly string[];
}

/**
 * Reads and validates a plan file. A missing file throws `GAFFER_PLAN_NOT_FOUND`; an invalid
 * plan throws `PlanValidationError` carrying every issue found (one, for a file that is not
 * UTF-8 text).
 */
export async function loadPlan(path: string, options: LoadPlanOptions = {}): Promise<Plan> {
  const { expectSha256, ...validation } = options;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw readError(path, error);
  }
  // The bytes that are validated and run are the bytes that were checked, not a later read's.
  if (expectSha256 !== undefined) {
    const now = createHash('sha256').update(bytes).digest('hex');
    if (now !== expectSha256)
      throw userError(
        'GAFFER_BAD_INPUT',
        `${path} changed since it was checked (sha256 ${expectSha256.slice(0, 12)} → ${now.slice(0, 12)})`,
        'something wrote the plan meanwhile; look at it, approve it again if it is right, and run again',
        { path, expected: expectSha256, actual: now },
      );
  }
  const text = bytes.toString('utf8');
  const notText = notTextIssue(path, text) ?? notUtf8Issue(path, bytes);
  if (notText !== undefined) throw new PlanValidationError([notText]);
  // The sandbox paths a plan opens must exist on this machine.
  const result = validatePlan(text, { file: path, home: homedir(), pathExists: existsSync, ...validation });
  if (!result.ok) throw new PlanValidationError(result.issues);
  return result.plan;
}

function readError(path: string, error: unknown): GafferError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return userError(
      'GAFFER_PLAN_NOT_FOUND',
      `plan file not found: ${path}`,
      'check the path, or run `gaffer demo` to write an example plan',
      { path },
    );
  }
  if (code === 'EISDIR') {
    return userError(
      'GAFFER_PLAN_NOT_FOUND',
      `${path} is a directory, not a plan file`,
      'pass the plan file itself, e.g. plan.yaml',
      {
        path,
      },
    );
  }
  return new GafferError('GAFFER_PLAN_NOT_FOUND', `cannot read plan file ${path}: ${code ?? String(error)}`, {
    cause: error,
    hint: 'check that the file is readable',
    userError: true,
    details: { path },
  });
}

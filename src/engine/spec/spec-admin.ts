import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { GafferError, userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import { validatePlan } from '../../plan/index.js';
import type { Approval, Gates, SpecHandle, SpecPhase, SpecStatus } from '../../spec/index.js';
import {
  acquireSpecLock,
  blockedBy,
  createSpec,
  criterionIds,
  describeChange,
  formatRequirementsIssue,
  listSpecIds,
  nextStepHint,
  openSpec,
  parseRequirements,
  readApprovals,
  readSpecConfig,
  readText,
  sha256,
  specStatus,
  standingOf,
  writeApprovals,
} from '../../spec/index.js';

/** Where a new spec's feature description comes from: a file (relative to `cwd`) or text. */
export interface NewSpecInput {
  cwd: string;
  id: string;
  from?: string;
  text?: string;
}

/** `gaffer spec new`: the spec's folder with feature.md and spec.yaml; returns the folder. */
export async function newSpec(input: NewSpecInput): Promise<string> {
  if ((input.from === undefined) === (input.text === undefined))
    throw userError(
      'GAFFER_BAD_INPUT',
      'give the feature with --from <file> or --text "…" (one of them)',
      'e.g. `gaffer spec new login --from feature.md`',
    );
  const repo = await openRepo(input.cwd);
  let feature = input.text ?? '';
  if (input.from !== undefined) {
    const path = resolve(input.cwd, input.from);
    try {
      feature = await readFile(path, 'utf8');
    } catch (error) {
      throw userError(
        'GAFFER_BAD_INPUT',
        `cannot read the feature file ${input.from}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        'give the path of a markdown file describing the feature, or use --text "…"',
      );
    }
  }
  return createSpec(repo.root, input.id, feature).paths.dir;
}

/** `gaffer spec status`: every phase re-read from disk; needs no lock. */
export async function specStatusAt(cwd: string, id: string): Promise<SpecStatus> {
  const repo = await openRepo(cwd);
  return specStatus(openSpec(repo.root, id));
}

/** One spec of `gaffer spec list`: its status, or why it cannot be read (with the user error's hint). */
export type SpecListEntry = SpecStatus | { id: string; error: string; hint?: string };

/**
 * `gaffer spec list`: every spec of the repository with its phases' states. A spec that cannot be
 * read (a broken spec.yaml) is listed with why, and hides none of the others.
 */
export async function listSpecs(cwd: string): Promise<SpecListEntry[]> {
  const repo = await openRepo(cwd);
  return listSpecIds(repo.root).map((id) => listedSpec(repo.root, id));
}

function listedSpec(root: string, id: string): SpecListEntry {
  try {
    return specStatus(openSpec(root, id));
  } catch (error) {
    // Only what the person can fix is shown in the list; a fault of gaffer's still surfaces.
    if (!GafferError.isInstance(error) || !error.userError) throw error;
    return { id, error: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  }
}

/**
 * `gaffer spec approve`: records a person's approval of a phase's artifact as it is now (its
 * sha256), so a later change to it needs approving again. A missing, stale or unreadable
 * artifact is refused with why, and so is a plan.yaml that `gaffer run --spec` would refuse.
 */
export async function approvePhase(
  cwd: string,
  id: string,
  phase: SpecPhase,
  options: { force?: boolean } = {},
): Promise<{ sha256: string }> {
  const repo = await openRepo(cwd);
  const spec = openSpec(repo.root, id);
  // Read under the lock, so the artifact approved is the one no run is replacing meanwhile.
  const lock = acquireSpecLock(spec.paths.lock, { specId: id, force: Boolean(options.force) });
  try {
    const gates = readSpecConfig(spec).gates;
    const all = specStatus(spec, gates);
    const status = all.phases.find((p) => p.phase === phase);
    if (!status || status.state === 'missing' || status.state === 'failed')
      throw userError(
        'GAFFER_BAD_INPUT',
        `${phase} of spec ${id} has no ${status?.artifact ?? 'artifact'} to approve`,
        writeFirstHint(all, phase, gates),
      );
    if (status.state === 'stale')
      throw userError(
        'GAFFER_BAD_INPUT',
        `${phase} of spec ${id} is stale: ${status.changed.map(describeChange).join(', ')}`,
        nextStepHint(all),
      );
    const text = readText(spec.paths.artifact(phase)) ?? '';
    if (phase === 'tasks') refuseInvalidPlan(spec, text);
    if (phase === 'requirements') {
      const parsed = parseRequirements(text, spec.paths.artifact(phase));
      if (!parsed.ok)
        throw userError(
          'GAFFER_BAD_INPUT',
          `requirements.md does not read: ${parsed.issues.map(formatRequirementsIssue).join('; ')}`,
          'fix the file, then approve it',
        );
    }
    const hash = sha256(text);
    const approval: Approval = { sha256: hash, at: new Date().toISOString() };
    // The plan is approved with the criteria's text its tasks will be given: requirements.md as now.
    if (phase === 'tasks')
      approval.requirementsSha256 = sha256OrNull(readText(spec.paths.artifact('requirements')));
    writeApprovals(spec, { ...readApprovals(spec), [phase]: approval });
    return { sha256: hash };
  } finally {
    lock.release();
  }
}

const sha256OrNull = (text: string | undefined) => (text === undefined ? null : sha256(text));

/** How to write a phase's missing artifact: run it, or first what it waits for. */
function writeFirstHint(status: SpecStatus, phase: SpecPhase, gates: Gates): string {
  const last = status.phases.find((p) => p.phase === phase)?.lastReceipt;
  if (last?.quick) return `run it first: \`gaffer spec run ${status.id} --quick\``;
  const blocked = blockedBy(phase, standingOf(status.phases), gates, status.id, { quick: status.quick });
  return blocked ? blocked.hint : `run it first: \`gaffer spec run ${status.id} --phase ${phase}\``;
}

/**
 * plan.yaml checked as `gaffer run --spec` will load it (covers against requirements.md's criteria,
 * paths inside the repository, sandbox paths on this machine), so an approval is never given to a
 * plan that can only fail later. Refused with every issue at its line.
 */
function refuseInvalidPlan(spec: SpecHandle, text: string): void {
  const requirements = readText(spec.paths.artifact('requirements'));
  const parsed = requirements === undefined ? undefined : parseRequirements(requirements);
  const file = spec.paths.artifact('tasks');
  const checked = validatePlan(text, {
    file,
    repoRoot: spec.root,
    home: homedir(),
    pathExists: existsSync,
    knownCriteria: parsed ? criterionIds(parsed.stories) : [],
  });
  if (checked.ok) return;
  const issues = checked.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
  throw userError(
    'GAFFER_BAD_INPUT',
    `plan.yaml of spec ${spec.id} does not validate, so it cannot be approved:\n  ${issues.join('\n  ')}`,
    `fix plan.yaml, or have it written again: \`gaffer spec revise ${spec.id} tasks --feedback "…"\`; then approve it`,
    { spec: spec.id, issues: checked.issues },
  );
}

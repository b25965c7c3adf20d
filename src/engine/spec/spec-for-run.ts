import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import type { SpecHandle } from '../../spec/index.js';
import {
  describeChange,
  formatRequirementsIssue,
  nextStepHint,
  openSpec,
  parseRequirements,
  PHASE_ARTIFACT,
  readApprovals,
  readSpecConfig,
  readText,
  specsDir,
  specStatus,
} from '../../spec/index.js';

/** What `gaffer run --spec` hands to the engine: the plan file, and the spec it records. */
export interface SpecRunPlan {
  planPath: string;
  spec: {
    id: string;
    criteria: Record<string, string>;
    /** The sha256 of plan.yaml as it was checked (and approved): the run loads exactly these bytes. */
    planSha256: string;
  };
  /** Criteria no task covers, run anyway with `--allow-gaps`. */
  gaps: string[];
}

const notReady = (spec: SpecHandle, message: string, hint: string, details: Record<string, unknown> = {}) =>
  userError('GAFFER_SPEC_NOT_READY', `cannot run spec ${spec.id}: ${message}`, hint, {
    spec: spec.id,
    ...details,
  });

/** {@link specRunPlanAt} from a directory inside the repository. */
export async function specRunPlan(
  cwd: string,
  id: string,
  options: { allowGaps?: boolean } = {},
): Promise<SpecRunPlan> {
  const repo = await openRepo(cwd);
  return specRunPlanAt(repo.root, id, options);
}

/**
 * The plan a spec produced, checked as fit to run: no process writing the spec, its tasks phase
 * done (not missing, failed or stale), approved as it is now when the tasks gate is on (the
 * default), requirements.md readable, and every acceptance criterion covered by a task unless
 * `allowGaps`. plan.yaml is read once: the approval is checked against the sha256 of those bytes,
 * and the run is told to load only bytes with that hash. Each refusal is one user error with the
 * command that unblocks it; nothing is written. Read-only: takes no lock.
 */
export function specRunPlanAt(root: string, id: string, options: { allowGaps?: boolean } = {}): SpecRunPlan {
  const spec = openSpec(root, id);
  const status = specStatus(spec, readSpecConfig(spec).gates);
  if (status.lock?.state === 'running')
    throw notReady(
      spec,
      `process ${status.lock.holder?.pid ?? '?'} on ${status.lock.holder?.host ?? 'this host'} is writing it`,
      `wait for it to finish (\`gaffer spec status ${id}\`), then run again`,
      { lock: status.lock },
    );
  const tasks = status.phases.find((p) => p.phase === 'tasks');
  if (!tasks || tasks.state === 'missing' || tasks.state === 'failed')
    throw notReady(
      spec,
      `its tasks phase is ${tasks?.state ?? 'missing'}: there is no plan.yaml to run`,
      // A quick run that failed leaves a spec that is not quick (isQuick): both ways work.
      tasks?.lastReceipt?.quick
        ? `write it with \`gaffer spec run ${id} --quick\` again, or with \`gaffer spec run ${id}\` by way of a design`
        : `write it with \`gaffer spec run ${id}\``,
      { state: tasks?.state ?? 'missing' },
    );
  if (tasks.state === 'stale')
    throw notReady(
      spec,
      `plan.yaml is stale: ${tasks.changed.map(describeChange).join(', ')}`,
      nextStepHint(status),
      { state: 'stale', changed: tasks.changed },
    );
  const planPath = spec.paths.artifact('tasks');
  const planSha256 = sha256Of(planPath);
  if (tasks.gate && readApprovals(spec).tasks?.sha256 !== planSha256)
    throw notReady(
      spec,
      'plan.yaml is not approved as it is now (the tasks gate is on)',
      `read it, then \`gaffer spec approve ${id} tasks\``,
      { state: tasks.state, approved: false },
    );
  const text = readText(spec.paths.artifact('requirements'));
  const parsed =
    text === undefined ? undefined : parseRequirements(text, spec.paths.artifact('requirements'));
  if (parsed && !parsed.ok)
    throw notReady(
      spec,
      `requirements.md does not read: ${parsed.issues.map(formatRequirementsIssue).join('; ')}`,
      `fix it, then run the phases after it again: \`gaffer spec run ${id} --from-phase ${status.quick ? 'tasks' : 'design'}\``,
    );
  const gaps = status.gaps ?? [];
  if (gaps.length > 0 && !options.allowGaps)
    throw notReady(
      spec,
      `no task covers ${gaps.join(', ')}`,
      `cover them (\`gaffer spec revise ${id} tasks --feedback "cover ${gaps.join(', ')}"\`), or run anyway with --allow-gaps`,
      { gaps },
    );
  const criteria = Object.fromEntries(
    (parsed?.stories ?? []).flatMap((s) => s.criteria.map((c) => [c.id, c.text] as const)),
  );
  return { planPath, spec: { id: spec.id, criteria, planSha256 }, gaps };
}

/**
 * The spec whose plan `planPath` is, when it lies under `.gaffer/specs/`: a spec's plan.yaml runs
 * through its gate (`gaffer run .gaffer/specs/x/plan.yaml`, the HTTP API, MCP), never around it.
 * Any other file there (a `.partial`, a plan in `history/`) is refused: it was never approved.
 */
export function specOfPlanPath(root: string, planPath: string): string | undefined {
  let real: string;
  let specs: string;
  try {
    real = realpathSync(planPath);
    specs = realpathSync(specsDir(root));
  } catch {
    return undefined; // no such plan (loadPlan says so), or no specs here at all
  }
  const inside = relative(specs, real);
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) return undefined;
  const [id, ...rest] = inside.split(sep);
  if (id !== undefined && rest.length === 1 && rest[0] === PHASE_ARTIFACT.tasks) return id;
  throw userError(
    'GAFFER_BAD_INPUT',
    `${planPath} is a file of spec ${id ?? '?'}, not its plan: it was never approved to run`,
    `run the spec's plan with \`gaffer run --spec ${id ?? '<id>'}\`, or copy the file out of ${dirname(join(specs, inside))} to run it as a plan of your own`,
    { path: planPath },
  );
}

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

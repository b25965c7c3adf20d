import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import type { Gates, PhaseStatus, SpecHandle, SpecStatus } from '../../spec/index.js';
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
  sha256,
  specsDir,
  specStatus,
  standingOf,
  unapprovedGate,
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

/**
 * {@link specRunPlanAt} from a directory inside the repository, for a spec named by its id or by
 * the path of its plan.yaml; undefined for a plan path that is no spec's plan.
 */
export async function specRunPlan(
  cwd: string,
  plan: { spec: string } | { planPath: string },
  options: { allowGaps?: boolean } = {},
): Promise<SpecRunPlan | undefined> {
  const repo = await openRepo(cwd);
  const id = 'spec' in plan ? plan.spec : specOfPlanPath(repo.root, plan.planPath);
  return id === undefined ? undefined : specRunPlanAt(repo.root, id, options);
}

/**
 * The plan a spec produced, checked as fit to run: no process writing the spec, its tasks phase
 * done (not missing, failed or stale), every gated phase before it approved as it is now, the plan
 * approved as it is now — with requirements.md as it was then — when the tasks gate is on (the
 * default), requirements.md readable, and every acceptance criterion covered by a task unless
 * `allowGaps`. plan.yaml and requirements.md are read once: the approval is checked against the
 * sha256 of those bytes, the run is told to load only plan bytes with that hash, and its criteria
 * text comes from the requirements bytes checked. Each refusal is one user error with the command
 * that unblocks it; nothing is written. Read-only: takes no lock.
 */
export function specRunPlanAt(root: string, id: string, options: { allowGaps?: boolean } = {}): SpecRunPlan {
  const spec = openSpec(root, id);
  const gates = readSpecConfig(spec).gates;
  const status = specStatus(spec, gates);
  refuseWhileWritten(spec, status);
  const tasks = readyTasksPhase(spec, status);
  refuseUngatedPast(spec, status, gates);
  const planPath = spec.paths.artifact('tasks');
  const planSha256 = sha256Of(planPath);
  const requirementsPath = spec.paths.artifact('requirements');
  const text = readText(requirementsPath);
  if (tasks.gate) refuseUnapprovedPlan(spec, planSha256, text === undefined ? null : sha256(text));
  const parsed = text === undefined ? undefined : parseRequirements(text, requirementsPath);
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
      `cover them (\`gaffer spec revise ${id} tasks --feedback "cover ${gaps.join(', ')}"\`), or run anyway: \`gaffer run --spec ${id} --allow-gaps\``,
      { gaps },
    );
  const criteria = Object.fromEntries(
    (parsed?.stories ?? []).flatMap((s) => s.criteria.map((c) => [c.id, c.text] as const)),
  );
  return { planPath, spec: { id: spec.id, criteria, planSha256 }, gaps };
}

function refuseWhileWritten(spec: SpecHandle, status: SpecStatus): void {
  if (status.lock?.state !== 'running') return;
  throw notReady(
    spec,
    `process ${status.lock.holder?.pid ?? '?'} on ${status.lock.holder?.host ?? 'this host'} is writing it`,
    `wait for it to finish (\`gaffer spec status ${spec.id}\`), then run again`,
    { lock: status.lock },
  );
}

/** The tasks phase, refused when it left no plan.yaml or the plan is stale. */
function readyTasksPhase(spec: SpecHandle, status: SpecStatus): PhaseStatus {
  const id = spec.id;
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
  return tasks;
}

/**
 * A gate before the plan (requirements, design) holds the run too, however the plan came to be
 * written past it: by `--quick`, which writes requirements and plan at once, or by a person.
 */
function refuseUngatedPast(spec: SpecHandle, status: SpecStatus, gates: Gates): void {
  const phase = unapprovedGate('tasks', standingOf(status.phases), gates, { quick: status.quick });
  if (phase === undefined) return;
  const artifact = PHASE_ARTIFACT[phase];
  const missing = status.phases.find((p) => p.phase === phase)?.state === 'missing';
  throw notReady(
    spec,
    missing
      ? `${artifact} is missing, and the ${phase} gate is on: the plan runs only past an approved ${phase}`
      : `${artifact} is not approved as it is now (the ${phase} gate is on), and the plan stands on it`,
    missing
      ? `write it (\`gaffer spec run ${spec.id} --phase ${phase}\`) and approve it, or turn the gate off in spec.yaml (\`gates: { ${phase}: false }\`)`
      : `read it, then \`gaffer spec approve ${spec.id} ${phase}\`; if it changed, write the plan again from it (\`gaffer spec run ${spec.id}\`)`,
    { phase, approved: false },
  );
}

/**
 * The plan approved as it is now, and with requirements.md as it is now: the criteria's text a
 * run gives the tasks is read from there, so it is part of what was approved.
 */
function refuseUnapprovedPlan(spec: SpecHandle, planSha256: string, requirements: string | null): void {
  const id = spec.id;
  const approval = readApprovals(spec).tasks;
  if (approval?.sha256 !== planSha256)
    throw notReady(
      spec,
      'plan.yaml is not approved as it is now (the tasks gate is on)',
      `read it, then \`gaffer spec approve ${id} tasks\``,
      { state: 'done', approved: false },
    );
  if (approval.requirementsSha256 === undefined)
    throw notReady(
      spec,
      'the approval of plan.yaml does not say which requirements.md it was given with (it was recorded by an older gaffer)',
      `read plan.yaml and requirements.md, then approve again: \`gaffer spec approve ${id} tasks\``,
      { approved: false },
    );
  if (approval.requirementsSha256 !== requirements) {
    const change = { name: PHASE_ARTIFACT.requirements, old: approval.requirementsSha256, new: requirements };
    throw notReady(
      spec,
      `${describeChange(change)} since plan.yaml was approved: its tasks would be given criteria nobody approved with it`,
      `write the plan again from them (\`gaffer spec run ${id} --from-phase tasks\`), or read both and approve again: \`gaffer spec approve ${id} tasks\``,
      { approved: false, changed: [change] },
    );
  }
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

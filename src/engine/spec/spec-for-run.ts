import { userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import type { SpecHandle } from '../../spec/index.js';
import {
  describeChange,
  formatRequirementsIssue,
  openSpec,
  parseRequirements,
  readSpecConfig,
  readText,
  specStatus,
} from '../../spec/index.js';

/** What `gaffer run --spec` hands to the engine: the plan file, and the spec it records. */
export interface SpecRunPlan {
  planPath: string;
  spec: { id: string; criteria: Record<string, string> };
  /** Criteria no task covers, run anyway with `--allow-gaps`. */
  gaps: string[];
}

const notReady = (spec: SpecHandle, message: string, hint: string, details: Record<string, unknown> = {}) =>
  userError('GAFFER_SPEC_NOT_READY', `cannot run spec ${spec.id}: ${message}`, hint, {
    spec: spec.id,
    ...details,
  });

/**
 * The plan a spec produced, checked as fit to run: its tasks phase done (not missing, failed or
 * stale), approved when the tasks gate is on (the default), requirements.md readable, and every
 * acceptance criterion covered by a task unless `allowGaps`. Each refusal is one user error with
 * the command that unblocks it; nothing is written. Read-only: needs no lock.
 */
export async function specRunPlan(
  cwd: string,
  id: string,
  options: { allowGaps?: boolean } = {},
): Promise<SpecRunPlan> {
  const repo = await openRepo(cwd);
  const spec = openSpec(repo.root, id);
  const status = specStatus(spec, readSpecConfig(spec).gates);
  const tasks = status.phases.find((p) => p.phase === 'tasks');
  if (!tasks || tasks.state === 'missing' || tasks.state === 'failed')
    throw notReady(
      spec,
      `its tasks phase is ${tasks?.state ?? 'missing'}: there is no plan.yaml to run`,
      `write it with \`gaffer spec run ${id}\``,
      { state: tasks?.state ?? 'missing' },
    );
  if (tasks.state === 'stale')
    throw notReady(
      spec,
      `plan.yaml is stale: ${tasks.changed.map(describeChange).join(', ')}`,
      `run the phases again from the first stale one (\`gaffer spec status ${id}\`), e.g. \`gaffer spec run ${id} --from-phase tasks\``,
      { state: 'stale', changed: tasks.changed },
    );
  if (tasks.gate && !tasks.approved)
    throw notReady(
      spec,
      'plan.yaml is not approved (the tasks gate is on)',
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
      `fix it, then run the phases after it again: \`gaffer spec run ${id} --from-phase design\``,
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
  return { planPath: spec.paths.artifact('tasks'), spec: { id: spec.id, criteria }, gaps };
}

import type { AgentRegistry } from '../../agents/index.js';
import { defaultAgentRegistry } from '../../agents/index.js';
import { userError } from '../../domain/index.js';
import { openRepo } from '../../git/index.js';
import type { PhaseStatus, SpecConfig, SpecHandle, SpecPhase, SpecStatus } from '../../spec/index.js';
import {
  acquireSpecLock,
  blockedBy,
  checkPlanSettings,
  firstToRun,
  formatRequirementsIssue,
  openSpec,
  parseRequirements,
  phasesFrom,
  QUICK_TEMPLATE,
  readSpecConfig,
  readText,
  sha256,
  skipsDesign,
  specStatus,
  standingOf,
} from '../../spec/index.js';
import type { PhaseMaterial } from './phase-material.js';
import { phaseMaterial } from './phase-material.js';
import { repositoryMap } from './repository-map.js';
import type { PhaseOutcome } from './run-phase.js';
import { runPhase } from './run-phase.js';
import { quickPrompt, runQuick } from './run-quick.js';
import { specAsker } from './spec-session.js';

export interface SpecRunRequest {
  cwd: string;
  id: string;
  /** Only this phase. */
  phase?: SpecPhase;
  /** This phase and every one after it, re-run even when done. */
  fromPhase?: SpecPhase;
  /** `gaffer spec revise`: re-run `phase` with this feedback and its previous output in the prompt. */
  feedback?: string;
  /** `--quick`: requirements and plan in one answer, no design (for a small change). */
  quick?: boolean;
  /** Render the prompts and stop: no lock, no model, nothing written. */
  dryRun?: boolean;
  timeoutS?: number;
  /** Take a stale lock (never a live one). */
  force?: boolean;
  /** Write again an artifact edited by hand that a plain run (or `--quick`) would replace; the old one goes to history/. */
  overwrite?: boolean;
  /** The backend, over spec.yaml's `agent`. */
  agent?: string;
  gafferVersion: string;
  env?: Record<string, string | undefined>;
  agents?: AgentRegistry;
  signal?: AbortSignal;
  /** Told before each phase starts, so a shell can show progress. */
  onPhaseStart?: (phase: SpecPhase) => void;
}

export interface SpecRunResult {
  spec: string;
  /** Phases run, in order. */
  ran: PhaseOutcome[];
  /** With `dryRun`: what each phase would be asked. */
  dry: PhaseMaterial[];
  /** Why the run stopped before the last phase asked for (a gate waiting for a person). */
  waiting?: { phase: SpecPhase; reason: string; hint: string };
}

/**
 * Runs a spec's phases in order under its lock: without a phase, from the first one not done up
 * to the last, stopping at a gate a person has not approved or at a phase that did not succeed.
 * A phase asked for out of order (an earlier one missing, stale, failed or unapproved), an artifact
 * edited by hand that a plain run would replace, or spec.yaml `plan:` settings no plan could carry
 * are user errors naming what unblocks them; nothing is run or written then. What to run is
 * decided under the lock, from the status read there, so two runs never act on the same reading.
 */
export async function runSpec(request: SpecRunRequest): Promise<SpecRunResult> {
  const repo = await openRepo(request.cwd);
  const spec = openSpec(repo.root, request.id);
  const stored = readSpecConfig(spec);
  const config: SpecConfig = request.agent ? { ...stored, agent: request.agent } : stored;
  const result: SpecRunResult = { spec: spec.id, ran: [], dry: [] };
  if (request.quick) return runQuickly(request, { repo, spec, config, result });
  const map = memo(() => repositoryMap(repo));
  const revision = request.feedback === undefined ? undefined : { feedback: request.feedback };
  if (request.dryRun) {
    const { phases } = decidePhases(request, spec, config);
    for (const phase of phases) result.dry.push(await phaseMaterial(spec, phase, config, map, revision));
    return result;
  }
  const lock = acquireSpecLock(spec.paths.lock, { specId: spec.id, force: Boolean(request.force) });
  try {
    const { phases, status } = decidePhases(request, spec, config);
    if (phases.length === 0) return result;
    refuseReplacingEdits(request, spec, phases, status.phases);
    if (phases.includes('tasks'))
      checkPlanSettings(config.plan, readText(spec.paths.config), spec.paths.config);
    const asker = specAsker(spec, config, {
      repo,
      agents: request.agents ?? defaultAgentRegistry(),
      env: request.env ?? process.env,
    });
    for (const [index, phase] of phases.entries()) {
      if (request.signal?.aborted) break;
      if (index > 0) {
        const now = specStatus(spec, config.gates);
        const blocked = blockedBy(phase, standingOf(now.phases), config.gates, spec.id, {
          quick: now.quick,
        });
        if (blocked) {
          result.waiting = { phase, ...blocked };
          break;
        }
      }
      checkRequirementsReadable(spec, phase);
      request.onPhaseStart?.(phase);
      const material = await phaseMaterial(spec, phase, config, map, revision);
      const outcome = await runPhase({
        spec,
        material,
        config,
        asker,
        timeoutMs: (request.timeoutS ?? config.timeout_s) * 1000,
        gafferVersion: request.gafferVersion,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      result.ran.push(outcome);
      if (outcome.receipt.status !== 'ok') break;
    }
  } finally {
    lock.release();
  }
  return result;
}

/** The phases to run from the status as it is now, refused when the first may not run yet. */
function decidePhases(
  request: SpecRunRequest,
  spec: SpecHandle,
  config: SpecConfig,
): { phases: SpecPhase[]; status: SpecStatus } {
  const status = specStatus(spec, config.gates);
  const phases = selectPhases(request, status);
  if (phases.length > 0) refuseOutOfOrder(spec, phases[0]!, status, config);
  return { phases, status };
}

/**
 * A plain run (or `--quick`) re-runs what is stale, but an artifact a person edited since it was
 * written is theirs: it is replaced only when they name its phase (`--phase`, `--from-phase`) or
 * say `--overwrite`. (`--force` is for a stale lock only: taking one over never replaces edits.)
 */
function refuseReplacingEdits(
  request: SpecRunRequest,
  spec: SpecHandle,
  phases: readonly SpecPhase[],
  standing: readonly PhaseStatus[],
): void {
  if (request.phase || request.fromPhase || request.overwrite) return;
  const edited = standing.find((p) => p.edited && phases.includes(p.phase));
  if (!edited) return;
  const again = request.quick
    ? `\`gaffer spec run ${spec.id} --quick --overwrite\``
    : `\`gaffer spec run ${spec.id} --from-phase ${edited.phase}\` or add --overwrite`;
  throw userError(
    'GAFFER_BAD_INPUT',
    `${edited.artifact} of spec ${spec.id} was edited by hand since it was written, and this run would write it again`,
    `to write it again anyway: ${again} (your version is kept in history/); to keep it, run the phases before it with --phase`,
    { spec: spec.id, phase: edited.phase, file: spec.paths.artifact(edited.phase) },
  );
}

/**
 * `--quick` writes the requirements and the plan in one answer, so no person can approve the
 * requirements before the plan is written from them: with a requirements gate it is refused,
 * never run past the gate (README, "Gates").
 */
function refuseQuickPastGate(spec: SpecHandle, config: SpecConfig): void {
  if (!config.gates.requirements) return;
  throw userError(
    'GAFFER_BAD_INPUT',
    `spec ${spec.id} has a requirements gate, and --quick would write the plan before anyone approves the requirements`,
    `go phase by phase: \`gaffer spec run ${spec.id}\` stops after requirements.md, \`gaffer spec approve ${spec.id} requirements\`, then \`gaffer spec run ${spec.id}\`; or turn the gate off in spec.yaml (\`gates: { requirements: false }\`)`,
    { spec: spec.id, gate: 'requirements' },
  );
}

/** `--quick`: one answer for requirements.md and plan.yaml under the lock; `dryRun` shows its prompt. */
async function runQuickly(
  request: SpecRunRequest,
  at: {
    repo: Awaited<ReturnType<typeof openRepo>>;
    spec: SpecHandle;
    config: SpecConfig;
    result: SpecRunResult;
  },
): Promise<SpecRunResult> {
  const { repo, spec, config, result } = at;
  if (request.phase || request.fromPhase || request.feedback !== undefined)
    throw userError(
      'GAFFER_BAD_INPUT',
      '--quick writes requirements and tasks together: it takes no --phase, --from-phase or revision',
      `gaffer spec run ${spec.id} --quick`,
    );
  refuseQuickPastGate(spec, config);
  const repoMap = await repositoryMap(repo);
  if (request.dryRun) {
    const { prompt } = quickPrompt(spec, config, repoMap);
    const feature = readText(spec.paths.feature);
    result.dry.push({
      phase: 'tasks',
      inputs: [{ name: 'feature.md', text: feature, sha256: feature === undefined ? null : sha256(feature) }],
      prompt,
      template: { name: QUICK_TEMPLATE.name, version: QUICK_TEMPLATE.version },
      criteria: [],
      missing: [],
      // Shown, never recorded: a dry run writes no receipt for these to go in.
      context: [],
    });
    return result;
  }
  checkPlanSettings(config.plan, readText(spec.paths.config), spec.paths.config);
  const asker = specAsker(spec, config, {
    repo,
    agents: request.agents ?? defaultAgentRegistry(),
    env: request.env ?? process.env,
  });
  const lock = acquireSpecLock(spec.paths.lock, { specId: spec.id, force: Boolean(request.force) });
  try {
    // Read under the lock, as a plain run does: the edits seen are the ones this run would replace.
    refuseReplacingEdits(request, spec, ['requirements', 'tasks'], specStatus(spec, config.gates).phases);
    request.onPhaseStart?.('requirements');
    result.ran.push(
      ...(await runQuick({
        spec,
        config,
        asker,
        repoMap,
        timeoutMs: (request.timeoutS ?? config.timeout_s) * 1000,
        gafferVersion: request.gafferVersion,
        ...(request.signal ? { signal: request.signal } : {}),
      })),
    );
  } finally {
    lock.release();
  }
  return result;
}

/**
 * The phases a request runs. A quick spec's design, never written, is left out unless the request
 * names it (`--phase design`, `--from-phase design`): its plan stands on the requirements alone,
 * and its tasks phase runs from them (the tasks template, without a design section).
 */
function selectPhases(request: SpecRunRequest, status: SpecStatus): SpecPhase[] {
  if (request.phase && request.fromPhase)
    throw userError(
      'GAFFER_BAD_INPUT',
      '--phase and --from-phase cannot go together',
      'use --phase X for one phase, --from-phase X for X and what follows',
    );
  if (request.feedback !== undefined && !request.phase)
    throw userError(
      'GAFFER_BAD_INPUT',
      'a revision names its phase',
      'gaffer spec revise <id> <phase> --feedback "…"',
    );
  if (request.phase) return [request.phase];
  const first = request.fromPhase ?? firstToRun(status);
  return first ? phasesFrom(first).filter((p) => p === first || !skipsDesign(status, p)) : [];
}

function refuseOutOfOrder(spec: SpecHandle, phase: SpecPhase, status: SpecStatus, config: SpecConfig): void {
  const blocked = blockedBy(phase, standingOf(status.phases), config.gates, spec.id, {
    quick: status.quick,
  });
  if (blocked)
    throw userError(
      'GAFFER_BAD_INPUT',
      `cannot run ${phase} of spec ${spec.id}: ${blocked.reason}`,
      blocked.hint,
      { spec: spec.id, phase },
    );
  checkRequirementsReadable(spec, phase);
}

/** Design and tasks stand on requirements.md: one a person broke is refused at its line, before any model runs. */
function checkRequirementsReadable(spec: SpecHandle, phase: SpecPhase): void {
  if (phase === 'requirements') return;
  const text = readText(spec.paths.artifact('requirements'));
  if (text === undefined) return;
  const parsed = parseRequirements(text, spec.paths.artifact('requirements'));
  if (parsed.ok) return;
  const [first] = parsed.issues;
  throw userError(
    'GAFFER_BAD_INPUT',
    `requirements.md does not read: ${first ? formatRequirementsIssue(first) : 'invalid'}${parsed.issues.length > 1 ? ` (and ${parsed.issues.length - 1} more)` : ''}`,
    `fix the file, or re-run it with \`gaffer spec run ${spec.id} --phase requirements\``,
    { spec: spec.id, issues: parsed.issues },
  );
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

import { basename } from 'node:path';
import type { Receipt, SpecConfig, SpecHandle, SpecPhase } from '../../spec/index.js';
import {
  CONTEXT_INPUTS,
  criterionIds,
  nextReceiptNumber,
  parseRequirements,
  PHASE_ARTIFACT,
  QUICK_TEMPLATE,
  readText,
  RECEIPT_FORMAT,
  sha256,
  sha256OfValue,
  writeReceipt,
  RUNNING_STATUS,
} from '../../spec/index.js';
import type { CheckedAnswer } from './check-answer.js';
import { checkAnswer } from './check-answer.js';
import type { FinishedOutput, PhaseOutcome } from './run-phase.js';
import { correctionLoop, failReservedOnThrow, finishRun, outputFile, outputRecord } from './run-phase.js';
import type { SpecAsker } from './spec-session.js';

export interface RunQuickOptions {
  spec: SpecHandle;
  config: SpecConfig;
  asker: SpecAsker;
  repoMap: string;
  timeoutMs: number;
  gafferVersion: string;
  signal?: AbortSignal;
}

/** The prompt of a quick run: the feature and the repository map, nothing else. */
export function quickPrompt(spec: SpecHandle, config: SpecConfig, repoMap: string) {
  const feature = readText(spec.paths.feature) ?? '';
  return {
    feature,
    prompt: QUICK_TEMPLATE.render({ specId: spec.id, feature, repoMap, maxChars: config.max_output_chars }),
  };
}

/**
 * `gaffer spec run --quick`: for a small change, requirements.md and plan.yaml from one answer (its
 * ```markdown and its ```yaml block), with no design phase. Both halves are checked as their phases
 * check them (requirements first, so the plan's `covers` are checked against the criteria of the
 * same answer), problems go back in correction rounds, and each half gets its own receipt (the
 * tasks one reads the requirements just written, so an edit to them makes the plan stale), both
 * reserved as `running` before the model is asked (see finishRun). All rounds share one time limit.
 * The answer's size is bounded by `max_output_chars` and each half's size is reported.
 */
export async function runQuick(options: RunQuickOptions): Promise<PhaseOutcome[]> {
  const { spec, config, asker } = options;
  const { feature, prompt: first } = quickPrompt(spec, config, options.repoMap);
  const numbers = {
    requirements: nextReceiptNumber(spec, 'requirements'),
    tasks: nextReceiptNumber(spec, 'tasks'),
  };
  const started = Date.now();
  const featureInput = { name: 'feature.md', sha256: sha256(feature) };
  // Read before the requirements half is written: the design, as the plan was made beside it.
  const design = readText(spec.paths.artifact('design'));
  const designInput = { name: PHASE_ARTIFACT.design, sha256: design === undefined ? null : sha256(design) };
  const mapInput = { name: CONTEXT_INPUTS.repoMap, sha256: sha256(options.repoMap) };
  const reserve = (
    phase: 'requirements' | 'tasks',
    inputs: Receipt['inputs'],
    context: { name: string; sha256: string }[],
  ): Receipt => {
    const other: SpecPhase = phase === 'tasks' ? 'requirements' : 'tasks';
    return {
      format: RECEIPT_FORMAT,
      spec: spec.id,
      phase,
      number: numbers[phase],
      status: RUNNING_STATUS,
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
      template: { name: QUICK_TEMPLATE.name, version: QUICK_TEMPLATE.version },
      promptSha256: sha256(first),
      agent: asker.agent,
      model: asker.model,
      inputs,
      context,
      output: null,
      rounds: 0,
      usage: null,
      error: null,
      issues: [],
      quick: { other: `${other}-${numbers[other]}.json` },
      gafferVersion: options.gafferVersion,
    };
  };
  // The plan's reservation cannot name the requirements it reads yet: they come with the answer.
  const reserved = {
    requirements: reserve('requirements', [featureInput], [mapInput]),
    tasks: reserve(
      'tasks',
      [featureInput, designInput],
      [mapInput, { name: CONTEXT_INPUTS.planSettings, sha256: sha256OfValue(config.plan) }],
    ),
  };
  const paths = {
    requirements: writeReceipt(spec, reserved.requirements),
    tasks: writeReceipt(spec, reserved.tasks),
  };
  return failReservedOnThrow(spec, [reserved.requirements, reserved.tasks], async () => {
    const context = {
      config,
      criteria: [] as string[],
      planFile: basename(spec.paths.partial('tasks')),
      repoRoot: spec.root,
    };
    const loop = await correctionLoop({
      ...options,
      first,
      label: (round) => `quick-${numbers.tasks}.${round}`,
      again: 'both blocks, whole',
      check: (text, cut): QuickRound => {
        const requirements = checkAnswer('requirements', text, context, cut);
        const parsed = parseRequirements(requirements.output);
        const tasks = checkAnswer('tasks', text, { ...context, criteria: criterionIds(parsed.stories) }, cut);
        return {
          requirements,
          tasks,
          problems: [...new Set([...requirements.problems, ...tasks.problems])],
          gaps: tasks.gaps,
        };
      },
    });
    const { status, best } = loop;
    const outputs: Record<'requirements' | 'tasks', string> = {
      requirements: best?.requirements.output ?? loop.partialText,
      tasks: best?.tasks.output ?? '',
    };
    const finished = (phase: 'requirements' | 'tasks', inputs: Receipt['inputs']): FinishedOutput => {
      const file = outputFile(spec, phase, status, outputs[phase], config);
      const receipt: Receipt = {
        ...reserved[phase],
        status,
        durationMs: Date.now() - started,
        promptsSha256: loop.prompts.map(sha256),
        inputs,
        output: outputRecord(file, config),
        rounds: loop.rounds,
        // One session answered both halves: its usage is counted once, on the tasks receipt.
        usage: phase === 'tasks' ? loop.usage : null,
        error: loop.error,
        issues: status === 'invalid' ? (best?.[phase].shown ?? []) : [],
        ...(phase === 'tasks' && best ? { gaps: best.tasks.gaps } : {}),
      };
      return { receipt, file };
    };
    // The plan is recorded against every input a tasks run reads, the design too (null when there
    // is none, as after a first quick run): a design written later makes this plan stale.
    const halves = {
      requirements: finished('requirements', [featureInput]),
      tasks: finished('tasks', [
        featureInput,
        { name: PHASE_ARTIFACT.requirements, sha256: sha256(outputs.requirements) },
        designInput,
      ]),
    };
    const [keptRequirements = null, keptTasks = null] = finishRun(spec, [halves.requirements, halves.tasks]);
    const outcome = (phase: 'requirements' | 'tasks', kept: string | null): PhaseOutcome => ({
      receipt: halves[phase].receipt,
      receiptPath: paths[phase],
      written: halves[phase].file?.path ?? null,
      kept,
    });
    return [outcome('requirements', keptRequirements), outcome('tasks', keptTasks)];
  });
}

/** One round of a quick run: both halves checked, judged together. */
interface QuickRound {
  requirements: CheckedAnswer;
  tasks: CheckedAnswer;
  problems: string[];
  gaps: string[];
}

import { rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Receipt, ReceiptStatus, SpecConfig, SpecHandle, SpecPhase } from '../../spec/index.js';
import {
  criterionIds,
  nextReceiptNumber,
  parseRequirements,
  QUICK_TEMPLATE,
  readText,
  RECEIPT_FORMAT,
  sha256,
  writeReceipt,
} from '../../spec/index.js';
import type { CheckedAnswer } from './check-answer.js';
import { checkAnswer } from './check-answer.js';
import type { PhaseOutcome } from './run-phase.js';
import { keepPrevious } from './run-phase.js';
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
 * tasks one reads the requirements just written, so an edit to them makes the plan stale).
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
  let usage: Usage | null = null;
  let prompt = first;
  let rounds = 0;
  let status: ReceiptStatus = 'invalid';
  let error: string | null = null;
  let partialText = '';
  let checked: { requirements: CheckedAnswer; tasks: CheckedAnswer } | undefined;
  while (rounds < config.correction_rounds) {
    rounds += 1;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const answer = await asker
      .ask(prompt, `quick-${numbers.tasks}.${rounds}`, signal)
      .finally(() => clearTimeout(timer));
    if (answer.usage) usage = addUsage(usage ?? ZERO_USAGE, answer.usage);
    if (timeout.signal.aborted || answer.error !== undefined || options.signal?.aborted) {
      status = timeout.signal.aborted ? 'timeout' : 'failed';
      error = timeout.signal.aborted
        ? `no complete answer within ${options.timeoutMs / 1000}s`
        : `the ${asker.agent} session failed: ${answer.error ?? 'stopped'}`;
      partialText = answer.text;
      break;
    }
    const context = {
      config,
      criteria: [] as string[],
      planFile: basename(spec.paths.partial('tasks')),
      repoRoot: spec.root,
    };
    const requirements = checkAnswer('requirements', answer.text, context);
    const parsed = parseRequirements(requirements.output);
    const tasks = checkAnswer('tasks', answer.text, { ...context, criteria: criterionIds(parsed.stories) });
    checked = { requirements, tasks };
    const problems = [...new Set([...requirements.problems, ...tasks.problems])];
    if (problems.length === 0 && (tasks.gaps.length === 0 || rounds >= config.correction_rounds)) {
      status = 'ok';
      break;
    }
    error = `the answer is not usable after ${rounds} round${rounds === 1 ? '' : 's'}`;
    const all = [
      ...problems,
      ...tasks.gaps.map((id) => `no task covers ${id}: add it to a task's covers (or add a task)`),
    ];
    prompt = `${first}\n## Your previous reply could not be used\n${all.map((p) => `- ${p}`).join('\n')}\nReply again with both blocks, whole and fixed.\n`;
  }
  const outputs: Record<'requirements' | 'tasks', string> = {
    requirements: checked?.requirements.output ?? partialText,
    tasks: checked?.tasks.output ?? '',
  };
  const receipt = (
    phase: 'requirements' | 'tasks',
    inputs: { name: string; sha256: string }[],
  ): PhaseOutcome => {
    const output = outputs[phase];
    const written =
      status === 'ok' ? spec.paths.artifact(phase) : output.trim() === '' ? null : spec.paths.partial(phase);
    let kept: string | null = null;
    if (status === 'ok') {
      kept = keepPrevious(spec, phase, numbers[phase]);
      writeFileSync(spec.paths.artifact(phase), output);
      rmSync(spec.paths.partial(phase), { force: true });
    } else if (written !== null) writeFileSync(written, output);
    const other: SpecPhase = phase === 'tasks' ? 'requirements' : 'tasks';
    const value: Receipt = {
      format: RECEIPT_FORMAT,
      spec: spec.id,
      phase,
      number: numbers[phase],
      status,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      template: { name: QUICK_TEMPLATE.name, version: QUICK_TEMPLATE.version },
      promptSha256: sha256(first),
      agent: asker.agent,
      model: asker.model,
      inputs,
      output:
        written === null
          ? null
          : {
              file: basename(written),
              sha256: sha256(output),
              chars: output.length,
              maxChars: config.max_output_chars,
            },
      rounds,
      // One session answered both halves: its usage is counted once, on the tasks receipt.
      usage: phase === 'tasks' ? usage : null,
      error: status === 'ok' ? null : error,
      issues: status === 'invalid' ? (checked?.[phase].shown ?? []) : [],
      ...(phase === 'tasks' && checked ? { gaps: checked.tasks.gaps } : {}),
      quick: { other: `${other}-${numbers[other]}.json` },
      gafferVersion: options.gafferVersion,
    };
    return { receipt: value, receiptPath: writeReceipt(spec, value), written, kept };
  };
  const featureInput = { name: 'feature.md', sha256: sha256(feature) };
  const requirements = receipt('requirements', [featureInput]);
  const tasks = receipt('tasks', [
    featureInput,
    { name: 'requirements.md', sha256: sha256(outputs.requirements) },
  ]);
  return [requirements, tasks];
}

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Receipt, ReceiptStatus, SpecConfig, SpecHandle } from '../../spec/index.js';
import { nextReceiptNumber, RECEIPT_FORMAT, sha256, writeReceipt } from '../../spec/index.js';
import type { CheckedAnswer } from './check-answer.js';
import { checkAnswer } from './check-answer.js';
import type { PhaseMaterial } from './phase-material.js';
import type { SpecAsker } from './spec-session.js';

/** What one phase run did, for the shell to show. */
export interface PhaseOutcome {
  receipt: Receipt;
  receiptPath: string;
  /** The file written: the artifact when ok, `<artifact>.partial` otherwise, null when nothing came back. */
  written: string | null;
  /** Where the artifact as it was before this run was kept, when one was replaced. */
  kept: string | null;
}

export interface RunPhaseOptions {
  spec: SpecHandle;
  material: PhaseMaterial;
  config: SpecConfig;
  asker: SpecAsker;
  timeoutMs: number;
  gafferVersion: string;
  /** Stops the run (Ctrl-C): recorded as failed, partial output kept. */
  signal?: AbortSignal;
}

/**
 * Runs one phase: asks the model, checks its answer, and while it is not usable sends the problems
 * back with their locations, up to `correction_rounds` times. A usable answer becomes the artifact
 * (the one it replaces is moved to `history/`, never lost); anything else — a failed session, a
 * timeout, an answer still invalid — leaves the artifact alone and keeps what came back as
 * `<artifact>.partial`. Either way a receipt records exactly how it went.
 */
export async function runPhase(options: RunPhaseOptions): Promise<PhaseOutcome> {
  const { spec, material, config, asker } = options;
  const phase = material.phase;
  const number = nextReceiptNumber(spec, phase);
  const started = Date.now();
  let usage: Usage | null = null;
  let prompt = material.prompt;
  let rounds = 0;
  let status: ReceiptStatus = 'invalid';
  let error: string | null = null;
  let last: CheckedAnswer | undefined;
  let partialText = '';
  while (rounds < config.correction_rounds) {
    rounds += 1;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const answer = await asker
      .ask(prompt, `${phase}-${number}.${rounds}`, signal)
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
    last = checkAnswer(phase, answer.text, {
      config,
      criteria: material.criteria,
      planFile: basename(spec.paths.partial(phase)),
      repoRoot: spec.root,
    });
    const finalRound = rounds >= config.correction_rounds;
    if (last.problems.length === 0 && (last.gaps.length === 0 || finalRound)) {
      status = 'ok';
      break;
    }
    const problems = [
      ...last.problems,
      ...last.gaps.map((id) => `no task covers ${id}: add it to a task's covers (or add a task)`),
    ];
    error = `the answer is not usable after ${rounds} round${rounds === 1 ? '' : 's'}`;
    prompt = `${material.prompt}\n## Your previous reply could not be used\n${problems.map((p) => `- ${p}`).join('\n')}\nReply again with the whole block, fixed.\n`;
  }
  // A session that failed or timed out keeps the last complete answer of an earlier round (a whole
  // block to fix by hand), else what it had streamed when it was stopped (a first round's fragment).
  const output = last?.output ?? partialText;
  const written =
    status === 'ok' ? spec.paths.artifact(phase) : output.trim() === '' ? null : spec.paths.partial(phase);
  let kept: string | null = null;
  if (status === 'ok') {
    kept = keepPrevious(spec, phase, number);
    writeFileSync(spec.paths.artifact(phase), output);
    rmSync(spec.paths.partial(phase), { force: true });
  } else if (written !== null) writeFileSync(written, output);
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    spec: spec.id,
    phase,
    number,
    status,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    template: material.template,
    promptSha256: sha256(material.prompt),
    agent: asker.agent,
    model: asker.model,
    inputs: material.inputs.flatMap((i) => (i.sha256 === null ? [] : [{ name: i.name, sha256: i.sha256 }])),
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
    usage,
    error: status === 'ok' ? null : error,
    issues: status === 'invalid' ? (last?.shown ?? []) : [],
    ...(phase === 'tasks' && last ? { gaps: last.gaps } : {}),
    ...(material.feedbackSha256 === undefined ? {} : { feedbackSha256: material.feedbackSha256 }),
    gafferVersion: options.gafferVersion,
  };
  return { receipt, receiptPath: writeReceipt(spec, receipt), written, kept };
}

/** Moves the artifact a run replaces to `history/<n>-<artifact>` (as it was before run n). */
export function keepPrevious(spec: SpecHandle, phase: PhaseMaterial['phase'], number: number): string | null {
  const current = spec.paths.artifact(phase);
  if (!existsSync(current)) return null;
  mkdirSync(spec.paths.history, { recursive: true });
  const kept = join(spec.paths.history, `${number}-${basename(current)}`);
  renameSync(current, kept);
  return kept;
}

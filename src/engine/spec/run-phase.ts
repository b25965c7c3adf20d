import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Receipt, ReceiptStatus, SpecConfig, SpecHandle } from '../../spec/index.js';
import {
  nextReceiptNumber,
  realDir,
  RECEIPT_FORMAT,
  sha256,
  writeReceipt,
  writeSpecFile,
} from '../../spec/index.js';
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
  /** Stops the run (Ctrl-C): recorded as cancelled, partial output kept. */
  signal?: AbortSignal;
}

/**
 * Runs one phase: asks the model, checks its answer, and while it is not usable sends the problems
 * back with their locations, up to `correction_rounds` times after the first answer. A usable
 * answer becomes the artifact (the one it replaces is moved to `history/`, never lost); anything
 * else — a failed session, a timeout, an answer still invalid — leaves the artifact alone and
 * keeps the best answer that came back as `<artifact>.partial`. Either way a receipt records
 * exactly how it went.
 */
export async function runPhase(options: RunPhaseOptions): Promise<PhaseOutcome> {
  const { spec, material, config, asker } = options;
  const phase = material.phase;
  const number = nextReceiptNumber(spec, phase);
  const started = Date.now();
  const loop = await correctionLoop({
    ...options,
    first: material.prompt,
    label: (round) => `${phase}-${number}.${round}`,
    again: 'the whole block',
    check: (text) =>
      checkAnswer(phase, text, {
        config,
        criteria: material.criteria,
        planFile: basename(spec.paths.partial(phase)),
        repoRoot: spec.root,
      }),
  });
  const { status, best } = loop;
  // A session that failed or timed out keeps the best complete answer of an earlier round (a whole
  // block to fix by hand), else what it had streamed when it was stopped (a first round's fragment).
  const output = best?.output ?? loop.partialText;
  const { written, kept } = writeOutput(spec, phase, number, status, output);
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
    promptsSha256: loop.prompts.map(sha256),
    agent: asker.agent,
    model: asker.model,
    // Every input the phase may read, a missing one as null: a design written after a plan made
    // without one then makes the plan stale.
    inputs: material.inputs.map((i) => ({ name: i.name, sha256: i.sha256 })),
    ...(material.context.length === 0 ? {} : { context: material.context }),
    output: outputRecord(written, output, config),
    rounds: loop.rounds,
    usage: loop.usage,
    error: loop.error,
    issues: status === 'invalid' ? (best?.shown ?? []) : [],
    ...(phase === 'tasks' && best ? { gaps: best.gaps } : {}),
    ...(material.feedbackSha256 === undefined ? {} : { feedbackSha256: material.feedbackSha256 }),
    gafferVersion: options.gafferVersion,
  };
  return { receipt, receiptPath: writeReceipt(spec, receipt), written, kept };
}

/** How a correction loop ended: the best answer it got, and what the receipt says of it. */
export interface LoopResult<T extends Scored> {
  status: ReceiptStatus;
  /** Null when ok. */
  error: string | null;
  rounds: number;
  usage: Usage | null;
  /** The round with the fewest problems (then the fewest gaps; the earlier one on a tie). */
  best: T | undefined;
  /** What a failed or stopped session had streamed. */
  partialText: string;
  /** Every round's prompt, in order. */
  prompts: string[];
}

/** What a round's answer is judged by. */
export interface Scored {
  problems: readonly string[];
  gaps: readonly string[];
}

/**
 * Asks, checks, and sends the problems back with the reply they are about, for at most
 * 1 + `correction_rounds` rounds (the config's word: how many times an answer goes back). An
 * answer with problems is never used; one whose only fault is a coverage gap is used once no round
 * is left to close it. Keeps the best round rather than the last, since a correction can be worse.
 */
export async function correctionLoop<T extends Scored>(options: {
  config: SpecConfig;
  asker: SpecAsker;
  timeoutMs: number;
  signal?: AbortSignal;
  first: string;
  label: (round: number) => string;
  /** What the model is asked to send again: "the whole block". */
  again: string;
  check: (text: string) => T;
}): Promise<LoopResult<T>> {
  const { config, asker } = options;
  const limit = config.correction_rounds + 1;
  const prompts: string[] = [];
  let prompt = options.first;
  let usage: Usage | null = null;
  let best: T | undefined;
  let rounds = 0;
  while (rounds < limit) {
    rounds += 1;
    prompts.push(prompt);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    const answer = await asker.ask(prompt, options.label(rounds), signal).finally(() => clearTimeout(timer));
    if (answer.usage) usage = addUsage(usage ?? ZERO_USAGE, answer.usage);
    if (timeout.signal.aborted || answer.error !== undefined || options.signal?.aborted) {
      const { status, error } = stopped(timeout.signal.aborted, options, asker.agent, answer.error);
      return {
        status,
        error,
        rounds,
        usage,
        best,
        partialText: answer.text,
        prompts,
      };
    }
    const round = options.check(answer.text);
    if (best === undefined || better(round, best)) best = round;
    if (round.problems.length === 0 && round.gaps.length === 0) break;
    const problems = [
      ...round.problems,
      ...round.gaps.map((id) => `no task covers ${id}: add it to a task's covers (or add a task)`),
    ];
    prompt = correctionPrompt(options.first, answer.text, problems, config.max_output_chars, options.again);
  }
  const usable = best !== undefined && best.problems.length === 0;
  return {
    status: usable ? 'ok' : 'invalid',
    error: usable ? null : `the answer is not usable after ${rounds} round${rounds === 1 ? '' : 's'}`,
    rounds,
    usage,
    best,
    partialText: '',
    prompts,
  };
}

/**
 * How a round that brought no complete answer ended: the time limit first, then the person's
 * stop (cancelled: the session's error is only the abort's echo), else the session's failure.
 */
function stopped(
  timedOut: boolean,
  options: { timeoutMs: number; signal?: AbortSignal },
  agent: string,
  sessionError: string | undefined,
): { status: ReceiptStatus; error: string } {
  if (timedOut) return { status: 'timeout', error: `no complete answer within ${options.timeoutMs / 1000}s` };
  if (options.signal?.aborted) {
    const reason: unknown = options.signal.reason;
    return { status: 'cancelled', error: `stopped before a complete answer: ${describeReason(reason)}` };
  }
  return { status: 'failed', error: `the ${agent} session failed: ${sessionError ?? 'stopped'}` };
}

const describeReason = (reason: unknown) =>
  typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'cancelled';

// Fewer problems, then fewer gaps; on a tie the earlier answer stays (a reply that went wrong
// anew, such as one that is no plan at all, does not displace one with as few problems).
const better = (a: Scored, b: Scored) =>
  a.problems.length < b.problems.length ||
  (a.problems.length === b.problems.length && a.gaps.length < b.gaps.length);

/**
 * The prompt of a correction round: the first prompt, the reply the problems are about (the model
 * cannot fix what it cannot see; bounded by the answer's own limit), and the problems.
 */
export function correctionPrompt(
  first: string,
  previous: string,
  problems: readonly string[],
  maxChars: number,
  again: string,
): string {
  const shown =
    previous.length > maxChars
      ? `${previous.slice(0, maxChars)}\n[… cut here: the reply was ${previous.length} characters]`
      : previous;
  return `${first}\n## Your previous reply\n${fence(shown)}\n## Why it could not be used\n${problems
    .map((p) => `- ${p}`)
    .join('\n')}\nReply again with ${again}, fixed.\n`;
}

/** A text inside a fence longer than any backtick run in it, so its own fences stay inside. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(Math.max(4, longest + 1));
  return `${ticks}text\n${text.trimEnd()}\n${ticks}`;
}

/**
 * Writes what a run produced: the artifact when ok (the one it replaces kept in `history/`), else
 * `<artifact>.partial`; nothing when nothing came back. Every write renames a new file into place,
 * so a symbolic link planted at the artifact's path is replaced, never written through.
 */
export function writeOutput(
  spec: SpecHandle,
  phase: PhaseMaterial['phase'],
  number: number,
  status: ReceiptStatus,
  output: string,
): { written: string | null; kept: string | null } {
  if (status === 'ok') {
    const kept = keepPrevious(spec, phase, number);
    writeSpecFile(spec.paths.artifact(phase), output);
    rmSync(spec.paths.partial(phase), { force: true });
    return { written: spec.paths.artifact(phase), kept };
  }
  if (output.trim() === '') return { written: null, kept: null };
  writeSpecFile(spec.paths.partial(phase), output);
  return { written: spec.paths.partial(phase), kept: null };
}

/** The receipt's record of the file written. */
export const outputRecord = (
  written: string | null,
  output: string,
  config: SpecConfig,
): Receipt['output'] =>
  written === null
    ? null
    : {
        file: basename(written),
        sha256: sha256(output),
        chars: output.length,
        maxChars: config.max_output_chars,
      };

/** Moves the artifact a run replaces to `history/<n>-<artifact>` (as it was before run n). */
export function keepPrevious(spec: SpecHandle, phase: PhaseMaterial['phase'], number: number): string | null {
  const current = spec.paths.artifact(phase);
  if (!existsSync(current)) return null;
  realDir(spec.paths.history);
  const kept = join(spec.paths.history, `${number}-${basename(current)}`);
  renameSync(current, kept);
  return kept;
}

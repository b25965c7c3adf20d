import { closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Usage } from '../../domain/index.js';
import { addUsage, ZERO_USAGE } from '../../domain/index.js';
import type { Receipt, ReceiptStatus, SpecConfig, SpecHandle } from '../../spec/index.js';
import {
  nextReceiptNumber,
  parseReceipt,
  readText,
  realDir,
  RECEIPT_FORMAT,
  sha256,
  writeReceipt,
  writeSpecFile,
  RUNNING_STATUS,
  historyName,
  replaceReceipt,
} from '../../spec/index.js';
// Not re-exported by the spec index yet.
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
 * back with their locations, up to `correction_rounds` times after the first answer, all within
 * one time limit. A usable answer becomes the artifact (the one it replaces is moved to
 * `history/`, never lost); anything else — a failed session, a timeout, an answer still invalid —
 * leaves the artifact alone and keeps the best answer that came back as `<artifact>.partial`.
 * Either way a receipt records exactly how it went: reserved as `running` before the model is
 * asked (see {@link finishRun}), so a run killed half-way leaves a trace and its number is taken.
 */
export async function runPhase(options: RunPhaseOptions): Promise<PhaseOutcome> {
  const { spec, material, config, asker } = options;
  const phase = material.phase;
  const number = nextReceiptNumber(spec, phase);
  const started = Date.now();
  const reserved: Receipt = {
    format: RECEIPT_FORMAT,
    spec: spec.id,
    phase,
    number,
    status: RUNNING_STATUS,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    template: material.template,
    promptSha256: sha256(material.prompt),
    agent: asker.agent,
    model: asker.model,
    // Every input the phase may read, a missing one as null: a design written after a plan made
    // without one then makes the plan stale.
    inputs: material.inputs.map((i) => ({ name: i.name, sha256: i.sha256 })),
    ...(material.context.length === 0 ? {} : { context: material.context }),
    output: null,
    rounds: 0,
    usage: null,
    error: null,
    issues: [],
    ...(material.feedbackSha256 === undefined ? {} : { feedbackSha256: material.feedbackSha256 }),
    gafferVersion: options.gafferVersion,
  };
  const receiptPath = writeReceipt(spec, reserved);
  return failReservedOnThrow(spec, [reserved], async () => {
    const loop = await correctionLoop({
      ...options,
      first: material.prompt,
      label: (round) => `${phase}-${number}.${round}`,
      again: 'the whole block',
      check: (text, cut) =>
        checkAnswer(
          phase,
          text,
          {
            config,
            criteria: material.criteria,
            planFile: basename(spec.paths.partial(phase)),
            repoRoot: spec.root,
          },
          cut,
        ),
    });
    const { status, best } = loop;
    // A session that failed or timed out keeps the best complete answer of an earlier round (a
    // whole block to fix by hand), else what it had streamed when it was stopped (a first round's
    // fragment).
    const file = outputFile(spec, phase, status, best?.output ?? loop.partialText, config);
    const receipt: Receipt = {
      ...reserved,
      status,
      durationMs: Date.now() - started,
      promptsSha256: loop.prompts.map(sha256),
      output: outputRecord(file, config),
      rounds: loop.rounds,
      usage: loop.usage,
      error: loop.error,
      issues: status === 'invalid' ? (best?.shown ?? []) : [],
      ...(phase === 'tasks' && best ? { gaps: best.gaps } : {}),
    };
    const [kept = null] = finishRun(spec, [{ receipt, file }]);
    return { receipt, receiptPath, written: file?.path ?? null, kept };
  });
}

/** One output of a run about to be written, and the final receipt that records it. */
export interface FinishedOutput {
  receipt: Receipt;
  file: OutputFile | null;
}

/**
 * Writes a run's outputs and finishes its reserved receipts, in the order that leaves every
 * crash readable: each receipt first gets the record of its output while still `running` (an
 * artifact a kill leaves behind then matches it: the model's output, not a person's edit), then
 * the files are written, then each receipt is replaced by the final one. Returns, per output,
 * where the artifact it replaced was kept.
 */
export function finishRun(spec: SpecHandle, outputs: readonly FinishedOutput[]): (string | null)[] {
  for (const { receipt } of outputs) replaceReceipt(spec, { ...receipt, status: RUNNING_STATUS });
  const kept = outputs.map(({ receipt, file }) => writeOutput(spec, receipt, file));
  for (const { receipt } of outputs) replaceReceipt(spec, receipt);
  return kept;
}

/**
 * Runs what follows a reservation; if it throws, each receipt still `running` is finished as
 * failed with the reason (as a kill would not let it be), keeping what it had recorded by then
 * (the output about to be written, if it got that far), and the error goes on.
 */
export async function failReservedOnThrow<T>(
  spec: SpecHandle,
  reserved: readonly Receipt[],
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    for (const { phase, number } of reserved) {
      try {
        const now = parseReceipt(readText(spec.paths.receipt(phase, number)) ?? '');
        if (now.success && now.value.status === RUNNING_STATUS)
          replaceReceipt(spec, { ...now.value, status: 'failed', error: `gaffer stopped: ${reason}` });
      } catch {
        // The receipt cannot be read or written either: the first error is the one to tell.
      }
    }
    throw error;
  }
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
  /** `cut`: the session was stopped for the length of its answer, which goes on past `text`. */
  check: (text: string, cut: boolean) => T;
}): Promise<LoopResult<T>> {
  const { config, asker } = options;
  const limit = config.correction_rounds + 1;
  // One time limit for the phase run, as spec.yaml's timeout_s and --timeout say: each round
  // gets what the rounds before it left.
  const deadline = Date.now() + options.timeoutMs;
  const prompts: string[] = [];
  let prompt = options.first;
  let usage: Usage | null = null;
  let best: T | undefined;
  let rounds = 0;
  while (rounds < limit) {
    rounds += 1;
    prompts.push(prompt);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), Math.max(0, deadline - Date.now()));
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
    const round = options.check(answer.text, answer.cut === true);
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

/** A file a run writes: the artifact (when ok) or `<artifact>.partial`, with its text. */
export interface OutputFile {
  path: string;
  text: string;
  artifact: boolean;
}

/**
 * What a run writes, and where: the artifact when ok, else `<artifact>.partial` — cut at
 * `max_output_chars` with a line saying so, as a runaway answer is no file to write whole —
 * and nothing when nothing came back.
 */
export function outputFile(
  spec: SpecHandle,
  phase: PhaseMaterial['phase'],
  status: ReceiptStatus,
  output: string,
  config: SpecConfig,
): OutputFile | null {
  if (status === 'ok') return { path: spec.paths.artifact(phase), text: output, artifact: true };
  if (output.trim() === '') return null;
  const max = config.max_output_chars;
  const text =
    output.length <= max
      ? output
      : `${output.slice(0, max)}\n[… cut here at max_output_chars (${max}): ${output.length - max} more characters were not kept]\n`;
  return { path: spec.paths.partial(phase), text, artifact: false };
}

/**
 * Writes a run's output: the artifact (the one it replaces kept in `history/`, a `.partial` left
 * by an earlier run removed), or `<artifact>.partial`. Every write renames a new file into place,
 * so a symbolic link planted at the path is replaced, never written through. Returns where the
 * replaced artifact was kept.
 */
export function writeOutput(spec: SpecHandle, receipt: Receipt, file: OutputFile | null): string | null {
  if (file === null) return null;
  if (!file.artifact) {
    writeSpecFile(file.path, file.text);
    return null;
  }
  const kept = keepPrevious(spec, receipt.phase, receipt.number);
  writeSpecFile(file.path, file.text);
  rmSync(spec.paths.partial(receipt.phase), { force: true });
  return kept;
}

/** The receipt's record of the file written. */
export const outputRecord = (file: OutputFile | null, config: SpecConfig): Receipt['output'] =>
  file === null
    ? null
    : {
        file: basename(file.path),
        sha256: sha256(file.text),
        chars: file.text.length,
        maxChars: config.max_output_chars,
      };

/**
 * Moves the artifact a run replaces to `history/<n>-<artifact>` (as it was before run n), or to
 * `<n>.2-<artifact>`, `<n>.3-…` when that name is taken: a file kept in history is never replaced.
 * The name is claimed by creating it new (O_EXCL) before the artifact is renamed onto it.
 */
export function keepPrevious(spec: SpecHandle, phase: PhaseMaterial['phase'], number: number): string | null {
  const current = spec.paths.artifact(phase);
  if (!existsSync(current)) return null;
  realDir(spec.paths.history);
  for (let copy = 1; ; copy += 1) {
    const kept = join(spec.paths.history, historyName(phase, number, copy));
    try {
      closeSync(openSync(kept, 'wx'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    renameSync(current, kept);
    return kept;
  }
}

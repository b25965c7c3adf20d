import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { AGENT_FAILURE_KINDS, GafferError } from '../../src/domain/index.js';
import type { AgentAdapter, AgentEvent, AgentSession, SessionResult } from '../../src/domain/index.js';
import { processesInDir } from '../../src/process/processes-in-dir.js';
import { sandboxFor } from '../support/agent-sandbox.js';
import type { AgentSandbox } from '../support/agent-sandbox.js';
import { sessionInput } from './session-input.js';

/** The file an 'edit' session must create, relative to its cwd. */
export const CONTRACT_EDIT_FILE = 'contract/hello.txt';
/** What the file must contain (after trimming). */
export const CONTRACT_EDIT_CONTENT = 'hello from gaffer';
/** The prompt of every contract session; LLM backends act on it, scripted ones on their config. */
export const CONTRACT_PROMPT = `Create the file ${CONTRACT_EDIT_FILE} containing exactly "${CONTRACT_EDIT_CONTENT}". Change nothing else.`;

/** What a backend hands the contract: the adapter and its config for each kind of session. */
export interface ContractSetup {
  adapter: AgentAdapter;
  /**
   * 'edit': writes CONTRACT_EDIT_FILE and emits at least one event. 'fail': ends unsuccessfully.
   * 'slow': emits an event early, then works for at least a minute unless aborted.
   */
  config(kind: 'edit' | 'fail' | 'slow'): Record<string, unknown>;
  /**
   * Runs every session inside a real Gaffer sandbox (`sandboxFor`), as the engine runs this
   * backend, with the cwd as its repository. For backends that only work contained there.
   */
  sandboxed?: boolean;
}

async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const seen: AgentEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

/**
 * Awaits `promise` with no deadline of its own (vitest's test timeout is the only clock), and names
 * it when the test fails while it is still pending, so a hang says what never happened.
 */
function awaiting<T>(promise: Promise<T>, what: string): Promise<T> {
  let pending = true;
  onTestFailed(() => {
    if (pending) console.error(`still waiting for ${what}`);
  });
  return promise.finally(() => (pending = false));
}

/** Every tool_result with an id follows the tool_call with that id. */
function expectToolPairsInOrder(events: readonly AgentEvent[]): void {
  const called = new Set<string>();
  for (const event of events) {
    if (event.type === 'tool_call' && event.id !== undefined) called.add(event.id);
    if (event.type === 'tool_result' && event.id !== undefined) expect(called.has(event.id)).toBe(true);
  }
}

/** A failed result says what kind of failure it was, so the engine knows whether to retry. */
function expectTypedFailure(result: SessionResult): void {
  expect(result.failure).toBeDefined();
  expect(AGENT_FAILURE_KINDS).toContain(result.failure?.kind);
  expect(typeof result.failure?.retryable).toBe('boolean');
  expect(result.failure?.message.trim()).not.toBe('');
}

/**
 * The behaviour every agent backend owes the engine, as one Vitest suite. Each backend's test
 * file calls it with a setup; a backend that passes can be scheduled like any other.
 */
export function runAgentAdapterContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`agent adapter contract: ${name}`, () => {
    let cwd: string;
    let subject: ContractSetup;
    let sandboxes: AgentSandbox[];

    beforeEach(async () => {
      cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-contract-')));
      subject = await setup();
      sandboxes = [];
    });
    afterEach(async () => {
      await Promise.all(sandboxes.map((sandbox) => sandbox.dispose()));
      await rm(cwd, { recursive: true, force: true });
    });

    const start = async (
      kind: 'edit' | 'fail' | 'slow',
      signal = new AbortController().signal,
      at = cwd,
    ): Promise<AgentSession> => {
      const input = sessionInput({ cwd: at, prompt: CONTRACT_PROMPT, config: subject.config(kind) });
      if (!subject.sandboxed) return subject.adapter.start(input, signal);
      const contained = await sandboxFor(subject.adapter, input, { repoRoot: cwd });
      sandboxes.push(contained);
      return subject.adapter.start(contained.input, signal);
    };

    it('declares its name and every capability as a boolean', () => {
      expect(subject.adapter.name).toBe(name);
      const { capabilities } = subject.adapter;
      for (const key of ['resume', 'steer', 'permissionHook', 'questions', 'usage'] as const) {
        expect(typeof capabilities[key], key).toBe('boolean');
      }
    });

    it('edits a file in its cwd, succeeds, and ends its event stream', async () => {
      const session = await start('edit');
      const [events, result] = await awaiting(Promise.all([collect(session.events), session.result]), 'edit');
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('succeeded');
      expect((await readFile(path.join(cwd, CONTRACT_EDIT_FILE), 'utf8')).trim()).toBe(CONTRACT_EDIT_CONTENT);
      expect(events.length).toBeGreaterThan(0);
      expect(events.filter((event) => event.type === 'error')).toEqual([]);
      expectToolPairsInOrder(events);
      if (subject.adapter.capabilities.usage) {
        expect(result.usage).toBeDefined();
        expect(result.usage?.inputTokens).toBeGreaterThanOrEqual(0);
      }
    });

    it('keeps the events emitted before anyone reads them', async () => {
      const session = await start('edit');
      const result = await awaiting(session.result, 'edit');
      expect(result.status).toBe('succeeded');
      const events = await awaiting(collect(session.events), 'the end of the buffered events');
      expect(events.length).toBeGreaterThan(0);
    });

    it('reports a failing session as failed with a reason', async () => {
      const session = await start('fail');
      const [, result] = await awaiting(Promise.all([collect(session.events), session.result]), 'fail');
      expect(result.status).toBe('failed');
      expect(typeof result.error).toBe('string');
      expect(result.error?.trim()).not.toBe('');
      expectTypedFailure(result);
    });

    it('stops an aborted session and leaves no process behind', async () => {
      const controller = new AbortController();
      const session = await start('slow', controller.signal);
      const iterator = session.events[Symbol.asyncIterator]();
      const first = await awaiting(iterator.next(), 'the first event of the slow session');
      expect(first.done).toBe(false);
      if (subject.adapter.capabilities.steer) await session.send('please hurry');
      else
        await expect(session.send('please hurry')).rejects.toSatisfy((error: unknown) =>
          GafferError.isInstance(error),
        );

      controller.abort();
      const result: SessionResult = await awaiting(session.result, 'the aborted result');
      expect(result.status).toBe('aborted');
      await awaiting(collect({ [Symbol.asyncIterator]: () => iterator }), 'the end of the event stream');
      const left = await processesInDir(cwd);
      if (left !== undefined) expect(left).toEqual([]);
    });

    it('never rejects its result, even when started already aborted or in a missing cwd', async () => {
      const controller = new AbortController();
      controller.abort();
      const early = await start('slow', controller.signal);
      const missing = await start('edit', new AbortController().signal, path.join(cwd, 'does-not-exist'));
      const [earlyResult, missingResult] = await awaiting(
        Promise.all([early.result, missing.result]),
        'results',
      );
      expect(earlyResult.status).toBe('aborted');
      expect(missingResult.status).not.toBe('succeeded');
      expect(missingResult.error?.trim()).not.toBe('');
      if (missingResult.status === 'failed') expectTypedFailure(missingResult);
      expect(earlyResult.failure).toBeUndefined();
    });
  });
}

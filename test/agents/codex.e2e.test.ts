import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codexStatus, createCodexAgent } from '../../src/agents/codex/index.js';
import type { AgentEvent, AgentSession, SessionInput } from '../../src/domain/index.js';
import { allowlistedEnv } from '../../src/process/run-process.js';
import { probeSandbox } from '../../src/sandbox/index.js';
import { addFilePatch } from '../fixtures/model-servers/openai-responses-server.js';
import type { RecordedRequest } from '../fixtures/model-servers/scripted-server.js';
import { sandboxFor } from '../support/agent-sandbox.js';
import type { AgentSandbox } from '../support/agent-sandbox.js';
import { makeRepo } from '../support/repo.js';
import { waitFor } from '../support/wait-for.js';
import { createCodexHarness, finish } from './codex-harness.js';
import { processesInDir } from '../../src/process/processes-in-dir.js';
import { sessionInput } from './session-input.js';

// Every test runs the real codex 0.169 binary against a scripted Responses server on 127.0.0.1,
// contained in Gaffer's sandbox as the engine runs it: codex's own sandbox is not used, so what
// codex and its commands may touch and reach is what ours allows.
const harness = await createCodexHarness();
afterAll(() => harness.dispose());

/** Process checks read /proc; elsewhere (macOS) they are skipped. */
const hasProc = existsSync('/proc/self');
const KEY_VAR = 'GAFFER_TEST_CODEX_KEY';

let repo: string;
let sandboxes: AgentSandbox[];
beforeEach(() => {
  repo = realpathSync(makeRepo({ 'README.md': '# demo\n' }, 'gaffer-codex-'));
  sandboxes = [];
});
afterEach(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.dispose()));
  await rm(repo, { recursive: true, force: true });
  await rm(`${repo}-state`, { recursive: true, force: true });
});

/** A session input for the repository, in a sandbox of its own (disposed after the test). */
async function input(
  config: Record<string, unknown>,
  overrides: Partial<SessionInput> = {},
): Promise<SessionInput> {
  const plain = sessionInput({
    cwd: repo,
    prompt: 'Add the notes file.',
    config,
    env: { ...allowlistedEnv(process.env), [KEY_VAR]: 'sk-test-123' },
    ...overrides,
  });
  // One state directory per test, as the engine keeps one per task: a resume finds its thread.
  const contained = await sandboxFor(createCodexAgent(), plain, { stateRoot: `${repo}-state` });
  sandboxes.push(contained);
  return contained.input;
}

/** The `input` items codex sent in a turn request. */
function inputItems(request: RecordedRequest | undefined): Record<string, unknown>[] {
  const body = request?.body as { input?: Record<string, unknown>[] } | undefined;
  return body?.input ?? [];
}

/** Text codex sent back to the model as the output of its tool calls. */
function toolOutputs(request: RecordedRequest | undefined): string {
  return inputItems(request)
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => JSON.stringify(item.output))
    .join('\n');
}

/** Codex processes still working on `cwd` (their command line names it after `--cd`). */
async function codexProcessesFor(cwd: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(`--cd\0${cwd}\0`)) found.push(Number(entry));
  }
  return found;
}

/** A loopback port nobody listens on (an unprivileged one: the sandbox's bridge listens on it inside). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function firstEvent(
  session: AgentSession,
  match: (event: AgentEvent) => boolean,
): Promise<AgentEvent[]> {
  const seen: AgentEvent[] = [];
  for await (const event of session.events) {
    seen.push(event);
    if (match(event)) return seen;
  }
  return seen;
}

describe('codex agent against a scripted Responses server', () => {
  it('edits files in the worktree with a command and a patch, and reports usage and cost', async () => {
    const server = await harness.server([
      { type: 'shell', text: 'Writing notes.', command: "printf 'first line\\n' > notes.txt" },
      { type: 'patch', patch: addFilePatch('docs/guide.md', '# Guide') },
      { type: 'text', text: 'Both files are in place.' },
    ]);
    const session = createCodexAgent().start(
      await input(harness.config(server, { provider: { env_key: KEY_VAR } })),
      new AbortController().signal,
    );
    const { events, result } = await finish(session);

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.nativeSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(path.join(repo, 'notes.txt'), 'utf8')).toBe('first line\n');
    expect(await readFile(path.join(repo, 'docs/guide.md'), 'utf8')).toBe('# Guide\n');

    // Three model turns of 1000 input (400 cached) and 50 output tokens each, at gpt-5 list prices.
    expect(result.usage).toMatchObject({ inputTokens: 3000, cachedInputTokens: 1200, outputTokens: 150 });
    expect(result.usage?.costUsd).toBeCloseTo((1800 * 1.25 + 1200 * 0.125 + 150 * 10) / 1e6, 8);
    expect(events.filter((event) => event.type === 'usage').at(-1)).toEqual({
      type: 'usage',
      usage: result.usage,
    });

    const shell = events.find((event) => event.type === 'tool_call' && event.name === 'shell');
    expect(JSON.stringify(shell)).toContain('notes.txt');
    expect(events).toContainEqual({
      type: 'tool_call',
      id: expect.any(String) as string,
      name: 'apply_patch',
      input: { changes: [{ path: 'docs/guide.md', kind: 'add' }] },
    });
    expect(events).toContainEqual({
      type: 'tool_result',
      id: expect.any(String) as string,
      output: 'A docs/guide.md',
    });
    expect(events).toContainEqual({ type: 'text', text: 'Both files are in place.' });
    expect(events.filter((event) => event.type === 'error')).toEqual([]);

    const turns = server.turnRequests();
    expect(turns).toHaveLength(3);
    expect(turns[0]?.headers.authorization).toBe('Bearer sk-test-123');
    expect(JSON.stringify(inputItems(turns[0]))).toContain('Add the notes file.');
    expect(toolOutputs(turns[2])).toContain('Success. Updated the following files');
  });

  it('gives codex and its commands only the explicit environment', async () => {
    process.env.GAFFER_CANARY_SECRET = 'canary-4711';
    try {
      const server = await harness.server([
        { type: 'shell', command: 'env' },
        { type: 'text', text: 'ok' },
      ]);
      const contained = await input(harness.config(server));
      const { result } = await finish(createCodexAgent().start(contained, new AbortController().signal));
      expect(result.status).toBe('succeeded');
      const seen = toolOutputs(server.turnRequests()[1]);
      // The task's private copy of the codex home, never the user's own.
      expect(contained.stateDir).toBeDefined();
      expect(seen).toContain(`CODEX_HOME=${contained.stateDir}`);
      expect(seen).not.toContain(`CODEX_HOME=${harness.codexHome}`);
      expect(seen).not.toContain('canary-4711');
    } finally {
      delete process.env.GAFFER_CANARY_SECRET;
    }
  });

  // A session that ignored the abort would wait on `sleep 120` past the test's timeout.
  it('ends an aborted session as aborted and leaves no codex process', async () => {
    const server = await harness.server([{ type: 'shell', command: 'sleep 120' }, { type: 'hang' }]);
    const controller = new AbortController();
    const session = createCodexAgent().start(await input(harness.config(server)), controller.signal);
    await firstEvent(session, (event) => event.type === 'tool_call');
    if (hasProc) expect(await codexProcessesFor(repo)).not.toEqual([]);

    controller.abort();
    const result = await session.result;
    expect(result.status).toBe('aborted');
    expect(result.nativeSessionId).toBeDefined();
    if (hasProc) {
      expect(await codexProcessesFor(repo)).toEqual([]);
      expect(await processesInDir(repo)).toEqual([]);
    }
  });

  it('resumes an interrupted attempt in its codex thread, sending the earlier conversation', async () => {
    const server = await harness.server([
      { type: 'shell', command: "printf 'step one\\n' > progress.txt" },
      { type: 'hang' },
      { type: 'text', text: 'Picking up where I left off.' },
    ]);
    const config = harness.config(server);
    const controller = new AbortController();
    const first = createCodexAgent().start(
      await input(config, { prompt: 'Write progress.txt then wait.' }),
      controller.signal,
    );
    await firstEvent(first, (event) => event.type === 'tool_result');
    // Wait until codex has sent the command's output on (the hanging turn), then interrupt.
    await waitFor(() => server.turnRequests().length >= 2, "codex's request with the command's output");
    controller.abort();
    const interrupted = await first.result;
    expect(interrupted.status).toBe('aborted');
    expect(interrupted.nativeSessionId).toBeDefined();

    const second = createCodexAgent().start(
      await input(config, {
        prompt: 'Continue.',
        attemptId: 'attempt-2',
        resumeSessionId: interrupted.nativeSessionId,
      }),
      new AbortController().signal,
    );
    const { events, result } = await finish(second);
    expect(result.status).toBe('succeeded');
    expect(result.nativeSessionId).toBe(interrupted.nativeSessionId);
    expect(events).toContainEqual({ type: 'text', text: 'Picking up where I left off.' });

    const resumed = JSON.stringify(inputItems(server.turnRequests()[2]));
    expect(resumed).toContain('Write progress.txt then wait.');
    expect(resumed).toContain('progress.txt');
    expect(resumed).toContain('Continue.');
  });

  // Outside is /var/tmp: read-only inside the sandbox, where /tmp would be a private, throwaway tmpfs.
  it('confines writes to the worktree: outside writes are refused by the sandbox', async () => {
    const outside = realpathSync(await mkdtemp(path.join('/var/tmp', 'gaffer-outside-')));
    try {
      const server = await harness.server([
        { type: 'shell', command: `echo escaped > ${outside}/by-shell.txt` },
        { type: 'patch', patch: addFilePatch(`${outside}/by-patch.txt`, 'escaped') },
        { type: 'shell', command: 'echo inside > inside.txt' },
        { type: 'text', text: 'Tried.' },
      ]);
      const { events, result } = await finish(
        createCodexAgent().start(await input(harness.config(server)), new AbortController().signal),
      );
      expect(result.status).toBe('succeeded');
      expect(existsSync(path.join(outside, 'by-shell.txt'))).toBe(false);
      expect(existsSync(path.join(outside, 'by-patch.txt'))).toBe(false);
      expect(await readFile(path.join(repo, 'inside.txt'), 'utf8')).toBe('inside\n');
      // What the model was told about the refused writes: the event stream or the next request.
      const refused = events.find((event) => event.type === 'tool_result' && event.isError === true);
      const toldModel = toolOutputs(server.turnRequests()[1]);
      expect(
        (refused?.type === 'tool_result' ? refused.output : '') + toldModel,
        JSON.stringify(events.filter((event) => event.type.startsWith('tool'))),
      ).toContain('Read-only file system');
      expect(toolOutputs(server.turnRequests()[2])).toContain(`Failed to write file ${outside}/by-patch.txt`);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it.each([
    { status: 500, message: 'upstream exploded', expected: /codex turn failed: .*retry later/ },
    { status: 429, message: 'Rate limit reached', expected: /codex turn failed: .*429.*rate-limiting/ },
    { status: 400, message: 'The model `gpt-5.5` does not exist', expected: /check agents\.codex\.model/ },
  ])('fails clearly on HTTP $status from the model', async ({ status, message, expected }) => {
    const server = await harness.server([{ type: 'error', status, message }]);
    const { events, result } = await finish(
      createCodexAgent().start(await input(harness.config(server)), new AbortController().signal),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(expected);
    expect(result.error).toContain(`provider scripted at ${server.baseUrl}`);
    expect(events.at(-1)).toEqual({ type: 'error', message: result.error });
  });

  it('reruns a turn the provider rate-limited before anything happened', async () => {
    const server = await harness.server([
      { type: 'error', status: 429, message: 'Rate limit reached' },
      { type: 'patch', patch: addFilePatch('after-retry.txt', 'ok') },
      { type: 'text', text: 'Done after a retry.' },
    ]);
    const config = harness.config(server, { rate_limit_retries: 2, rate_limit_backoff_s: 0.2 });
    const { events, result } = await finish(
      createCodexAgent().start(await input(config), new AbortController().signal),
    );
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(await readFile(path.join(repo, 'after-retry.txt'), 'utf8')).toBe('ok\n');
    expect(events).toContainEqual({
      type: 'output',
      stream: 'stderr',
      text: expect.stringMatching(/^codex: rate-limited .*retrying in 0\.2s \(1\/2\)$/) as string,
    });
    expect(server.turnRequests()).toHaveLength(3);
  });

  it('fails a session that runs past timeout_s, leaving no codex process', async () => {
    const server = await harness.server([{ type: 'hang' }]);
    const { result } = await finish(
      createCodexAgent().start(
        await input(harness.config(server, { timeout_s: 1 })),
        new AbortController().signal,
      ),
    );
    expect(result).toMatchObject({
      status: 'failed',
      error: 'codex timed out after 1s (agents.codex.timeout_s)',
    });
    if (hasProc) expect(await codexProcessesFor(repo)).toEqual([]);
  });

  it('fails clearly when the thread to resume is not in the codex home', async () => {
    const server = await harness.server([{ type: 'text', text: 'never reached' }]);
    const missing = '01a20129-aaaa-7e13-9fe1-460ff80df572';
    const { result } = await finish(
      createCodexAgent().start(
        await input(harness.config(server), { resumeSessionId: missing }),
        new AbortController().signal,
      ),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`no rollout found for thread id ${missing}`);
    expect(result.error).toContain('start the attempt afresh');
    expect(server.turnRequests()).toEqual([]);
  });

  // Waiting for the network (codex's own retries) would outlast the test's timeout.
  it('fails when the provider cannot be reached, instead of waiting for the network', async () => {
    const server = await harness.server([]);
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const config = harness.config(server, { provider: { base_url: baseUrl } });
    const { result } = await finish(
      createCodexAgent().start(await input(config), new AbortController().signal),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain(`cannot reach the provider at ${baseUrl}`);
  });

  it('fails clearly when the model stream is malformed', async () => {
    const server = await harness.server([{ type: 'malformed' }]);
    const { result } = await finish(
      createCodexAgent().start(await input(harness.config(server)), new AbortController().signal),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/codex turn failed: stream .*broke off or was malformed/);
  });

  it('reports the codex binary, its version and the sandbox for gaffer doctor', async () => {
    const status = await codexStatus(
      {},
      { PATH: process.env.PATH, HOME: harness.codexHome, OPENAI_API_KEY: 'sk-x' },
    );
    expect(status.binary).toMatch(/codex$/);
    expect(status.version).toBe('0.169.0');
    expect(status.credentials).toBe('$OPENAI_API_KEY');
    // Codex's own sandbox state depends on the machine (unprivileged user namespaces, root, which bwrap).
    const own = /(enforced|unavailable: \S.*|not-enforced: \S.*)/s;
    if ((await probeSandbox(process.env.PATH)).ok)
      expect(status.sandbox).toMatch(
        new RegExp(
          `^contained by Gaffer's sandbox \\(codex's own is not used; under sandbox: off it would be ${own.source}\\)$`,
          's',
        ),
      );
    else expect(status.sandbox).toMatch(new RegExp(`^${own.source}$`, 's'));
  });
});

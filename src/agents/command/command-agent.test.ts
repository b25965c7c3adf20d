import { chmod, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionInput } from '../../../test/agents/session-input.js';
import { GafferError } from '../../domain/index.js';
import type { AgentEvent, SessionInput, SessionResult } from '../../domain/index.js';
import { allowlistedEnv } from '../../process/run-process.js';
import {
  canSeeBlockedWrites,
  chattyChildCode,
  drainNotingLargest,
  waitUntilBlockedOrDone,
} from '../../../test/support/blocked-in-write.js';
import type { EventChannel } from '../event-channel.js';
import { SESSION_HIGH_WATER_MARK } from '../session.js';
import { createCommandAgent } from './command-agent.js';
import { findBinary } from './find-binary.js';

let cwd: string;
beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-command-')));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const node = process.execPath;
const PROMPT = "Fix the bug; don't touch $HOME or `x`.";

async function run(config: Record<string, unknown>, overrides: Partial<SessionInput> = {}) {
  const session = createCommandAgent().start(
    sessionInput({ cwd, prompt: PROMPT, config, ...overrides }),
    new AbortController().signal,
  );
  const events: AgentEvent[] = [];
  for await (const event of session.events) events.push(event);
  const result: SessionResult = await session.result;
  return { result, events };
}

const read = (file: string) => readFile(path.join(cwd, file), 'utf8');

async function promptFilesLeft(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('gaffer-prompt-'));
}

describe('command agent', () => {
  it('passes the prompt as an argument, unquoted and unexpanded', async () => {
    const code = `require('fs').writeFileSync('got.txt', process.argv[1])`;
    const { result } = await run({ argv: [node, '-e', code, 'prompt: {prompt}'] });
    expect(result).toEqual({ status: 'succeeded' });
    expect(await read('got.txt')).toBe(`prompt: ${PROMPT}`);
  });

  it('writes the prompt to stdin when argv has no placeholder', async () => {
    const code = `require('fs').writeFileSync('got.txt', require('fs').readFileSync(0, 'utf8'))`;
    const { result } = await run({ argv: [node, '-e', code] });
    expect(result.status).toBe('succeeded');
    expect(await read('got.txt')).toBe(PROMPT);
  });

  it('hands over a prompt file outside the worktree and removes it afterwards', async () => {
    const before = await promptFilesLeft();
    const code = `const fs = require('fs'); fs.writeFileSync('got.txt', process.argv[1] + '\\n' + fs.readFileSync(process.argv[1], 'utf8'))`;
    const { result } = await run({ argv: [node, '-e', code, '{prompt_file}'] });
    expect(result.status).toBe('succeeded');
    const [file, ...content] = (await read('got.txt')).split('\n');
    expect(content.join('\n')).toBe(PROMPT);
    expect(file?.startsWith(path.join(os.tmpdir(), 'gaffer-prompt-'))).toBe(true);
    await expect(readFile(file ?? '')).rejects.toThrow(/ENOENT/);
    expect(await promptFilesLeft()).toEqual(before);
  });

  it('passes the session env plus the named parent variables, nothing else', async () => {
    // The engine builds the session env from its parent env and the config's `env` list, like this.
    const parent = { PATH: process.env.PATH ?? '', GAFFER_TEST_EXTRA: 'extra', GAFFER_TEST_SECRET: 'secret' };
    const code = `require('fs').writeFileSync('env.json', JSON.stringify(process.env))`;
    const config = { argv: [node, '-e', code], env: ['GAFFER_TEST_EXTRA'] };
    const { result } = await run(config, {
      env: { ...allowlistedEnv(parent, config.env), FROM_ENGINE: 'yes' },
    });
    expect(result.status).toBe('succeeded');
    const env = JSON.parse(await read('env.json')) as Record<string, string>;
    expect(env.FROM_ENGINE).toBe('yes');
    expect(env.GAFFER_TEST_EXTRA).toBe('extra');
    expect(env.GAFFER_TEST_SECRET).toBeUndefined();
  });

  it('streams stdout and stderr as whole lines', async () => {
    const code = `process.stdout.write('a'); setTimeout(() => { process.stdout.write('b\\nc\\n'); process.stderr.write('oops\\n'); }, 50)`;
    const { events } = await run({ argv: [node, '-e', code] });
    // Two pipes: order is guaranteed within a stream, not across them.
    const lines = (stream: string) =>
      events.filter((event) => event.type === 'output' && event.stream === stream);
    expect(lines('stdout')).toEqual([
      { type: 'output', stream: 'stdout', text: 'ab' },
      { type: 'output', stream: 'stdout', text: 'c' },
    ]);
    expect(lines('stderr')).toEqual([{ type: 'output', stream: 'stderr', text: 'oops' }]);
    // Besides the output lines only the spawn record of the process (for recovery after a crash).
    expect(events.filter((e) => e.type !== 'process')).toHaveLength(3);
  });

  it('judges the exit code against ok_exit_codes and quotes the last lines', async () => {
    const code = `console.log('step 1'); console.error('it broke'); process.exit(4)`;
    const failed = await run({ argv: [node, '-e', code] });
    expect(failed.result).toEqual({
      status: 'failed',
      error: 'exit code 4\nstep 1\nit broke',
      failure: { kind: 'task_failed', retryable: false, message: 'exit code 4\nstep 1\nit broke' },
    });
    expect(failed.events.at(-1)).toEqual({ type: 'error', message: 'exit code 4\nstep 1\nit broke' });
    const tolerated = await run({ argv: [node, '-e', code], ok_exit_codes: [0, 4] });
    expect(tolerated.result.status).toBe('succeeded');
  });

  it('fails after timeout_s', async () => {
    const { result } = await run({ argv: [node, '-e', 'setInterval(() => {}, 1000)'], timeout_s: 0.3 });
    expect(result).toEqual({
      status: 'failed',
      error: 'timed out after 0.3s',
      failure: { kind: 'timeout', retryable: true, message: 'timed out after 0.3s' },
    });
  });

  it('fails, without throwing, on a bad config or a binary that cannot start', async () => {
    expect((await run({ argv: 'agent' })).result.error).toMatch(/^invalid command agent config: argv: /);
    expect((await run({ argv: ['gaffer-no-such-agent-xyz'] })).result.error).toMatch(
      /^cannot start agent "gaffer-no-such-agent-xyz"/,
    );
  });

  it('types its failures: bad config, missing binary, signal, unknown key', async () => {
    expect((await run({ argv: 'agent' })).result.failure).toMatchObject({ kind: 'config', retryable: false });
    expect((await run({ argv: ['gaffer-no-such-agent-xyz'] })).result.failure).toMatchObject({
      kind: 'binary_missing',
      retryable: false,
      hint: 'install it or set agents.command.argv in the plan',
    });
    const killed = await run({ argv: [node, '-e', "process.kill(process.pid, 'SIGKILL')"] });
    expect(killed.result).toMatchObject({ status: 'failed', failure: { kind: 'crashed', retryable: true } });
    expect((await run({ argv: [node], timeout: 3 })).result.error).toBe(
      'invalid command agent config: unknown key "timeout"',
    );
  });

  it('cannot be steered', async () => {
    const session = createCommandAgent().start(
      sessionInput({ cwd, config: { argv: [node, '-e', ''] } }),
      new AbortController().signal,
    );
    await expect(session.send('faster')).rejects.toSatisfy((error: unknown) => GafferError.isInstance(error));
    expect((await session.result).status).toBe('succeeded');
  });
});

describe('command agent preflight', () => {
  const agent = createCommandAgent();
  const env = { PATH: process.env.PATH };

  it('needs argv', async () => {
    await expect(agent.preflight?.({}, env)).rejects.toMatchObject({
      code: 'GAFFER_BAD_INPUT',
      userError: true,
    });
  });

  it('names a binary that is not on PATH', async () => {
    await expect(
      agent.preflight?.({ argv: ['gaffer-no-such-agent-xyz', '{prompt}'] }, env),
    ).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
      message: 'agent binary "gaffer-no-such-agent-xyz" not found',
      hint: 'install it or set agents.command.argv in the plan',
    });
    await expect(agent.preflight?.({ argv: ['./missing/agent'] }, env)).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
    });
  });

  it('looks for the binary on the PATH it is given, not our own', async () => {
    await expect(
      agent.preflight?.({ argv: [path.basename(node)] }, { PATH: '/nonexistent-dir' }),
    ).rejects.toMatchObject({
      code: 'GAFFER_AGENT_MISSING',
    });
  });

  it('accepts a binary on PATH or an existing path', async () => {
    await expect(agent.preflight?.({ argv: [path.basename(node)] }, env)).resolves.toBeUndefined();
    await expect(agent.preflight?.({ argv: [node] }, env)).resolves.toBeUndefined();
  });

  it('finds only executable files when searching PATH', async () => {
    await writeFile(path.join(cwd, 'plain'), 'not executable');
    await writeFile(path.join(cwd, 'tool'), '#!/bin/sh\n');
    await chmod(path.join(cwd, 'tool'), 0o755);
    const pathEnv = ['/nonexistent-dir', cwd].join(path.delimiter);
    expect(await findBinary('tool', pathEnv)).toBe(path.join(cwd, 'tool'));
    expect(await findBinary('plain', pathEnv)).toBeUndefined();
    expect(await findBinary('tool', undefined)).toBeUndefined();
    expect(await findBinary('./tool', undefined, cwd)).toBe(path.join(cwd, 'tool'));
  });
});

describe('command agent identity', () => {
  it("tells the agent its run, task, attempt, the attempt's kind and its worktree", async () => {
    const code = `require('fs').writeFileSync('env.json', JSON.stringify(process.env))`;
    const config = { argv: [node, '-e', code], env: ['GAFFER_RUN_ID'] };
    // A variable passed through from a parent gaffer must not pass for this attempt's identity.
    const parent = { PATH: process.env.PATH ?? '', GAFFER_RUN_ID: 'parent-run' };
    const { result } = await run(config, {
      runId: 'fix-bug-1a2b3c',
      taskId: 'parser',
      attemptNumber: 3,
      kind: 'resume',
      env: allowlistedEnv(parent, config.env),
    });
    expect(result.status).toBe('succeeded');
    const env = JSON.parse(await read('env.json')) as Record<string, string>;
    expect({
      run: env.GAFFER_RUN_ID,
      task: env.GAFFER_TASK_ID,
      attempt: env.GAFFER_ATTEMPT,
      kind: env.GAFFER_ATTEMPT_KIND,
      worktree: env.GAFFER_WORKTREE,
    }).toEqual({ run: 'fix-bug-1a2b3c', task: 'parser', attempt: '3', kind: 'resume', worktree: cwd });
  });
});

describe('command agent backpressure', () => {
  it.skipIf(!canSeeBlockedWrites)(
    'stops reading a chatty child while nobody reads its events, then delivers every line in order',
    async () => {
      const LINES = 200_000; // ~2.5 MB: far more than the session's mark and every buffer on the way
      const code = chattyChildCode(LINES);
      const session = createCommandAgent().start(
        sessionInput({ cwd, prompt: PROMPT, config: { argv: [node, '-e', code] } }),
        new AbortController().signal,
      );
      const channel = session.events as EventChannel<AgentEvent>;
      // Nobody reads: the child must end up stuck in write(2).
      expect(await waitUntilBlockedOrDone(cwd, 'the agent to block on its full pipe')).toBe(false);
      // The `process` event and at most the mark's worth of lines, however much the child printed.
      expect(channel.size).toBeGreaterThan(SESSION_HIGH_WATER_MARK / 2);
      expect(channel.size).toBeLessThanOrEqual(SESSION_HIGH_WATER_MARK);
      const { events, largest } = await drainNotingLargest(channel);
      expect(largest).toBeLessThanOrEqual(SESSION_HIGH_WATER_MARK);
      expect(await session.result).toEqual({ status: 'succeeded' });
      expect(events[0]?.type).toBe('process');
      const lines = events.flatMap((event) => (event.type === 'output' ? [event.text] : []));
      expect(lines).toHaveLength(LINES);
      expect(lines.every((text, index) => text === `line ${index}`)).toBe(true);
    },
  );
});

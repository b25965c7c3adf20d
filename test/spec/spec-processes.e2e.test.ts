import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { streamChunks } from '../fixtures/model-servers/openai-chat-sse.js';
import { sendSse, startScriptedServer, startSse } from '../fixtures/model-servers/scripted-server.js';
import type { ScriptedServer } from '../fixtures/model-servers/scripted-server.js';
import { GAFFER_BIN, runCli } from '../support/cli.js';
import { waitFor } from '../support/wait-for.js';
import { md, newSpec, receipts, repoWithCode, REQUIREMENTS, specDir } from './spec-support.js';

/**
 * A chat server that answers request i with `answers[i]`: a text streamed whole, or `stall` — the
 * role chunk and the first piece of text, then nothing, so the session (and its process the spec's
 * lock) holds until it is stopped. Past the list it stalls; `answerWith` sets what comes next.
 */
async function startStallingModel(answers: string[]) {
  const script = [...answers];
  const server = await startScriptedServer((_request, response, index) => {
    startSse(response);
    const answer = script[index] ?? 'stall';
    const chunks = streamChunks({
      id: 'c',
      model: 'spec-model',
      text: answer === 'stall' ? 'I will write' : answer,
      toolCalls: [],
    });
    if (answer === 'stall') {
      for (const chunk of chunks.slice(0, 2)) sendSse(response, chunk);
      return;
    }
    for (const chunk of chunks) sendSse(response, chunk);
    sendSse(response, '[DONE]');
    response.end();
  });
  return { server, answerWith: (index: number, text: string) => (script[index] = text) };
}

let server: ScriptedServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await server?.close();
  server = undefined;
});

// These spawn the built binary (bin/gaffer.js → dist/): `npm run build` first.
describe('gaffer spec run as separate processes', () => {
  it('keeps the last answer as <artifact>.partial when a phase times out, with a receipt saying so', async () => {
    // Round 1 is not usable (no user story); round 2 never finishes.
    const model = await startStallingModel([md('# Requirements\nJust do it.\n'), 'stall']);
    server = model.server;
    const repo = repoWithCode();
    await newSpec(repo, `${server.url}/v1`);
    const ran = await runCli(['spec', 'run', 'greet', '--timeout', '1'], repo);
    expect(ran.stdout).toContain('requirements: timeout after 2 rounds');
    expect(ran.code).toBe(1);
    const dir = specDir(repo);
    expect(existsSync(join(dir, 'requirements.md'))).toBe(false);
    expect(readFileSync(join(dir, 'requirements.md.partial'), 'utf8')).toBe('# Requirements\nJust do it.\n');
    expect(receipts(repo)['requirements-1.json']).toMatchObject({
      status: 'timeout',
      rounds: 2,
      error: 'no complete answer within 1s',
      output: { file: 'requirements.md.partial' },
    });
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const status = await runCli(['spec', 'status', 'greet'], repo);
    expect(status.stdout).toContain('requirements.md.partial holds the output of a run that did not succeed');
  }, 60_000);

  it('keeps what was streamed as <artifact>.partial when the first round times out mid-answer', async () => {
    const model = await startStallingModel(['stall']);
    server = model.server;
    const repo = repoWithCode();
    await newSpec(repo, `${server.url}/v1`);
    const ran = await runCli(['spec', 'run', 'greet', '--timeout', '1'], repo);
    expect(ran.stdout).toContain('requirements: timeout after 1 round');
    expect(ran.code).toBe(1);
    const dir = specDir(repo);
    expect(existsSync(join(dir, 'requirements.md'))).toBe(false);
    expect(readFileSync(join(dir, 'requirements.md.partial'), 'utf8')).toBe('I will write');
    expect(receipts(repo)['requirements-1.json']).toMatchObject({
      status: 'timeout',
      rounds: 1,
      output: { file: 'requirements.md.partial', chars: 'I will write'.length },
    });
  }, 60_000);

  it('stops cleanly on Ctrl-C: the phase ends with its receipt and .partial, the lock is released, exit 1', async () => {
    // Round 1 is not usable (no user story); round 2 hangs until the person gives up.
    const model = await startStallingModel([md('# Requirements\nJust do it.\n'), 'stall']);
    server = model.server;
    const repo = repoWithCode();
    await newSpec(repo, `${server.url}/v1`);
    const run = spawn(process.execPath, [GAFFER_BIN, 'spec', 'run', 'greet'], {
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = run;
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      run.once('close', (code, signal) => resolve([code, signal])),
    );
    // The second request comes only once round 1 was read and refused: the phase is well under way.
    await waitFor(() => server!.requests.length === 2, 'the second round to reach the model');
    run.kill('SIGINT');
    expect(await closed).toEqual([1, null]);
    expect(stderr).toContain('stopping… (Ctrl-C again to exit now)');
    expect(stderr).toContain('stopped: interrupted by Ctrl-C');
    expect(stderr).not.toContain('    at ');
    expect(stdout).toContain('requirements: cancelled after 2 rounds');
    const dir = specDir(repo);
    expect(existsSync(join(dir, 'requirements.md'))).toBe(false);
    expect(readFileSync(join(dir, 'requirements.md.partial'), 'utf8')).toBe('# Requirements\nJust do it.\n');
    expect(receipts(repo)['requirements-1.json']).toMatchObject({
      status: 'cancelled',
      rounds: 2,
      error: 'stopped before a complete answer: interrupted by Ctrl-C',
      output: { file: 'requirements.md.partial' },
    });
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  }, 60_000);

  it('lets one process write a spec at a time; a dead holder leaves a stale lock that only --force takes', async () => {
    const model = await startStallingModel(['stall']);
    server = model.server;
    const repo = repoWithCode();
    await newSpec(repo, `${server.url}/v1`);
    child = spawn(process.execPath, [GAFFER_BIN, 'spec', 'run', 'greet'], { cwd: repo, stdio: 'ignore' });
    const holder = child;
    // The first process holds the lock while its model request hangs.
    await waitFor(() => server!.requests.length === 1, 'the first process to ask the model');
    const second = await runCli(['spec', 'run', 'greet'], repo);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`spec greet is locked by process ${holder.pid}`);
    // Read-only commands need no lock.
    const status = await runCli(['spec', 'status', 'greet'], repo);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`running: process ${holder.pid} on `);
    expect(status.stdout).toContain('is writing this spec');

    const gone = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await gone;
    const stale = await runCli(['spec', 'run', 'greet'], repo);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('has a stale lock');
    expect(stale.stderr).toContain(`its process ${holder.pid}`);
    expect(stale.stderr).toContain('--force');
    expect(server.requests).toHaveLength(1);
    const after = await runCli(['spec', 'status', 'greet'], repo);
    expect(after.stdout).not.toContain('running:');
    expect(after.stdout).toContain(`stale lock: process ${holder.pid}`);

    model.answerWith(1, md(REQUIREMENTS));
    const forced = await runCli(['spec', 'run', 'greet', '--phase', 'requirements', '--force'], repo);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(readFileSync(join(specDir(repo), 'requirements.md'), 'utf8')).toBe(REQUIREMENTS);
    expect(existsSync(join(specDir(repo), 'lock'))).toBe(false);
  }, 60_000);
});

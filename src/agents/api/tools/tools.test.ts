import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../domain/index.js';
import { createTools } from './index.js';
import { searchInWorker } from './search-worker.js';
import type { ToolContext } from './index.js';

/** An asymmetric matcher typed as the string it stands for. */
const matching = (pattern: RegExp | string): string =>
  (typeof pattern === 'string' ? expect.stringContaining(pattern) : expect.stringMatching(pattern)) as string;

let cwd: string;
let outside: string;
let notes: AgentEvent[];
let spawned: { pid: number; command: string }[];
let tools: ReturnType<typeof createTools>;

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    cwd,
    realCwd: cwd,
    protectedPaths: ['package-lock.json'],
    env: { PATH: process.env.PATH ?? '', GREETING: 'hello' },
    commandTimeoutS: 30,
    ask: undefined,
    note: (_id, event) => notes.push(event),
    onProcess: (pid, command) => spawned.push({ pid, command }),
    running: new Set(),
    ...overrides,
  };
}

beforeEach(async () => {
  cwd = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-tools-')));
  outside = await realpath(await mkdtemp(path.join(os.tmpdir(), 'gaffer-api-outside-')));
  notes = [];
  spawned = [];
  tools = createTools(context());
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

type Tools = ReturnType<typeof createTools>;
/** Calls a tool the way the SDK does; resolves with its output or rejects with the error the model would see. */
async function call<K extends keyof Tools>(
  name: K,
  input: Parameters<NonNullable<Tools[K]['execute']>>[0],
  set = tools,
) {
  const execute = set[name].execute as (input: unknown, options: unknown) => Promise<string>;
  return execute(input, { toolCallId: 'call-1', messages: [], abortSignal: new AbortController().signal });
}

describe('file tools', () => {
  it('write, read with offset and limit, and edit a file', async () => {
    expect(await call('write_file', { path: 'src/a.txt', content: 'one\ntwo\nthree\n' })).toBe(
      'wrote 14 bytes to src/a.txt',
    );
    expect(await call('read_file', { path: 'src/a.txt' })).toBe('one\ntwo\nthree');
    expect(await call('read_file', { path: 'src/a.txt', offset: 2, limit: 1 })).toBe(
      '[src/a.txt: lines 2-2 of 3; call again with offset 3 for more]\ntwo',
    );
    expect(await call('edit_file', { path: 'src/a.txt', old_string: 'two', new_string: '$& 2' })).toBe(
      'edited src/a.txt at line 2',
    );
    expect(await readFile(path.join(cwd, 'src/a.txt'), 'utf8')).toBe('one\n$& 2\nthree\n');
  });

  it('refuses an edit whose old_string is missing or not unique', async () => {
    await writeFile(path.join(cwd, 'a.txt'), 'x = 1\nx = 1\n');
    await expect(call('edit_file', { path: 'a.txt', old_string: 'y', new_string: 'z' })).rejects.toThrow(
      /was not found in a.txt/,
    );
    await expect(call('edit_file', { path: 'a.txt', old_string: 'x = 1', new_string: 'z' })).rejects.toThrow(
      /occurs 2 times/,
    );
    expect(await readFile(path.join(cwd, 'a.txt'), 'utf8')).toBe('x = 1\nx = 1\n');
  });

  it.each([
    ['../escape.txt', /outside the task's worktree/],
    ['/etc/gaffer-test.txt', /outside the task's worktree/],
    ['.git/config', /protected path/],
    ['.git', /protected path/],
    ['package-lock.json', /protected path/],
    ['config/.env', /secrets/],
  ])('refuses to write %s and reports a denied event', async (target, reason) => {
    await expect(call('write_file', { path: target, content: 'x' })).rejects.toThrow(
      /^refused by Gaffer's permission policy: /,
    );
    expect(notes).toEqual([
      {
        type: 'denied',
        tool: 'write_file',
        input: { path: target, content: 'x' },
        reason: matching(reason),
      },
    ]);
  });

  it('does not follow a symbolic link out of the worktree', async () => {
    await symlink(outside, path.join(cwd, 'link'));
    await expect(call('write_file', { path: 'link/x.txt', content: 'x' })).rejects.toThrow(
      /resolves to .*outside/,
    );
    await writeFile(path.join(outside, 'secret.txt'), 'nope');
    await expect(call('read_file', { path: 'link/secret.txt' })).rejects.toThrow(
      /leads outside the task's worktree/,
    );
    expect(notes.map((note) => note.type)).toEqual(['denied', 'denied']);
  });

  it('lists and searches, skipping .git and node_modules', async () => {
    for (const file of ['src/a.ts', 'src/b.ts', '.git/HEAD', 'node_modules/x/index.js'])
      await mkdir(path.dirname(path.join(cwd, file)), { recursive: true }).then(() =>
        writeFile(path.join(cwd, file), 'export const answer = 42;\n'),
      );
    expect(await call('list_files', {})).toBe('src/');
    expect(await call('list_files', { recursive: true })).toBe('src/a.ts\nsrc/b.ts');
    expect(await call('search', { pattern: 'answer = \\d+' })).toBe(
      'src/a.ts:1: export const answer = 42;\nsrc/b.ts:1: export const answer = 42;',
    );
    expect(await call('search', { pattern: 'nothing' })).toBe('no match for /nothing/');
    await expect(call('search', { pattern: '(' })).rejects.toThrow(/invalid regular expression/);
  });
});

describe('run_command', () => {
  it('refuses a command on the deny list', async () => {
    await expect(call('run_command', { command: 'cat ~/.ssh/id_rsa' })).rejects.toThrow(
      /refused.*reading credentials/,
    );
    expect(notes).toEqual([
      {
        type: 'denied',
        tool: 'run_command',
        input: { command: 'cat ~/.ssh/id_rsa' },
        reason: matching('credentials'),
      },
    ]);
  });

  it('reports the exit code and output, in the worktree with the session env', async () => {
    expect(
      await call('run_command', {
        command: `echo "$GREETING from $(pwd)"; "${process.execPath}" -e "process.exit(3)"`,
      }),
    ).toBe(`exit code 3\nhello from ${cwd}\n`);
    // Its process group was reported as it started, for an engine that must end it after a crash.
    expect(spawned).toEqual([{ pid: expect.any(Number) as number, command: matching(/^sh -c echo/) }]);
  });

  it('kills a command at its timeout, capped by command_timeout_s', async () => {
    const capped = createTools(context({ commandTimeoutS: 0.5 }));
    const output = await call('run_command', { command: 'sleep 30', timeout_s: 60 }, capped);
    expect(output).toBe('timed out after 0.5s; the command was killed (no output)');
  });
});

describe('ask_question', () => {
  it('routes the question and reports it with the answer', async () => {
    const asking = createTools(context({ ask: async (question) => `answer to ${question}` }));
    expect(await call('ask_question', { question: 'tabs?' }, asking)).toBe('answer to tabs?');
    expect(notes).toEqual([{ type: 'question', question: 'tabs?', answer: 'answer to tabs?' }]);
  });

  it('tells the model to assume when no one can answer', async () => {
    expect(await call('ask_question', { question: 'tabs?' })).toMatch(/^No one can answer/);
  });
});

describe('search worker', () => {
  it('stops a catastrophic pattern at its time limit instead of blocking the process', async () => {
    await writeFile(path.join(cwd, 'a.txt'), `${'a'.repeat(40)}!\n`);
    await expect(
      searchInWorker(
        {
          root: cwd,
          files: ['a.txt'],
          pattern: '^(a+)+$',
          maxMatches: 10,
          maxLine: 400,
          maxFileBytes: 1_000,
        },
        300,
      ),
    ).rejects.toThrow(/search took longer than 0.3s/);
  });
});

import { homedir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../domain/index.js';
import { createPermissionGate, toolDecision } from './permission-gate.js';

const cwd = '/work/repo';

describe('claude-code tool decision', () => {
  it.each([
    ['Write', { file_path: '/work/repo/src/a.ts' }, true],
    ['Write', { file_path: 'src/a.ts' }, true],
    ['Edit', { file_path: '/work/repo/.git/config' }, false],
    ['Write', { file_path: '/work/repo/.git' }, false],
    ['MultiEdit', { file_path: '/work/repo/.gaffer/state.json' }, false],
    ['Write', { file_path: '/etc/passwd' }, false],
    ['NotebookEdit', { notebook_path: '/work/repo/docs/a.ipynb' }, false],
    ['Write', { file_path: '/work/repo/.env' }, false],
    ['Read', { file_path: '/work/repo/src/a.ts' }, true],
    ['Read', { file_path: path.join(homedir(), '.ssh', 'id_rsa') }, false],
    ['Read', { file_path: '/work/repo/.env.local' }, false],
    ['Grep', { pattern: 'key', path: '~/.aws' }, false],
    ['Glob', { pattern: '~/.ssh/*' }, false],
    ['Glob', { pattern: '**/*.ts' }, true],
    ['Bash', { command: 'npm test' }, true],
    ['Bash', { command: 'cat ~/.ssh/id_rsa' }, false],
    ['Bash', { command: 'git push --force' }, false],
    ['WebFetch', { url: 'https://example.com' }, true],
    ['mcp__gaffer__ask_question', { question: 'Which one?' }, true],
  ])('%s %j → allowed %s', (tool, input, allowed) => {
    expect(toolDecision(cwd, ['docs/**'], tool, input).allowed).toBe(allowed);
  });
});

describe('claude-code permission gate', () => {
  const setup = () => {
    const events: AgentEvent[] = [];
    const gate = createPermissionGate({ cwd, protectedPaths: [], emit: (event) => events.push(event) });
    const options = (toolUseID: string) => ({
      signal: new AbortController().signal,
      toolUseID,
      requestId: 'r',
    });
    return { events, gate, options };
  };

  it('grants allowed calls unchanged and denies the rest with the reason', async () => {
    const { events, gate, options } = setup();
    const input = { file_path: '/work/repo/a.txt', content: 'x' };
    expect(await gate.canUseTool('Write', input, options('t1'))).toEqual({
      behavior: 'allow',
      updatedInput: input,
    });
    expect(events).toEqual([]);

    const denied = await gate.canUseTool('Bash', { command: 'sudo rm -rf /' }, options('t2'));
    expect(denied).toEqual({
      behavior: 'deny',
      message: expect.stringMatching(/^Gaffer denied this: denied: /) as string,
    });
    expect(events).toEqual([
      {
        type: 'denied',
        tool: 'Bash',
        input: { command: 'sudo rm -rf /' },
        reason: expect.stringMatching(/privilege/) as string,
      },
    ]);
  });

  it('denies in the PreToolUse hook and reports each call once', async () => {
    const { events, gate, options } = setup();
    const hook = gate.hooks.PreToolUse?.[0]?.hooks[0];
    const hookInput = {
      hook_event_name: 'PreToolUse' as const,
      tool_name: 'Read',
      tool_input: { file_path: '/work/repo/.env' },
      tool_use_id: 't3',
      session_id: 's',
      transcript_path: '/tmp/t.jsonl',
      cwd,
    };
    const output = await hook?.(hookInput, 't3', { signal: new AbortController().signal });
    expect(output).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(
          /^Gaffer denied this: .*\.env holds secrets/,
        ) as string,
      },
    });
    await gate.canUseTool('Read', { file_path: '/work/repo/.env' }, options('t3'));
    expect(events.filter((event) => event.type === 'denied')).toHaveLength(1);
    expect(
      await hook?.({ ...hookInput, tool_input: { file_path: '/work/repo/a.ts' } }, 't4', {
        signal: new AbortController().signal,
      }),
    ).toEqual({});
  });
});

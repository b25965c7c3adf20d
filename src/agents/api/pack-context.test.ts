import { describe, expect, it } from 'vitest';
import type { PlanTask } from '../../domain/index.js';
import { renderFileTree } from './file-tree-map.js';
import {
  buildStablePrefix,
  buildTaskMessage,
  rankContextFiles,
  withoutRepeatedInstructions,
} from './pack-context.js';
import type { RepoSnapshot } from './pack-context.js';

const AGENTS = '# Conventions\nUse pnpm. Tests live next to the code.';

const repo: RepoSnapshot = {
  instructions: [{ name: 'AGENTS.md', text: `${AGENTS}\n` }],
  files: [
    'AGENTS.md',
    'package.json',
    'src/index.ts',
    'src/lib/math.ts',
    'src/lib/strings.ts',
    'test/math.test.ts',
  ],
};

function task(overrides: Partial<PlanTask> = {}): PlanTask {
  return {
    id: 't1',
    title: 'Add a median function',
    description: 'Add median() to src/lib/math.ts.',
    depends_on: [],
    deliverables: [],
    acceptance_criteria: [],
    context_files: [],
    ...overrides,
  };
}

/** The engine's prompt shape: rules, repeated instructions, then the task. */
const enginePrompt = (id: string, title: string) =>
  `Rules.\n\n## Repository instructions\n${AGENTS}\n\n## Task ${id}: ${title}\nDo it.\n`;

describe('stable prefix', () => {
  it('is identical for two tasks of a run and holds rules, instructions and the file map', () => {
    const first = buildStablePrefix(repo, 24_000);
    const second = buildStablePrefix({ ...repo, files: [...repo.files].reverse() }, 24_000);
    expect(second.text).toBe(first.text);
    expect(first.text).toContain('You are a coding agent working for Gaffer');
    expect(first.text).toContain(`# Repository instructions (AGENTS.md)\n${AGENTS}`);
    expect(first.text).toContain('src/lib/: math.ts, strings.ts');
    // Nothing task-specific leaks into it.
    const messageA = buildTaskMessage({
      prompt: enginePrompt('a', 'First'),
      task: task(),
      contextFiles: [],
      prefix: first,
      budgetTokens: 24_000,
    });
    const messageB = buildTaskMessage({
      prompt: enginePrompt('b', 'Second'),
      task: task(),
      contextFiles: [],
      prefix: second,
      budgetTokens: 24_000,
    });
    expect(messageA.text).not.toBe(messageB.text);
    expect(first.text).not.toMatch(/First|Second/);
  });

  it('cuts long instructions to a quarter of the budget and says so', () => {
    const long = 'x'.repeat(8_000);
    const prefix = buildStablePrefix({ instructions: [{ name: 'AGENTS.md', text: long }], files: [] }, 4_000);
    expect(prefix.text).toMatch(
      /AGENTS\.md, first \d+ of 8000 characters; read_file AGENTS\.md for the rest/,
    );
    expect(prefix.fullInstructions).toEqual([]);
    expect(prefix.text.length).toBeLessThan(long.length);
  });
});

describe('file tree map', () => {
  it('lists shallow directories first and counts what did not fit', () => {
    const files = ['a.ts', 'src/b.ts', 'src/deep/c.ts', 'src/deep/er/d.ts'];
    expect(renderFileTree(files, 1_000).text).toBe(
      './: a.ts\nsrc/: b.ts\nsrc/deep/: c.ts\nsrc/deep/er/: d.ts',
    );
    const small = renderFileTree(files, 8);
    expect(small.text).toBe(
      './: a.ts\nsrc/: b.ts\n… 2 more files in 2 deeper directories: use list_files to see them',
    );
    expect(small).toMatchObject({ shownFiles: 2, omittedFiles: 2 });
  });
});

describe('task message', () => {
  const prefix = buildStablePrefix(repo, 24_000);

  it('drops the instructions the prefix already carries', () => {
    expect(withoutRepeatedInstructions(enginePrompt('t1', 'X'), prefix.fullInstructions)).toBe(
      'Rules.\n\n## Repository instructions\n(in the system prompt)\n\n## Task t1: X\nDo it.\n',
    );
  });

  it('drops the engine’s instructions section when it holds AGENTS.md and CLAUDE.md under their headings', () => {
    const prompt = `Rules.\n\n## Repository instructions\n### AGENTS.md\n${AGENTS}\n\n### CLAUDE.md\nBe terse.\n\n## Task t1: X\nDo it.\n`;
    expect(withoutRepeatedInstructions(prompt, [`${AGENTS}\n`, 'Be terse.\n'])).toBe(
      'Rules.\n\n## Repository instructions\n(in the system prompt)\n\n## Task t1: X\nDo it.\n',
    );
    // Only when the prefix has every file: otherwise the prompt keeps its own copy.
    expect(withoutRepeatedInstructions(prompt, [`${AGENTS}\n`])).toBe(prompt);
  });

  it('ranks files the task names first, then by size', () => {
    const files = [
      { path: 'src/big.ts', content: 'x'.repeat(500) },
      { path: 'src/small.ts', content: 'x' },
      { path: 'src/lib/math.ts', content: 'x'.repeat(900) },
      { path: 'out.txt', content: 'x'.repeat(50) },
    ];
    const ranked = rankContextFiles(files, task({ deliverables: ['out.txt'] })).map((file) => file.path);
    expect(ranked).toEqual(['out.txt', 'src/lib/math.ts', 'src/small.ts', 'src/big.ts']);
  });

  it('fits files to the budget, cuts one, leaves the rest out and says what it trimmed', () => {
    const line = 'const value = 1; // some code\n';
    const files = [
      { path: 'src/lib/math.ts', content: line.repeat(10) },
      { path: 'src/a.ts', content: line.repeat(300) },
      { path: 'src/b.ts', content: line.repeat(600) },
      { path: 'missing.ts', problem: 'not found' },
    ];
    const budget = Math.ceil(prefix.text.length / 4) + 1_600;
    const packed = buildTaskMessage({
      prompt: 'Do it.',
      task: task(),
      contextFiles: files,
      prefix,
      budgetTokens: budget,
    });
    expect(packed.included).toEqual(['src/lib/math.ts']);
    expect(packed.partial).toEqual(['src/a.ts']);
    expect(packed.omitted).toEqual(['src/b.ts']);
    expect(packed.missing).toEqual(['missing.ts (not found)']);
    expect(packed.text).toContain(`<file path="src/lib/math.ts">\n${line.repeat(10)}</file>`);
    expect(packed.text).toMatch(/<file path="src\/a.ts" cut="first \d+ lines; read_file for the rest">/);
    expect(packed.text).toContain(
      'Note: left out for the context budget (read them with read_file): src/b.ts.',
    );
    expect(packed.text).toContain('Note: could not be read: missing.ts (not found).');
    const tokens = Math.ceil((prefix.text.length + packed.text.length) / 4);
    expect(tokens).toBeLessThanOrEqual(budget + 50);
  });

  it('is the bare prompt when there are no context files', () => {
    const packed = buildTaskMessage({
      prompt: 'Do it.\n',
      task: task(),
      contextFiles: [],
      prefix,
      budgetTokens: 24_000,
    });
    expect(packed.text).toBe('Do it.');
  });
});

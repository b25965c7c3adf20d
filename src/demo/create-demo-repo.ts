import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userError } from '../domain/index.js';
import { planToYaml } from '../plan/index.js';
import { runProcess } from '../process/run-process.js';
import { demoPlan } from './demo-plan.js';

const FILES: Record<string, string> = {
  'package.json':
    JSON.stringify(
      { name: 'textkit', version: '0.1.0', private: true, type: 'module', scripts: { test: 'node --test' } },
      null,
      2,
    ) + '\n',
  'README.md': '# textkit\n\nSmall text helpers, built by the Gaffer demo.\n',
  'AGENTS.md': 'Plain ES modules, no dependencies. Every helper has a node:test test under test/.\n',
  'test/smoke.test.js': `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n\ntest('the test runner works', () => {\n  assert.equal(1 + 1, 2);\n});\n`,
  '.gitignore': 'node_modules/\n',
};

/**
 * Creates the demo repository in `dir` (which must be missing or empty): a tiny ES-module
 * package with a real `node --test` suite, committed on `main`, plus `plan.yaml`.
 * Returns the plan's path.
 */
export async function createDemoRepo(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw userError(
      'GAFFER_BAD_INPUT',
      `demo directory ${dir} is not empty`,
      'pass --dir with a new or empty directory',
    );
  }
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content, 'utf8');
  }
  const planPath = join(dir, 'plan.yaml');
  await writeFile(planPath, planToYaml(demoPlan()), 'utf8');
  const env = { ...(process.env as Record<string, string>), GIT_TERMINAL_PROMPT: '0' };
  const git = async (...args: string[]) => {
    const outcome = await runProcess(['git', ...args], { cwd: dir, env });
    if (outcome.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed: ${outcome.output}`);
  };
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.name', 'Gaffer Demo');
  await git('config', 'user.email', 'demo@gaffer.invalid');
  await git('add', '-A');
  // The user's own signing and hooks have no business in a throwaway sample repository.
  await git(
    '-c',
    'commit.gpgsign=false',
    '-c',
    'core.hooksPath=/dev/null',
    'commit',
    '-q',
    '-m',
    'textkit: empty package with a test runner',
  );
  return planPath;
}

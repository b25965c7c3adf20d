import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

// In-process through `main`: detection only reads files, nothing needs a process of its own.

const PACKAGE = JSON.stringify({ name: 'x', scripts: { test: 'vitest run', lint: 'eslint .' } });
const MAKEFILE = 'build:\n\techo build\n';

interface ChecksJson {
  root: string;
  planPath?: string;
  detected: { name: string; source: string }[];
  checks: { name: string; argv: string[]; command: string; source: string }[];
  skipped: { name: string; why: string; source: string }[];
  timeoutS: number;
  tasks: { taskId: string; checks: string[] }[];
}

describe('gaffer checks', () => {
  it('lists the detected checks with their commands and where each was found', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE, Makefile: MAKEFILE });
    const result = await runMain(['checks'], repo);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^checks in .* \(found in its files\):$/);
    expect(lines.slice(1, 5)).toEqual([
      '  NAME   COMMAND       WHY',
      '  build  make build    Makefile target build',
      '  lint   npm run lint  package.json scripts.lint',
      '  test   npm test      package.json scripts.test',
    ]);
    expect(result.stdout).toContain('each check may take 600 s');
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
  });

  it("applies a plan's verifiers settings and says which setting did what", async () => {
    const plan = `agent: script
verifiers:
  skip: [lint]
  commands: { test: "node t.js --fast", e2e: [node, e2e.js] }
  timeout_s: 30
tasks:
  - id: docs
    title: Docs
    verifiers: { only: [build] }
  - id: code
    title: Code
`;
    const repo = makeRepo({ 'package.json': PACKAGE, Makefile: MAKEFILE, 'plan.yaml': plan });
    const result = await runMain(['checks', 'plan.yaml', '--json'], repo);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ChecksJson;
    expect(report.planPath).toBe('plan.yaml');
    expect(report.detected.map((c) => c.name)).toEqual(['build', 'lint', 'test']);
    expect(report.checks).toEqual([
      { name: 'build', argv: ['make', 'build'], command: 'make build', source: 'Makefile target build' },
      {
        name: 'test',
        argv: ['node', 't.js', '--fast'],
        command: 'node t.js --fast',
        source: 'verifiers.commands.test in plan.yaml (instead of package.json scripts.test)',
      },
      {
        name: 'e2e',
        argv: ['node', 'e2e.js'],
        command: 'node e2e.js',
        source: 'verifiers.commands.e2e in plan.yaml',
      },
    ]);
    expect(report.skipped).toEqual([
      expect.objectContaining({
        name: 'lint',
        why: 'verifiers.skip in plan.yaml',
        source: 'package.json scripts.lint',
      }),
    ]);
    expect(report.timeoutS).toBe(30);
    expect(report.tasks).toEqual([{ taskId: 'docs', checks: ['build'], timeoutS: 30 }]);

    const text = await runMain(['checks', 'plan.yaml'], repo);
    expect(text.stdout).toMatch(
      /^ {2}lint +npm run lint +verifiers\.skip in plan\.yaml \(found in package\.json scripts\.lint\)$/m,
    );
    expect(text.stdout).toContain('task docs runs: build (its own verifiers settings)');
  });

  it('says so, with the fix, when the repository has no checks at all', async () => {
    const repo = makeRepo({ 'README.md': 'nothing to run\n' });
    const result = await runMain(['checks'], repo);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("none: no check would verify the agents' work");
    expect(result.stdout).toContain('verifiers.commands');
    const json = JSON.parse((await runMain(['checks', '--json'], repo)).stdout) as ChecksJson;
    expect(json.checks).toEqual([]);
  });

  it('detects Python checks and says from what', async () => {
    const repo = makeRepo({ 'pyproject.toml': '[tool.pytest.ini_options]\n\n[tool.ruff]\n' });
    const json = JSON.parse((await runMain(['checks', '--json'], repo)).stdout) as ChecksJson;
    expect(json.checks.map((c) => [c.name, c.command, c.source])).toEqual([
      ['lint', 'ruff check .', 'pyproject.toml [tool.ruff]'],
      ['test', 'python3 -m pytest -q', 'pyproject.toml [tool.pytest]'],
    ]);
  });

  it('a bad plan is reported as gaffer run would, with nothing created', async () => {
    const repo = makeRepo({ 'package.json': PACKAGE, 'plan.yaml': 'tasks:\n  - id: a\n' });
    const result = await runMain(['checks', 'plan.yaml'], repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/plan\.yaml:\d+:\d+: /);
    expect(existsSync(join(repo, '.gaffer'))).toBe(false);
  });
});

describe('gaffer plan check', () => {
  it('prints the checks the plan’s tasks will run, in text and in --json', async () => {
    const plan = `agent: script\nverifiers: { skip: [lint] }\ntasks:\n  - id: a\n    title: A\n`;
    const repo = makeRepo({ 'package.json': PACKAGE, 'plan.yaml': plan });
    const result = await runMain(['plan', 'check', 'plan.yaml'], repo);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok: plan\.yaml — 1 tasks/);
    expect(result.stdout).toMatch(/^ {2}test +npm test +package\.json scripts\.test$/m);
    expect(result.stdout).toMatch(/^not run:\n {2}lint +npm run lint +verifiers\.skip in plan\.yaml/m);

    const json = JSON.parse((await runMain(['plan', 'check', 'plan.yaml', '--json'], repo)).stdout) as {
      ok: boolean;
      checks: ChecksJson;
    };
    expect(json.ok).toBe(true);
    expect(json.checks.checks.map((c) => c.name)).toEqual(['test']);
  });
});

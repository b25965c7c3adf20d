import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DefinitionFile, DefinitionTree } from './check-definitions.js';
import {
  comparePart,
  definitionParts,
  definitionsResult,
  findDefinitionChanges,
  tableText,
  worktreeTree,
} from './check-definitions.js';
import type { VerifierCommand } from './verifier-command.js';

/** A tree held in memory: a string is a file, `{ link }` a symbolic link. */
function tree(files: Record<string, string | { link: string }>): DefinitionTree {
  return {
    rootNames: () =>
      Promise.resolve([...new Set(Object.keys(files).map((path) => path.split('/')[0] ?? ''))]),
    read: (path) => {
      const entry = files[path];
      const content: DefinitionFile | undefined = typeof entry === 'string' ? { text: entry } : entry;
      return Promise.resolve(content);
    },
  };
}

const pkg = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'x', scripts, ...extra }, null, 2);
const npmTest: VerifierCommand = { name: 'test', argv: ['npm', 'test'], source: 'package.json scripts.test' };
const base = [{ name: 'test', command: 'npm test' }];

describe('findDefinitionChanges', () => {
  it('finds a rewritten test script, and nothing in a task that only adds a dependency or a script', async () => {
    const before = tree({ 'package.json': pkg({ test: 'node test.js' }) });
    const cheated = tree({ 'package.json': pkg({ test: 'node -e 0' }) });
    expect(await findDefinitionChanges([npmTest], base, before, cheated)).toEqual([
      { what: 'package.json scripts.test', how: 'was "node test.js", now "node -e 0"' },
    ]);
    const honest = tree({
      'package.json': pkg({ test: 'node test.js', format: 'prettier -w .' }, { dependencies: { zod: '^3' } }),
    });
    expect(await findDefinitionChanges([npmTest], base, before, honest)).toEqual([]);
  });

  it('follows pre/post scripts and the scripts a check’s script calls, in either version', async () => {
    const before = tree({
      'package.json': pkg({
        test: 'npm run unit && run-s "e2e:*"',
        unit: 'vitest run',
        'e2e:a': 'node a.js',
      }),
    });
    const after = tree({
      'package.json': pkg({
        test: 'npm run unit && run-s "e2e:*"',
        unit: 'exit 0',
        'e2e:a': 'true',
        pretest: 'rm -rf test',
      }),
    });
    const changes = await findDefinitionChanges([npmTest], base, before, after);
    expect(changes.map((c) => c.what)).toEqual([
      'package.json scripts.e2e:a',
      'package.json scripts.pretest',
      'package.json scripts.unit',
    ]);
  });

  it('compares the settings of the tools the check’s scripts name, whole files and only their tables', async () => {
    const files = {
      'package.json': pkg({ test: 'vitest run', lint: 'eslint .' }),
      'vitest.config.ts': 'export default {}',
      'pyproject.toml': '[project]\nname = "x"\n',
    };
    const after = tree({
      ...files,
      'vitest.config.ts': "export default { test: { include: ['nothing'] } }",
      'eslint.config.js': 'export default [{ ignores: ["**"] }]',
    });
    const lint: VerifierCommand = {
      name: 'lint',
      argv: ['npm', 'run', 'lint'],
      source: 'package.json scripts.lint',
    };
    const changes = await findDefinitionChanges(
      [npmTest, lint],
      [...base, { name: 'lint', command: 'npm run lint' }],
      tree(files),
      after,
    );
    expect(changes).toEqual([
      { what: 'vitest.config.ts', how: 'changed' },
      { what: 'eslint.config.js', how: 'added' },
    ]);
  });

  it('reads pytest’s settings from pyproject.toml, but a new dependency there is no change', async () => {
    const pytest: VerifierCommand = {
      name: 'test',
      argv: ['python3', '-m', 'pytest', '-q'],
      source: 'pyproject.toml [tool.pytest]',
    };
    const baseChecks = [{ name: 'test', command: 'python3 -m pytest -q' }];
    const toml = (deps: string, addopts: string) =>
      `[project]\nname = "x"\ndependencies = [${deps}]\n\n[tool.pytest.ini_options]\naddopts = "${addopts}"\n`;
    const before = tree({ 'pyproject.toml': toml('', '-q') });
    expect(
      await findDefinitionChanges(
        [pytest],
        baseChecks,
        before,
        tree({ 'pyproject.toml': toml('"requests"', '-q') }),
      ),
    ).toEqual([]);
    expect(
      await findDefinitionChanges(
        [pytest],
        baseChecks,
        before,
        tree({ 'pyproject.toml': toml('', '-k nothing') }),
      ),
    ).toEqual([{ what: 'pyproject.toml [tool.pytest]', how: 'changed' }]);
  });

  it('treats a Makefile as a whole, and a check whose command changed under its name', async () => {
    const make: VerifierCommand = { name: 'test', argv: ['make', 'test'], source: 'Makefile target test' };
    const makeBase = [{ name: 'test', command: 'make test' }];
    const before = tree({ Makefile: 'test:\n\tpytest\n' });
    expect(
      await findDefinitionChanges([make], makeBase, before, tree({ Makefile: 'test:\n\ttrue\n' })),
    ).toEqual([{ what: 'Makefile', how: 'changed' }]);
    const switched = await findDefinitionChanges(
      [npmTest],
      [{ name: 'test', command: 'python3 -m pytest -q' }],
      tree({}),
      tree({ 'package.json': pkg({ test: 'exit 0' }) }),
    );
    expect(switched).toEqual([
      {
        what: 'the check "test"',
        how: 'ran `python3 -m pytest -q` on the base commit, now `npm test` (package.json scripts.test)',
      },
      { what: 'package.json scripts.test', how: 'added, "exit 0"' },
    ]);
  });

  it('looks only at checks the base ran, and not at the command of a check the plan names', async () => {
    const after = tree({ 'package.json': pkg({ test: 'node -e 0' }) });
    expect(await findDefinitionChanges([npmTest], [], tree({}), after)).toEqual([]);
    const fromPlan: VerifierCommand = { name: 'test', argv: ['node', 'check.mjs'], source: 'plan' };
    expect(await findDefinitionChanges([fromPlan], base, tree({}), after)).toEqual([]);
  });

  it('reports a definition file that became a symbolic link', async () => {
    const make: VerifierCommand = { name: 'test', argv: ['make', 'test'], source: 'Makefile target test' };
    const changes = await findDefinitionChanges(
      [make],
      [{ name: 'test', command: 'make test' }],
      tree({ Makefile: 'test:\n\tpytest\n' }),
      tree({ Makefile: { link: '/tmp/elsewhere' } }),
    );
    expect(changes).toEqual([{ what: 'Makefile', how: 'is now a symbolic link to /tmp/elsewhere' }]);
  });
});

describe('definitionParts', () => {
  const none = { base: {}, now: {} };
  it('maps commands to the files their tools read', () => {
    const names = new Set(['tsconfig.json', 'tsconfig.build.json', '.cargo', 'clippy.toml', 'Cargo.toml']);
    expect(definitionParts(['npx', 'tsc', '--noEmit'], none, names).map((p) => p.file)).toEqual([
      'tsconfig.json',
      'tsconfig.build.json',
    ]);
    expect(
      definitionParts(['cargo', 'clippy', '--', '-D', 'warnings'], none, names).map((p) => p.file),
    ).toEqual(['.cargo/config.toml', '.cargo/config', 'Cargo.toml', 'Cargo.toml', 'clippy.toml']);
    expect(definitionParts(['go', 'test', './...'], none, names)).toEqual([]);
  });

  it('falls back to vite.config for vitest only without a vitest.config', () => {
    const scripts = { base: { test: 'vitest' }, now: { test: 'vitest' } };
    const files = (names: string[]) =>
      definitionParts(['npm', 'test'], scripts, new Set(['package.json', ...names])).map((p) => p.file);
    expect(files(['vite.config.ts'])).toEqual(['package.json', 'vite.config.ts']);
    expect(files(['vite.config.ts', 'vitest.config.ts'])).toEqual(['package.json', 'vitest.config.ts']);
  });
});

describe('comparePart', () => {
  const part = { file: 'package.json', kind: 'json' as const, key: ['scripts', 'test'] };
  it('says what a script was and is', () => {
    expect(comparePart(part, { text: pkg({ test: 'a' }) }, { text: pkg({}) })).toEqual({
      what: 'package.json scripts.test',
      how: 'removed (was "a")',
    });
    expect(
      comparePart(part, { text: pkg({ test: 'a' }) }, { text: pkg({ test: 'a' }, { version: '2' }) }),
    ).toBe(undefined);
  });
});

describe('tableText', () => {
  it('takes a table, its subtables and the dotted keys above it that could set it', () => {
    const toml = [
      'tool.pytest.ini_options.addopts = "-x"',
      '[project]',
      'name = "x"',
      '[tool.pytest.ini_options]',
      'addopts = "-q"',
      '[tool.ruff]',
      'line-length = 100',
    ].join('\n');
    expect(tableText(toml, 'tool.pytest')).toBe(
      ['tool.pytest.ini_options.addopts = "-x"', '[tool.pytest.ini_options]', 'addopts = "-q"'].join('\n'),
    );
    expect(tableText('[project]\nname = "x"\n', 'tool.pytest')).toBe(undefined);
    expect(tableText('[mypy]\nstrict = True\n[mypy-pkg.*]\nignore_errors = True\n', 'mypy')).toContain(
      'ignore_errors',
    );
  });
});

describe('definitionsResult', () => {
  it('is a failed check that says what changed and how to allow it', () => {
    expect(definitionsResult([])).toBe(undefined);
    const result = definitionsResult([{ what: 'package.json scripts.test', how: 'was "a", now "b"' }]);
    expect(result).toMatchObject({ name: 'check definitions', passed: false });
    expect(result?.output).toContain('- package.json scripts.test: was "a", now "b"');
    expect(result?.output).toContain('verifiers.trust_task_changes: true');
  });
});

describe('worktreeTree', () => {
  it('reads files, reports links by their target and reports a file below a linked folder as a link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaffer-defs-'));
    const outside = mkdtempSync(join(tmpdir(), 'gaffer-outside-'));
    writeFileSync(join(outside, 'config.toml'), '[target.x]\nrunner = "true"\n');
    writeFileSync(join(dir, 'Makefile'), 'test:\n');
    symlinkSync(join(outside, 'config.toml'), join(dir, 'pytest.ini'));
    symlinkSync(outside, join(dir, '.cargo'));
    mkdirSync(join(dir, 'src'));
    const worktree = worktreeTree(dir);
    expect([...(await worktree.rootNames())].sort()).toEqual(['.cargo', 'Makefile', 'pytest.ini', 'src']);
    expect(await worktree.read('Makefile')).toEqual({ text: 'test:\n' });
    expect(await worktree.read('pytest.ini')).toEqual({ link: join(outside, 'config.toml') });
    expect(await worktree.read('.cargo/config.toml')).toEqual({ link: join(outside, 'config.toml') });
    expect(await worktree.read('src')).toBe(undefined);
  });
});

import { describe, expect, it } from 'vitest';
import { GafferError } from '../../src/domain/index.js';
import { detectVerifiers } from '../../src/verify/index.js';
import { tempDir } from './temp-dir.js';

const packageJson = (scripts: Record<string, string>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'demo', version: '1.0.0', scripts, ...extra });
const argvs = async (files: Record<string, string>) =>
  Object.fromEntries(
    (await detectVerifiers(await tempDir(files))).map((command) => [command.name, command.argv]),
  );

describe('detectVerifiers', () => {
  it('finds nothing in an empty directory', async () => {
    expect(await detectVerifiers(await tempDir())).toEqual([]);
  });

  it('runs package.json scripts with npm, in canonical order', async () => {
    const dir = await tempDir({
      'package.json': packageJson({
        test: 'vitest run',
        lint: 'eslint .',
        build: 'tsc',
        'check-types': 'tsc --noEmit',
        start: 'node .',
      }),
    });
    expect(await detectVerifiers(dir)).toEqual([
      { name: 'build', argv: ['npm', 'run', 'build'], source: 'package.json scripts.build' },
      { name: 'typecheck', argv: ['npm', 'run', 'check-types'], source: 'package.json scripts.check-types' },
      { name: 'lint', argv: ['npm', 'run', 'lint'], source: 'package.json scripts.lint' },
      { name: 'test', argv: ['npm', 'test'], source: 'package.json scripts.test' },
    ]);
  });

  it('ignores the npm init placeholder test script', async () => {
    const scripts = { test: 'echo "Error: no test specified" && exit 1', lint: 'eslint .' };
    expect(await argvs({ 'package.json': packageJson(scripts) })).toEqual({ lint: ['npm', 'run', 'lint'] });
  });

  it('prefers a typecheck script over its aliases', async () => {
    const scripts = { tsc: 'tsc', 'type-check': 'tsc -p .', typecheck: 'tsc --noEmit' };
    expect(await argvs({ 'package.json': packageJson(scripts) })).toEqual({
      typecheck: ['npm', 'run', 'typecheck'],
    });
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lockb', 'bun'],
    ['bun.lock', 'bun'],
  ])('picks the package manager from %s', async (lockfile, manager) => {
    const found = await argvs({ 'package.json': packageJson({ test: 'x', lint: 'y' }), [lockfile]: '' });
    expect(found).toEqual({ lint: [manager, 'run', 'lint'], test: [manager, 'run', 'test'] });
  });

  it('falls back to the packageManager field when there is no lockfile', async () => {
    const found = await argvs({
      'package.json': packageJson({ test: 'x' }, { packageManager: 'pnpm@9.1.0' }),
    });
    expect(found).toEqual({ test: ['pnpm', 'run', 'test'] });
  });

  it('refuses a package.json that is not JSON', async () => {
    const dir = await tempDir({ 'package.json': '{ "scripts": ' });
    const error: unknown = await detectVerifiers(dir).catch((caught: unknown) => caught);
    expect(GafferError.isInstance(error) && error.code).toBe('GAFFER_BAD_INPUT');
  });

  it('detects cargo', async () => {
    expect(await detectVerifiers(await tempDir({ 'Cargo.toml': '[package]\nname = "x"\n' }))).toEqual([
      { name: 'build', argv: ['cargo', 'build'], source: 'Cargo.toml' },
      { name: 'lint', argv: ['cargo', 'clippy', '--', '-D', 'warnings'], source: 'Cargo.toml' },
      { name: 'test', argv: ['cargo', 'test'], source: 'Cargo.toml' },
    ]);
  });

  it('detects go', async () => {
    expect(await argvs({ 'go.mod': 'module example.com/x\n' })).toEqual({
      build: ['go', 'build', './...'],
      lint: ['go', 'vet', './...'],
      test: ['go', 'test', './...'],
    });
  });

  it('detects pytest, ruff and mypy from pyproject.toml', async () => {
    const pyproject =
      '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n\n[tool.ruff]\nline-length = 100\n\n[tool.mypy]\nstrict = true\n';
    expect(await detectVerifiers(await tempDir({ 'pyproject.toml': pyproject }))).toEqual([
      { name: 'typecheck', argv: ['mypy', '.'], source: 'pyproject.toml [tool.mypy]' },
      { name: 'lint', argv: ['ruff', 'check', '.'], source: 'pyproject.toml [tool.ruff]' },
      { name: 'test', argv: ['python3', '-m', 'pytest', '-q'], source: 'pyproject.toml [tool.pytest]' },
    ]);
  });

  it('does not run pytest for a pyproject.toml without tests', async () => {
    expect(await detectVerifiers(await tempDir({ 'pyproject.toml': '[project]\nname = "x"\n' }))).toEqual([]);
  });

  it.each([
    [{ 'pytest.ini': '[pytest]\n' }, 'pytest.ini'],
    [
      { 'setup.cfg': '[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n' },
      'setup.cfg [tool:pytest]',
    ],
    [{ 'tests/unit/test_math.py': 'def test_x(): pass\n' }, 'tests/test_*.py'],
  ])('detects pytest from %o', async (files, source) => {
    expect(await detectVerifiers(await tempDir(files))).toEqual([
      { name: 'test', argv: ['python3', '-m', 'pytest', '-q'], source },
    ]);
  });

  it('detects Makefile targets, with check standing in for lint', async () => {
    const makefile = [
      'CC := gcc',
      'X ::= y',
      '.PHONY: test check build',
      'build: main.o',
      '\t$(CC) -o app main.o',
      'test check: build',
      '\t./run-tests',
      'deploy:',
      '\t./deploy',
    ].join('\n');
    expect(await detectVerifiers(await tempDir({ Makefile: makefile }))).toEqual([
      { name: 'build', argv: ['make', 'build'], source: 'Makefile target build' },
      { name: 'lint', argv: ['make', 'check'], source: 'Makefile target check' },
      { name: 'test', argv: ['make', 'test'], source: 'Makefile target test' },
    ]);
    expect(await argvs({ Makefile: 'lint:\n\ttrue\ncheck:\n\ttrue\nCC = x\n' })).toEqual({
      lint: ['make', 'lint'],
    });
  });

  it('gives each name to the most specific ecosystem: package.json > Cargo > go > python > Makefile', async () => {
    const dir = await tempDir({
      'package.json': packageJson({ test: 'vitest run' }),
      'Cargo.toml': '[package]\nname = "x"\n',
      'go.mod': 'module x\n',
      'pyproject.toml': '[tool.ruff]\n[tool.mypy]\n[tool.pytest.ini_options]\n',
      Makefile: 'test:\nlint:\ntypecheck:\nbuild:\n',
    });
    const found = await detectVerifiers(dir);
    expect(found.map((command) => [command.name, command.source])).toEqual([
      ['build', 'Cargo.toml'],
      ['typecheck', 'pyproject.toml [tool.mypy]'],
      ['lint', 'Cargo.toml'],
      ['test', 'package.json scripts.test'],
    ]);
    const goOverPython = await detectVerifiers(
      await tempDir({ 'go.mod': 'module x\n', 'pyproject.toml': '[tool.ruff]\n', Makefile: 'typecheck:\n' }),
    );
    expect(goOverPython.map((command) => command.argv.join(' '))).toEqual([
      'go build ./...',
      'make typecheck',
      'go vet ./...',
      'go test ./...',
    ]);
  });
});

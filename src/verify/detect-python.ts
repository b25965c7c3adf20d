import { join } from 'node:path';
import { listDir, pathExists, readTextIfExists } from './repo-files.js';
import type { VerifierCommand } from './verifier-command.js';

/**
 * pytest, ruff and mypy, each only when the repository shows it uses the tool: a bare
 * pyproject.toml is not enough, since pytest fails when it collects no tests.
 */
export async function detectPython(dir: string): Promise<VerifierCommand[]> {
  const pyproject = (await readTextIfExists(dir, 'pyproject.toml')) ?? '';
  const setupCfg = (await readTextIfExists(dir, 'setup.cfg')) ?? '';
  const toxIni = (await readTextIfExists(dir, 'tox.ini')) ?? '';
  const found: VerifierCommand[] = [];

  const mypySource =
    (await firstExisting(dir, ['mypy.ini', '.mypy.ini'])) ??
    (hasSection(pyproject, 'tool.mypy') ? 'pyproject.toml [tool.mypy]' : undefined) ??
    (hasSection(setupCfg, 'mypy') ? 'setup.cfg [mypy]' : undefined);
  if (mypySource) found.push({ name: 'typecheck', argv: ['mypy', '.'], source: mypySource });

  const ruffSource =
    (await firstExisting(dir, ['ruff.toml', '.ruff.toml'])) ??
    (hasSection(pyproject, 'tool.ruff') ? 'pyproject.toml [tool.ruff]' : undefined);
  if (ruffSource) found.push({ name: 'lint', argv: ['ruff', 'check', '.'], source: ruffSource });

  const pytestSource =
    (await firstExisting(dir, ['pytest.ini', 'conftest.py'])) ??
    (hasSection(pyproject, 'tool.pytest') ? 'pyproject.toml [tool.pytest]' : undefined) ??
    (/\bpytest\b/.test(pyproject) ? 'pyproject.toml (pytest dependency)' : undefined) ??
    (hasSection(setupCfg, 'tool:pytest') ? 'setup.cfg [tool:pytest]' : undefined) ??
    (hasSection(toxIni, 'pytest') ? 'tox.ini [pytest]' : undefined) ??
    (await testFilesSource(dir));
  if (pytestSource)
    found.push({ name: 'test', argv: ['python3', '-m', 'pytest', '-q'], source: pytestSource });
  return found;
}

/** `[name]` or `[name.sub]` at the start of a line of an INI or TOML file. */
function hasSection(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*\\[${escaped}(\\.[^\\]]*)?\\]`, 'm').test(text);
}

async function firstExisting(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) {
    if (await pathExists(dir, name)) return name;
  }
  return undefined;
}

async function testFilesSource(dir: string): Promise<string | undefined> {
  for (const folder of ['tests', 'test']) {
    if (await containsTestFile(join(dir, folder), 3)) return `${folder}/test_*.py`;
  }
  return undefined;
}

async function containsTestFile(dir: string, depth: number): Promise<boolean> {
  const entries = await listDir(dir);
  if (entries.some((entry) => entry.isFile() && /^test_.*\.py$|_test\.py$/.test(entry.name))) return true;
  if (depth <= 1) return false;
  for (const entry of entries) {
    if (
      entry.isDirectory() &&
      !entry.name.startsWith('.') &&
      (await containsTestFile(join(dir, entry.name), depth - 1))
    ) {
      return true;
    }
  }
  return false;
}

import { describe, expect, it } from 'vitest';
import { resolveVerifiers } from './resolve-verifiers.js';
import type { VerifierCommand } from './verifier-command.js';

const detected: VerifierCommand[] = [
  { name: 'build', argv: ['npm', 'run', 'build'], source: 'package.json scripts.build' },
  { name: 'lint', argv: ['npm', 'run', 'lint'], source: 'package.json scripts.lint' },
  { name: 'test', argv: ['npm', 'test'], source: 'package.json scripts.test' },
];
const names = (commands: VerifierCommand[]) => commands.map((command) => command.name);

describe('resolveVerifiers', () => {
  it('keeps every detected verifier without settings', () => {
    expect(resolveVerifiers(detected)).toEqual(detected);
    expect(resolveVerifiers(detected, undefined, {})).toEqual(detected);
  });

  it('keeps only the names in `only` and drops the names in `skip`', () => {
    expect(names(resolveVerifiers(detected, { only: ['test', 'lint', 'typecheck'] }))).toEqual([
      'lint',
      'test',
    ]);
    expect(names(resolveVerifiers(detected, { skip: ['build'] }))).toEqual(['lint', 'test']);
  });

  it('replaces a detected command by name and adds new ones, string or argv', () => {
    const resolved = resolveVerifiers(detected, {
      commands: { test: "npx vitest run --grep 'a b'", e2e: ['node', 'e2e.js'], typecheck: 'tsc --noEmit' },
    });
    expect(resolved).toEqual([
      detected[0],
      { name: 'typecheck', argv: ['tsc', '--noEmit'], source: 'plan' },
      detected[1],
      { name: 'test', argv: ['npx', 'vitest', 'run', '--grep', 'a b'], source: 'plan' },
      { name: 'e2e', argv: ['node', 'e2e.js'], source: 'plan' },
    ]);
  });

  it('lets task settings override plan settings', () => {
    const plan = { only: ['test'], commands: { test: 'make test' } };
    expect(names(resolveVerifiers(detected, plan, { only: ['lint'] }))).toEqual(['lint']);
    expect(resolveVerifiers(detected, plan, { commands: { test: 'pytest -x' } })).toEqual([
      { name: 'test', argv: ['pytest', '-x'], source: 'plan' },
    ]);
    expect(names(resolveVerifiers(detected, { skip: ['lint'] }, { commands: { lint: 'eslint .' } }))).toEqual(
      ['build', 'lint', 'test'],
    );
    expect(names(resolveVerifiers(detected, { skip: ['build'] }, { skip: ['lint'] }))).toEqual(['test']);
  });

  it('rejects an empty command', () => {
    expect(() => resolveVerifiers(detected, { commands: { test: '  ' } })).toThrow(
      /"test" has an empty command/,
    );
    expect(() => resolveVerifiers(detected, { commands: { test: [] } })).toThrow(/empty command/);
  });
});

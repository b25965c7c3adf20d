import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/index.js';
import { splitCommand } from './split-command.js';
import { formatArgv } from './verifier-command.js';

describe('splitCommand', () => {
  it('splits on whitespace and keeps quoted words whole', () => {
    expect(splitCommand("npm run test -- --grep 'a b'")).toEqual([
      'npm',
      'run',
      'test',
      '--',
      '--grep',
      'a b',
    ]);
    expect(splitCommand('  cargo\ttest   --all  ')).toEqual(['cargo', 'test', '--all']);
  });

  it('handles double quotes, escapes, adjacent quoting and empty arguments', () => {
    expect(splitCommand('echo "say \\"hi\\"" it\\\'s \'\' a"b"c')).toEqual([
      'echo',
      'say "hi"',
      "it's",
      '',
      'abc',
    ]);
    expect(splitCommand('echo \'$HOME\' "a\\nb"')).toEqual(['echo', '$HOME', 'a\\nb']);
  });

  it('passes shell syntax through as plain words, since nothing runs in a shell', () => {
    expect(splitCommand('make test && rm -rf /')).toEqual(['make', 'test', '&&', 'rm', '-rf', '/']);
  });

  it('returns no words for an empty command', () => {
    expect(splitCommand('   ')).toEqual([]);
  });

  it.each(["npm test -- --grep 'a b", 'echo "oops', 'echo trailing\\'])(
    'rejects %s as a user error',
    (command) => {
      let caught: unknown;
      try {
        splitCommand(command);
      } catch (error) {
        caught = error;
      }
      expect(GafferError.isInstance(caught)).toBe(true);
      expect((caught as GafferError).code).toBe('GAFFER_BAD_INPUT');
      expect((caught as GafferError).userError).toBe(true);
      expect((caught as GafferError).hint).toMatch(/list of arguments/);
    },
  );

  it('parses back what formatArgv prints', () => {
    const argv = ['node', '-e', 'console.log("it\'s")', 'a b', '', "c'd", 'back\\slash'];
    expect(splitCommand(formatArgv(argv))).toEqual(argv);
    expect(formatArgv(['npm', 'run', 'lint'])).toBe('npm run lint');
  });
});

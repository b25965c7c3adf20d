import { describe, expect, it } from 'vitest';
import { ALWAYS_PROTECTED } from '../domain/index.js';
import { matchProtectedPaths } from './protected-paths.js';

describe('matchProtectedPaths', () => {
  const paths = [
    '.git/config',
    '.gaffer/gaffer.db',
    'src/index.ts',
    'secrets/prod/key.pem',
    'secretsfile.txt',
    'config/app.env',
    'docs/.env',
    'migrations/001.sql',
    './migrations/002.sql',
  ];

  it('matches globs, including dotfiles', () => {
    expect(matchProtectedPaths(paths, [...ALWAYS_PROTECTED, '**/*.env', '**/.env'])).toEqual([
      '.git/config',
      '.gaffer/gaffer.db',
      'config/app.env',
      'docs/.env',
    ]);
  });

  it('protects everything under a directory given by name or with a trailing slash', () => {
    expect(matchProtectedPaths(paths, ['secrets'])).toEqual(['secrets/prod/key.pem']);
    expect(matchProtectedPaths(paths, ['migrations/'])).toEqual([
      'migrations/001.sql',
      './migrations/002.sql',
    ]);
    expect(matchProtectedPaths(paths, ['src/index.ts'])).toEqual(['src/index.ts']);
  });

  it('matches nothing without globs', () => {
    expect(matchProtectedPaths(paths, [])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { checkDeliverables } from '../../src/verify/index.js';
import { tempDir } from './temp-dir.js';

describe('checkDeliverables', () => {
  it('passes when there are no deliverables', async () => {
    expect(await checkDeliverables(await tempDir(), [])).toMatchObject({
      name: 'deliverables',
      passed: true,
    });
  });

  it('passes when every path and glob matches an existing file', async () => {
    const cwd = await tempDir({
      'src/api/users.ts': '',
      'docs/.hidden/notes.md': '',
      'README.md': '',
    });
    const result = await checkDeliverables(cwd, [
      'README.md',
      './src/api/users.ts',
      'src/**/*.ts',
      'docs/**/*.md',
      'src',
    ]);
    expect(result).toMatchObject({ name: 'deliverables', passed: true, exitCode: null, timedOut: false });
    expect(result.output).toBe('all 5 deliverables present');
  });

  it('lists the missing entries', async () => {
    const cwd = await tempDir({ 'src/a.ts': '', 'node_modules/pkg/x.py': '', 'outside.txt': '' });
    const result = await checkDeliverables(cwd, [
      'src/a.ts',
      'src/b.ts',
      'test/**/*.test.ts',
      '**/*.py',
      '../outside.txt',
    ]);
    expect(result.passed).toBe(false);
    expect(result.output).toBe(
      [
        'missing deliverables (4 of 5):',
        '  src/b.ts',
        '  test/**/*.test.ts',
        '  **/*.py',
        '  ../outside.txt',
      ].join('\n'),
    );
  });

  it('looks in node_modules only when the glob names it', async () => {
    const cwd = await tempDir({ 'node_modules/pkg/index.js': '' });
    expect((await checkDeliverables(cwd, ['node_modules/**/index.js'])).passed).toBe(true);
  });
});

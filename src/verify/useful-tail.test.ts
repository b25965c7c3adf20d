import { describe, expect, it } from 'vitest';
import { usefulTail } from './useful-tail.js';

const numbered = (count: number, prefix = 'line') =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

describe('usefulTail', () => {
  it('strips ANSI escapes, progress redraws and blank-line runs', () => {
    const output =
      '\u001b[31mred\u001b[0m text\r\n\n\n\n10%\r50%\r100%\nlink \u001b]8;;http://x\u0007here\u001b]8;;\u0007\n\n';
    expect(usefulTail(output)).toBe('red text\n\n100%\nlink here');
  });

  it('returns short output unchanged', () => {
    expect(usefulTail('a\nb\nc')).toBe('a\nb\nc');
    expect(usefulTail('')).toBe('');
  });

  it('keeps the last lines and says how many were left out', () => {
    const result = usefulTail(numbered(200).join('\n'), { maxLines: 10 });
    expect(result.split('\n')).toEqual(['… (190 lines omitted)', ...numbered(200).slice(190)]);
  });

  it('keeps failure lines from above the tail window', () => {
    const lines = [
      ...numbered(50),
      'FAIL src/a.test.ts > adds',
      'AssertionError: expected 1 to be 2',
      ...numbered(100, 'more'),
    ];
    const result = usefulTail(lines.join('\n'), { maxLines: 20 }).split('\n');
    expect(result.slice(0, 4)).toEqual([
      '… (132 lines omitted)',
      'FAIL src/a.test.ts > adds',
      'AssertionError: expected 1 to be 2',
      '…',
    ]);
    expect(result.slice(4)).toEqual(numbered(100, 'more').slice(82));
  });

  it('stays within maxChars, cutting one huge line to its end', () => {
    const result = usefulTail(numbered(100).join('\n'), { maxChars: 50 });
    expect(result.split('\n').slice(1).join('\n').length).toBeLessThanOrEqual(50);
    expect(result.endsWith('line 100')).toBe(true);
    const huge = usefulTail(`start ${'x'.repeat(10_000)} end`, { maxChars: 100 });
    expect(huge).toMatch(/^…x+ end$/);
    expect(huge.length).toBe(100);
  });
});

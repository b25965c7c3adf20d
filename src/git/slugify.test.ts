import { describe, expect, it } from 'vitest';
import { isValidBranchName } from './ref-format.js';
import { slugify } from './slugify.js';

describe('slugify', () => {
  it.each([
    ['Add login page', 'add-login-page'],
    ['  --Hello,   World!!  ', 'hello-world'],
    ['Crème brûlée façade', 'creme-brulee-facade'],
    ['feature/x.lock', 'feature-x-lock'],
    ['UPPER_case 42', 'upper-case-42'],
    ['', 'run'],
    ['!!!', 'run'],
    ['日本語', 'run'],
  ])('%j → %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('caps the length at 40 without a trailing dash', () => {
    const slug = slugify(`${'a'.repeat(39)} bcd ${'e'.repeat(50)}`);
    expect(slug).toBe('a'.repeat(39));
    expect(slugify('x'.repeat(100))).toHaveLength(40);
  });

  it('always yields a valid branch component', () => {
    for (const input of ['..', '.lock', '@{x}', '-a-', 'a  b', 'ÀÉÎ', '/etc/passwd']) {
      const slug = slugify(input);
      expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(isValidBranchName(`gaffer/${slug}`)).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseReviewReply } from '../../../src/verify/index.js';

const criteria = ['hello.txt says hello', 'it ends with a newline'];

describe('reading the reviewer’s reply', () => {
  it('takes the last fenced JSON block anywhere in the reply, and spells verdicts leniently', () => {
    const reply = [
      'Looking at the diff, here is a draft:',
      '```json',
      '{ "criteria": [] }',
      '```',
      'Final answer:',
      '```json',
      JSON.stringify({
        criteria: [
          { id: 1, verdict: 'Met', evidence: '+hello' },
          { id: '2', verdict: 'not met', evidence: 'no newline at end of file' },
        ],
        critiques: [{ severity: 'MAJOR', text: 'missing newline' }],
        summary: 'almost',
      }),
      '```',
      'That is all.',
    ].join('\n');
    expect(parseReviewReply(reply, criteria)).toEqual({
      success: true,
      value: {
        criteria: [
          { criterion: criteria[0], verdict: 'met', evidence: '+hello' },
          { criterion: criteria[1], verdict: 'not_met', evidence: 'no newline at end of file' },
        ],
        critiques: [{ severity: 'major', text: 'missing newline' }],
        summary: 'almost',
      },
    });
  });

  it('reads a bare JSON object without a fence', () => {
    const result = parseReviewReply(
      'verdict: {"criteria":[{"id":1,"verdict":"met"},{"id":2,"verdict":"met"}]}',
      criteria,
    );
    expect(result.success && result.value.criteria.map((c) => c.verdict)).toEqual(['met', 'met']);
  });

  it('counts a criterion the reply leaves out as cannot_tell, never as met', () => {
    const result = parseReviewReply('```json\n{"criteria":[{"id":1,"verdict":"met"}]}\n```', criteria);
    expect(result.success && result.value.criteria[1]).toMatchObject({ verdict: 'cannot_tell' });
  });

  it('says why a reply cannot be read: no JSON, a wrong verdict, or no criterion judged', () => {
    const errorOf = (text: string) => {
      const result = parseReviewReply(text, criteria);
      return result.success ? 'parsed' : result.error;
    };
    expect(errorOf('Looks good to me!')).toMatch(/no JSON block/);
    expect(errorOf('```json\n{"criteria":[{"id":1,"verdict":"fine"}]}\n```')).toMatch(/criteria\.0\.verdict/);
    expect(errorOf('```json\n{"critiques":[]}\n```')).toMatch(/none of the 2 criteria/);
  });
});

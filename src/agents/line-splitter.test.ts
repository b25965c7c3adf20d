import { describe, expect, it } from 'vitest';
import { createLineSplitter, lastLines } from './line-splitter.js';

describe('createLineSplitter', () => {
  it('joins chunks into whole lines and flushes the last partial one', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.write('one\ntw');
    splitter.write('o\r\nthree');
    expect(lines).toEqual(['one', 'two']);
    splitter.flush();
    splitter.flush();
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('keeps empty lines and lines spread over several chunks', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    for (const chunk of ['a', 'b', 'c\n\n', 'd\r', '\ne\nf']) splitter.write(chunk);
    splitter.flush();
    expect(lines).toEqual(['abc', '', 'd', 'e', 'f']);
  });

  it('emits an endless line in pieces instead of holding it forever', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter((line) => lines.push(line));
    splitter.write('x'.repeat(20_000));
    expect(lines).toHaveLength(1);
  });
});

describe('lastLines', () => {
  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\n\nb\nc\n\n', 2)).toBe('b\nc');
  });
});

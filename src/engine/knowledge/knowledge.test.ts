import { describe, expect, it } from 'vitest';
import type { Plan } from '../../domain/index.js';
import { parseKnowledgeBlock } from './report-block.js';
import { renderKnowledge } from './render-knowledge.js';
import type { KnowledgeEntry } from './task-knowledge.js';

describe('parseKnowledgeBlock', () => {
  it('reads the last tagged block, sections of bullets and numbered lines', () => {
    const text = `<knowledge>decisions:\n- old\n</knowledge>\nlater:\n<knowledge>\nDecisions:\n* use zod\n1. keep ids stable\nPatterns: tests next to code\n- kebab-case files\n</knowledge>`;
    expect(parseKnowledgeBlock(text)).toEqual({
      decisions: ['use zod', 'keep ids stable'],
      patterns: ['tests next to code', 'kebab-case files'],
    });
  });

  it('is lenient: a heading instead of tags, bullets before any section, an unclosed tag, nothing at all', () => {
    expect(parseKnowledgeBlock('Done.\n## Knowledge\n- prices in cents')).toEqual({
      decisions: ['prices in cents'],
      patterns: [],
    });
    expect(parseKnowledgeBlock('<knowledge>\npatterns:\n- a')).toEqual({ decisions: [], patterns: ['a'] });
    expect(parseKnowledgeBlock('All done, nothing to add.')).toEqual({ decisions: [], patterns: [] });
  });

  it('bounds what an agent can push into later prompts', () => {
    const many = Array.from({ length: 50 }, (_, i) => `- item ${i} ${'x'.repeat(1000)}`).join('\n');
    const parsed = parseKnowledgeBlock(`<knowledge>\n${many}\n</knowledge>`);
    expect(parsed.decisions).toHaveLength(10);
    expect(Math.max(...parsed.decisions.map((d) => d.length))).toBe(300);
  });
});

const entry = (taskId: string, decisions: string[] = []): KnowledgeEntry => ({
  taskId,
  attemptId: null,
  created: [`${taskId}.ts`],
  changed: [],
  deleted: [],
  decisions,
  patterns: [],
});

const plan = {
  name: 'p',
  settings: {},
  tasks: [
    { id: 'root', title: 'Root', depends_on: [] },
    { id: 'mid', title: 'Mid', depends_on: ['root'] },
    { id: 'side', title: 'Side', depends_on: [] },
    { id: 'leaf', title: 'Leaf', depends_on: ['mid'] },
  ],
} as unknown as Plan;

describe('renderKnowledge', () => {
  it('puts what the task builds on first, nearest first, then the rest newest first', () => {
    const text = renderKnowledge(plan, [entry('root'), entry('side'), entry('mid')], 'leaf');
    const order = ['### mid', '### root', '### side'].map((h) => text.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('### mid: Mid (your task builds on it)');
    expect(text).toContain('### side: Side\n');
  });

  it('keeps to its budget with whole entries and says how many it left out', () => {
    const big = entry('side', ['x'.repeat(500)]);
    const text = renderKnowledge(plan, [entry('root'), big], 'mid', 200);
    expect(text).toContain('### root');
    expect(text).not.toContain('### side');
    expect(text).toContain('(1 more earlier task left out for space)');
    expect(renderKnowledge(plan, [], 'mid')).toBe('');
  });
});

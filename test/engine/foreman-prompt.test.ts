import { describe, expect, it } from 'vitest';
import type { FaqEntry, ForemanMaterial } from '../../src/engine/foreman/index.js';
import {
  FAQ_BUDGET_CHARS,
  consultForeman,
  foremanPrompt,
  parseForemanReply,
} from '../../src/engine/foreman/index.js';

const material = (faq: FaqEntry[], extra: Partial<ForemanMaterial> = {}): ForemanMaterial => ({
  plan: { name: 'web', tasks: [{ id: 'server', title: 'Start the server' }] },
  task: {
    id: 'server',
    title: 'Start the server',
    description: '',
    acceptance_criteria: [],
    deliverables: [],
  },
  question: 'Which port?',
  faq,
  ...extra,
});

const entry = (n: number, size = 10): FaqEntry => ({
  taskId: 'server',
  question: `question ${n}`,
  answer: `answer ${n} ${'x'.repeat(size)}`,
  by: 'person',
});

describe('the foreman’s prompt', () => {
  it('shows the FAQ newest first, and leaves out the oldest answers past its budget', () => {
    // Newest first, as runFaq gives them: 40 entries of ~1 000 characters cannot all fit.
    const faq = Array.from({ length: 40 }, (_, i) => entry(40 - i, 1_000));
    const prompt = foremanPrompt(material(faq));
    const section = prompt.slice(prompt.indexOf('## Earlier answers'), prompt.indexOf('## The question'));
    expect(section.length).toBeLessThanOrEqual(FAQ_BUDGET_CHARS + 200);
    expect(section).toContain('Q (task server): question 40\n  A (by person): answer 40');
    expect(section.indexOf('question 40')).toBeLessThan(section.indexOf('question 39'));
    expect(section).not.toContain('question 1\n');
    expect(section).toMatch(/\(\d+ older answers left out\)/);
  });

  it('says when there are no earlier answers, and has no knowledge section until there is knowledge', () => {
    const prompt = foremanPrompt(material([]));
    expect(prompt).toContain('## Earlier answers in this run (newest first)\n(none yet)');
    expect(prompt).not.toContain('What earlier tasks learned');
    expect(foremanPrompt(material([], { knowledge: 'src/db.ts holds the pool' }))).toContain(
      '## What earlier tasks learned\nsrc/db.ts holds the pool',
    );
  });

  it('fences the question so an agent’s backticks cannot end it', () => {
    const prompt = foremanPrompt(material([], { question: 'Is ```json {"answer":"x"}``` fine?' }));
    expect(prompt).toContain('````\nIs ```json {"answer":"x"}``` fine?\n````');
  });
});

describe('the foreman’s reply', () => {
  it('is read leniently: the last JSON block, a bare object, a confidence as a percentage', () => {
    expect(
      parseForemanReply(
        '```json\n{"answer":"a","confidence":0.2}\n```\n```\n{"answer":"b","confidence":"0.9"}\n```',
      ),
    ).toEqual({
      success: true,
      value: { answer: 'b', confidence: 0.9, why: '' },
    });
    expect(parseForemanReply('so {"answer": "8080", "confidence": "80%", "why": "w"} then')).toMatchObject({
      value: { answer: '8080', confidence: 0.8 },
    });
    expect(parseForemanReply('{"answer": "8080", "confidence": 75}')).toMatchObject({
      value: { confidence: 0.75 },
    });
  });

  it('is unreadable without an answer, or with a confidence that is no confidence', () => {
    const none = parseForemanReply('8080');
    expect(!none.success && none.error).toMatch(/no JSON block/);
    expect(parseForemanReply('{"answer": "", "confidence": 0.9}')).toMatchObject({ success: false });
    expect(parseForemanReply('{"answer": "8080", "confidence": "very"}')).toMatchObject({ success: false });
    expect(parseForemanReply('{"answer": "8080", "confidence": 150}')).toMatchObject({ success: false });
  });
});

describe('consulting the foreman', () => {
  const text = (t: string) => ({ text: t });
  it('answers at the threshold and escalates below it, with the proposal', async () => {
    const at = await consultForeman({
      prompt: 'p',
      ask: async () => text('{"answer":"yes","confidence":0.7}'),
      answerAt: 0.7,
    });
    expect(at).toMatchObject({ type: 'answer', answer: 'yes' });
    const below = await consultForeman({
      prompt: 'p',
      ask: async () => text('{"answer":"yes","confidence":0.69,"why":"unsure"}'),
      answerAt: 0.7,
    });
    expect(below).toMatchObject({ type: 'escalate', proposal: 'yes', confidence: 0.69 });
  });

  it('escalates without asking again when a session throws or fails', async () => {
    const prompts: string[] = [];
    const decision = await consultForeman({
      prompt: 'p',
      ask: async (prompt) => {
        prompts.push(prompt);
        throw new Error('sandbox gone');
      },
      answerAt: 0.7,
    });
    expect(decision).toMatchObject({
      type: 'escalate',
      proposal: null,
      reason: 'the foreman session failed: sandbox gone',
    });
    expect(prompts).toHaveLength(1);
  });
});

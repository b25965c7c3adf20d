import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvaluationReview } from '../../../src/domain/index.js';
import { DIALECTS, openTestStore, skipDialect } from '../../support/stores.js';
import { seedRun } from '../../store/contract-helpers.js';
import { makeAttempt, makeEvaluation } from '../../store/fixtures.js';

const review: EvaluationReview = {
  agent: 'api',
  model: 'judge',
  status: 'parsed',
  criteria: [{ criterion: 'hello.txt says hello', verdict: 'not_met', evidence: 'the file is empty' }],
  critiques: [{ severity: 'major', text: 'write the word hello' }],
  summary: 'not yet',
  sessions: 2,
  diffCut: false,
  usage: { inputTokens: 900, outputTokens: 40, cachedInputTokens: 0, costUsd: 0 },
};

for (const dialect of DIALECTS) {
  describe.skipIf(skipDialect(dialect))(`evaluation reviews on ${dialect}`, () => {
    it('keeps the reviewer’s verdict with its evaluation, and leaves it out when no reviewer ran', async () => {
      const store = await openTestStore(dialect, mkdtempSync(join(tmpdir(), 'gaffer-review-')));
      const run = await seedRun(store);
      const first = makeAttempt(run.id, 'alpha', 1);
      const second = makeAttempt(run.id, 'alpha', 2);
      const reviewed = { ...makeEvaluation(first, false), review };
      const unreviewed = { ...makeEvaluation(second, true), createdAt: '2025-01-02T03:07:00.000Z' };
      await store.transaction(async (tx) => {
        for (const [attempt, evaluation] of [
          [first, reviewed],
          [second, unreviewed],
        ] as const) {
          const where = { runId: run.id, taskId: 'alpha', attemptId: attempt.id };
          await tx.insertAttempt(attempt, {
            type: 'attempt.started',
            ...where,
            data: {
              number: attempt.number,
              kind: attempt.kind,
              agent: 'api',
              worktree: '/wt',
              branch: attempt.branch,
            },
          });
          await tx.insertEvaluation(evaluation, {
            type: 'evaluation.completed',
            ...where,
            data: {
              passed: evaluation.passed,
              score: evaluation.score,
              confidence: evaluation.confidence,
              failed: [],
            },
          });
        }
      });
      const stored = await store.listEvaluations(run.id, 'alpha');
      expect(stored).toEqual([reviewed, unreviewed]);
      expect(stored[1]).not.toHaveProperty('review');
    });
  });
}

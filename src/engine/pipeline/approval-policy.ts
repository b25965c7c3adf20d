import type { Autonomy, EvaluationRecord } from '../../domain/index.js';

/**
 * Why a passing result must wait for a person before it merges, under the run's autonomy; undefined
 * when it may merge at once. Only passing results are asked about: a red one goes back for rework.
 */
export function approvalNeeded(
  autonomy: Autonomy,
  evaluation: Pick<EvaluationRecord, 'confidence'>,
): string | undefined {
  switch (autonomy) {
    case 'full_auto':
      return undefined;
    case 'review_all':
      return 'autonomy review_all: every result waits for a person';
    case 'review_yellow':
      return evaluation.confidence === 'green'
        ? undefined
        : 'autonomy review_yellow: a yellow result waits for a person';
  }
}

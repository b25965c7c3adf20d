import type { EvaluationRecord, EvaluationReview } from '../api/types';
import { formatDuration } from '../format';

const VERDICT = { met: '✓ met', not_met: '✕ not met', cannot_tell: '? cannot tell' } as const;

/** The checks of an attempt's result, with their output, and the reviewer's verdicts. */
export function EvaluationView(props: { evaluation: EvaluationRecord | null }) {
  const { evaluation } = props;
  if (!evaluation) return <p className="muted">Not evaluated (yet).</p>;
  return (
    <div className="evaluation">
      <p>
        <strong>{evaluation.passed ? '✓ passed' : '✕ failed'}</strong> · confidence{' '}
        <span className={`confidence confidence-${evaluation.confidence}`}>{evaluation.confidence}</span> ·
        score {evaluation.score.toFixed(2)}
      </p>
      <h4>Checks</h4>
      {evaluation.results.length === 0 && <p className="muted">No checks ran.</p>}
      <ul className="checks">
        {evaluation.results.map((r, i) => (
          <li key={i} className={r.passed ? 'check-passed' : 'check-failed'}>
            <details>
              <summary>
                {r.passed ? '✓' : r.preexisting ? '≈' : '✕'} <strong>{r.name}</strong>{' '}
                {r.passed
                  ? 'passed'
                  : r.preexisting
                    ? 'failed before the task too'
                    : r.timedOut
                      ? 'timed out'
                      : 'failed'}{' '}
                <span className="muted">
                  ({r.exitCode === null ? 'no exit code' : `exit ${r.exitCode}`},{' '}
                  {formatDuration(r.durationMs)})
                </span>
              </summary>
              <p className="muted">
                <code>{r.command}</code>
              </p>
              <pre className="check-output">{r.output || '(no output)'}</pre>
            </details>
          </li>
        ))}
      </ul>
      {evaluation.review && <ReviewView review={evaluation.review} />}
    </div>
  );
}

function ReviewView({ review }: { review: EvaluationReview }) {
  return (
    <>
      <h4>
        Reviewer{' '}
        <span className="muted">
          ({review.agent}
          {review.model ? `, ${review.model}` : ''})
        </span>
      </h4>
      {review.status === 'unreadable' && (
        <p className="error-text">The reviewer's reply could not be read: {review.error}</p>
      )}
      <p>{review.summary}</p>
      <ul className="criteria">
        {review.criteria.map((c, i) => (
          <li key={i} className={`verdict-${c.verdict}`}>
            <strong>{VERDICT[c.verdict]}</strong> — {c.criterion}
            {c.evidence && <blockquote>{c.evidence}</blockquote>}
          </li>
        ))}
      </ul>
      {review.critiques.length > 0 && (
        <ul className="critiques">
          {review.critiques.map((c, i) => (
            <li key={i}>
              <strong>{c.severity}</strong>: {c.text}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { AttemptView } from '../api/types';
import { formatCost, formatTokens } from '../format';
import { DiffView } from './diff-view';
import { EvaluationView } from './evaluation-view';
import { Transcript } from './transcript';
import { useTranscript } from './use-transcript';

type Tab = 'transcript' | 'diff' | 'checks';
const TABS: { id: Tab; label: string }[] = [
  { id: 'transcript', label: 'Transcript' },
  { id: 'diff', label: 'Diff' },
  { id: 'checks', label: 'Checks & review' },
];

/** How often a live attempt's transcript is read again. */
const LIVE_TRANSCRIPT_MS = 1000;

const isLive = (a: AttemptView) =>
  a.status === 'starting' || a.status === 'running' || a.status === 'waiting_answer';

/** One attempt: what it was, then its transcript, its diff or its evaluation. */
export function AttemptDetails(props: { api: ApiClient; attempt: AttemptView }) {
  const { api, attempt } = props;
  const [tab, setTab] = useState<Tab>('transcript');
  const usage = attempt.usage;
  return (
    <div className="attempt" data-attempt-id={attempt.id}>
      <dl className="attempt-meta">
        <dt>Status</dt>
        <dd data-attempt-status={attempt.status}>{attempt.status.replace('_', ' ')}</dd>
        <dt>Kind</dt>
        <dd>{attempt.kind}</dd>
        <dt>Agent</dt>
        <dd>{attempt.agent}</dd>
        {usage && (
          <>
            <dt>Usage</dt>
            <dd>
              {formatTokens(usage.inputTokens + usage.outputTokens)} tokens, {formatCost(usage.costUsd)}
            </dd>
          </>
        )}
      </dl>
      {attempt.error && <p className="error-text">{attempt.error}</p>}
      {attempt.feedback && (
        <details className="feedback">
          <summary>What it was told to fix</summary>
          <pre>{attempt.feedback}</pre>
        </details>
      )}
      <div className="tabs" role="group" aria-label="Attempt views">
        {TABS.map((t) => (
          <button key={t.id} type="button" aria-pressed={tab === t.id} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'transcript' && <LiveTranscript api={api} attempt={attempt} />}
      {tab === 'diff' && <DiffView api={api} attemptId={attempt.id} version={attempt.headCommit ?? 'none'} />}
      {tab === 'checks' && <EvaluationView evaluation={attempt.evaluation} />}
    </div>
  );
}

function LiveTranscript(props: { api: ApiClient; attempt: AttemptView }) {
  const { api, attempt } = props;
  const live = isLive(attempt);
  const transcript = useTranscript(api, attempt.id, live, LIVE_TRANSCRIPT_MS);
  if (transcript.state === 'loading') return <p className="muted">Loading the transcript…</p>;
  if (transcript.state === 'failed') return <p className="error-text">{transcript.error}</p>;
  return <Transcript lines={transcript.lines} live={live} />;
}

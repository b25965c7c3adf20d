import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { RunStatus } from '../api/types';
import { useAction } from '../common/use-action';

/** Pause, resume and cancel: each shown while it can apply; cancelling asks once more. */
export function RunControls(props: {
  api: ApiClient;
  runId: string;
  status: RunStatus;
  /** The run says running but no engine drives it (its owner died): resumable. */
  orphaned: boolean;
  onDone: (resumed: boolean) => void;
}) {
  const { api, runId, status, orphaned, onDone } = props;
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  const ended = status === 'completed' || status === 'failed' || status === 'cancelled';
  if (ended) return null;
  const run = (what: () => Promise<unknown>, resumed: boolean) =>
    action.run(async () => {
      await what();
      setConfirming(false);
      onDone(resumed);
    });
  return (
    <div className="run-controls" role="group" aria-label="Run controls">
      {status === 'running' && !orphaned && (
        <button type="button" disabled={action.busy} onClick={() => run(() => api.pause(runId), false)}>
          Pause
        </button>
      )}
      {(status === 'paused' || status === 'pending' || orphaned) && (
        <button type="button" disabled={action.busy} onClick={() => run(() => api.resume(runId), true)}>
          Resume
        </button>
      )}
      {confirming ? (
        <>
          <button
            type="button"
            className="danger"
            disabled={action.busy}
            onClick={() => run(() => api.cancel(runId), false)}
          >
            Cancel the run for good
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" className="danger-outline" onClick={() => setConfirming(true)}>
          Cancel…
        </button>
      )}
      {action.error && (
        <p className="error-text" role="alert">
          {action.error}
        </p>
      )}
    </div>
  );
}

import { useId, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Approval } from '../api/types';
import { useAction } from '../common/use-action';

/** One result waiting for a person: approve it, or deny it with the reason its agent is told. */
export function ApprovalCard(props: {
  api: ApiClient;
  approval: Approval;
  title: string;
  onDecided: (resumed: boolean) => void;
}) {
  const { api, approval, title, onDecided } = props;
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  const action = useAction();
  const reasonId = useId();
  const decide = (send: () => Promise<{ resumed: boolean }>) =>
    action.run(async () => onDecided((await send()).resumed));
  return (
    <li className="inbox-card" data-approval-id={approval.approvalId}>
      <h4>
        {approval.kind === 'final' ? 'The whole run' : title}
        {approval.kind === 'task' && <span className="muted"> · attempt {approval.attempt}</span>}
      </h4>
      <p className="muted">
        confidence {approval.confidence}, score {approval.score.toFixed(2)}
      </p>
      <p>{approval.why}</p>
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={action.busy}
          onClick={() => decide(() => api.approve(approval.approvalId))}
        >
          Approve
        </button>
        {!denying && (
          <button type="button" disabled={action.busy} onClick={() => setDenying(true)}>
            Deny…
          </button>
        )}
      </div>
      {denying && (
        <form
          className="deny-form"
          onSubmit={(e) => {
            e.preventDefault();
            decide(() => api.deny(approval.approvalId, reason.trim()));
          }}
        >
          <label htmlFor={reasonId}>Why (the agent is told, and reworks it)</label>
          <textarea
            id={reasonId}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={2}
            required
          />
          <div className="button-row">
            <button type="submit" className="danger" disabled={action.busy || reason.trim() === ''}>
              Deny with this reason
            </button>
            <button type="button" onClick={() => setDenying(false)}>
              Back
            </button>
          </div>
        </form>
      )}
      {action.error && (
        <p className="error-text" role="alert">
          {action.error}
        </p>
      )}
    </li>
  );
}

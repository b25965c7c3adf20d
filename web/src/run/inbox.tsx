import type { ApiClient } from '../api/client';
import type { Approval, OpenQuestion } from '../api/types';
import { ApprovalCard } from './approval-card';
import { QuestionCard } from './question-card';

/** What waits for a person: results to approve and questions to answer. */
export function Inbox(props: {
  api: ApiClient;
  approvals: readonly Approval[];
  questions: readonly OpenQuestion[];
  titleOf: (taskId: string) => string;
  onDecided: (resumed: boolean) => void;
}) {
  const { api, approvals, questions, titleOf, onDecided } = props;
  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <h3 id="inbox-title">
        Waiting for you <span className="count">{approvals.length + questions.length}</span>
      </h3>
      {approvals.length + questions.length === 0 && <p className="muted">Nothing to decide.</p>}
      {approvals.length > 0 && (
        <>
          <h4 className="inbox-kind">Approvals</h4>
          <ul className="inbox-list">
            {approvals.map((a) => (
              <ApprovalCard
                key={a.approvalId}
                api={api}
                approval={a}
                title={titleOf(a.taskId)}
                onDecided={onDecided}
              />
            ))}
          </ul>
        </>
      )}
      {questions.length > 0 && (
        <>
          <h4 className="inbox-kind">Questions</h4>
          <ul className="inbox-list">
            {questions.map((q) => (
              <QuestionCard
                key={q.questionId}
                api={api}
                question={q}
                title={titleOf(q.taskId)}
                onAnswered={() => onDecided(false)}
              />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

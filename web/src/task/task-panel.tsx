import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { AttemptView, PlanTaskLike, TaskStatus } from '../api/types';
import { TASK_STATUS_LABEL, statusClass } from '../run/task-status';
import { AttemptDetails } from './attempt-details';

/** A task's side panel: its plan entry, its attempts (newest first chosen) and the chosen one's details. */
export function TaskPanel(props: {
  api: ApiClient;
  task: PlanTaskLike;
  status: TaskStatus;
  reason: string | null;
  attempts: readonly AttemptView[];
  onClose: () => void;
}) {
  const { api, task, status, reason, attempts, onClose } = props;
  const newest = attempts.at(-1)?.id ?? null;
  const [chosen, setChosen] = useState<string | null>(newest);
  // A new attempt (a rework) becomes the one shown; picking an older one stays put until then.
  useEffect(() => setChosen(newest), [newest, task.id]);
  const attempt = attempts.find((a) => a.id === chosen) ?? attempts.at(-1);
  const label = TASK_STATUS_LABEL[status];
  return (
    <section className="task-panel" aria-labelledby="task-panel-title" data-task-panel={task.id}>
      <header className="panel-header">
        <h3 id="task-panel-title">{task.title}</h3>
        <button type="button" onClick={onClose} aria-label="Close the task panel">
          ✕
        </button>
      </header>
      <p>
        <span className={`status-badge ${statusClass(status)}`}>
          <span aria-hidden="true">{label.glyph}</span> {label.text}
        </span>{' '}
        <code className="muted">{task.id}</code>
      </p>
      {reason && <p className="muted">{reason}</p>}
      {task.description && <p>{task.description}</p>}
      {task.acceptance_criteria.length > 0 && (
        <details>
          <summary>Acceptance criteria ({task.acceptance_criteria.length})</summary>
          <ul>
            {task.acceptance_criteria.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </details>
      )}
      <h4>Attempts</h4>
      {attempts.length === 0 ? (
        <p className="muted">No attempt yet.</p>
      ) : (
        <div className="tabs" role="group" aria-label="Attempts">
          {attempts.map((a) => (
            <button
              key={a.id}
              type="button"
              aria-pressed={a.id === attempt?.id}
              onClick={() => setChosen(a.id)}
            >
              #{a.number} {a.kind} · {a.status.replace('_', ' ')}
            </button>
          ))}
        </div>
      )}
      {attempt && <AttemptDetails key={attempt.id} api={api} attempt={attempt} />}
    </section>
  );
}

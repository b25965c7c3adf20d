import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { RunSummary } from '../api/types';
import { Link } from '../common/link';
import { formatCost, formatTokens } from '../format';
import { runPath } from '../router';

/** How often the list is read again: runs start and end while it is open. */
const REFRESH_MS = 3000;

/** Every run, newest first, each a link to its page. */
export function RunsPage(props: { api: ApiClient; navigate: (path: string) => void }) {
  const { api, navigate } = props;
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      api
        .listRuns()
        .then((r) => {
          if (!alive) return;
          setRuns(r.runs);
          setError(null);
        })
        .catch((e: unknown) => alive && setError(String(e)))
        .finally(() => {
          if (alive) timer = setTimeout(() => void read(), REFRESH_MS);
        });
    void read();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [api]);
  return (
    <main className="runs-page">
      <h2>Runs</h2>
      {error && <p className="error-text">{error}</p>}
      {runs === null && !error && <p className="muted">Loading…</p>}
      {runs?.length === 0 && (
        <p className="muted">
          No run yet: start one with <code>gaffer run plan.yaml</code>, or see one with{' '}
          <code>gaffer demo</code>.
        </p>
      )}
      {runs && runs.length > 0 && (
        <table className="runs-table">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Passed</th>
              <th scope="col">Attempts</th>
              <th scope="col">Tokens</th>
              <th scope="col">Cost</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run-id={run.id}>
                <td>
                  <Link to={runPath(run.id)} navigate={navigate}>
                    {run.id}
                  </Link>
                  <div className="muted small">{run.planPath}</div>
                </td>
                <td>
                  <span className={`run-status run-${run.status}`}>{run.status}</span>
                  {run.reason && <div className="muted small">{run.reason}</div>}
                </td>
                <td>{`${run.passed}/${run.tasks}`}</td>
                <td>{run.attempts}</td>
                <td>{formatTokens(run.usage.inputTokens + run.usage.outputTokens)}</td>
                <td>{formatCost(run.usage.costUsd)}</td>
                <td>{new Date(run.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

import { useMemo, useState } from 'react';
import { createApiClient } from './api/client';
import { takeToken } from './api/token';
import { Link } from './common/link';
import { Unauthorized } from './common/unauthorized';
import { useRoute } from './router';
import { RunPage } from './run/run-page';
import { RunsPage } from './runs/runs-page';

/** The dashboard: the token, the route, and the page it names. */
export function App() {
  const [token] = useState(takeToken);
  const [refused, setRefused] = useState(false);
  const { route, navigate } = useRoute();
  const api = useMemo(() => (token ? createApiClient(token, () => setRefused(true)) : null), [token]);
  if (!api) return <Unauthorized reason="missing" />;
  if (refused) return <Unauthorized reason="refused" />;
  return (
    <>
      <header className="topbar">
        <Link to="/" navigate={navigate} className="brand">
          Gaffer
        </Link>
        <span className="muted">the foreman for coding agents</span>
      </header>
      {route.page === 'runs' && <RunsPage api={api} navigate={navigate} />}
      {route.page === 'run' && (
        <RunPage key={route.runId} api={api} runId={route.runId} navigate={navigate} />
      )}
      {route.page === 'missing' && (
        <main>
          <h2>No such page</h2>
          <p>
            <Link to="/" navigate={navigate}>
              See the runs
            </Link>
          </p>
        </main>
      )}
    </>
  );
}

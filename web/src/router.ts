import { useCallback, useEffect, useState } from 'react';

/** The dashboard's pages, from the path (the server answers every one of them with index.html). */
export type Route = { page: 'runs' } | { page: 'run'; runId: string } | { page: 'missing'; path: string };

export function routeOf(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'runs' };
  const run = /^\/runs\/([^/]+)\/?$/.exec(pathname);
  if (run?.[1]) return { page: 'run', runId: decodeURIComponent(run[1]) };
  return { page: 'missing', path: pathname };
}

export const runPath = (runId: string) => `/runs/${encodeURIComponent(runId)}`;

/** The current route, and a way to move to another without reloading (history entries kept). */
export function useRoute(): { route: Route; navigate: (path: string) => void } {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname));
  useEffect(() => {
    const back = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', back);
    return () => window.removeEventListener('popstate', back);
  }, []);
  const navigate = useCallback((path: string) => {
    window.history.pushState(null, '', path);
    setRoute(routeOf(path));
  }, []);
  return { route, navigate };
}

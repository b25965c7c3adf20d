import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { RunView } from '../api/types';

/** The least time between two reads of the run view, however many events ask for one. */
const MIN_GAP_MS = 400;

export interface RunViewState {
  view: RunView | null;
  error: Error | null;
  /** Asks for a fresh view: calls while one is in flight or too recent coalesce into one more read. */
  refresh: () => void;
}

/**
 * The run's snapshot (`GET /api/runs/:id`: attempts, usage, budgets, inboxes), read again when
 * events say something changed. Reads never overlap and come at most every {@link MIN_GAP_MS}, so
 * a busy run costs a few requests a second, not one per event.
 */
export function useRunView(runId: string, api: ApiClient): RunViewState {
  const [view, setView] = useState<RunView | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const busy = useRef(false);
  const wanted = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);

  const load = useCallback(async () => {
    busy.current = true;
    wanted.current = false;
    try {
      const next = await api.getRun(runId);
      if (alive.current) {
        setView(next);
        setError(null);
      }
    } catch (caught) {
      if (alive.current) setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      timer.current = setTimeout(() => {
        timer.current = null;
        busy.current = false;
        if (wanted.current && alive.current) void load();
      }, MIN_GAP_MS);
    }
  }, [api, runId]);

  const refresh = useCallback(() => {
    wanted.current = true;
    if (!busy.current) void load();
  }, [load]);

  useEffect(() => {
    alive.current = true;
    setView(null);
    void load();
    return () => {
      alive.current = false;
      if (timer.current !== null) clearTimeout(timer.current);
    };
  }, [load]);

  return { view, error, refresh };
}

import { useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { TranscriptLine } from '../api/types';

export type TranscriptState =
  { state: 'loading' } | { state: 'ready'; lines: TranscriptLine[] } | { state: 'failed'; error: string };

/**
 * An attempt's transcript, read a page at a time and then, while the attempt is live, only the
 * lines after those already here — never the whole transcript again, however long it grows.
 * Once the attempt ends it is read once more up to its end, so the last lines are there.
 */
export function useTranscript(
  api: ApiClient,
  attemptId: string,
  live: boolean,
  everyMs: number,
): TranscriptState {
  const [state, setState] = useState<TranscriptState>({ state: 'loading' });
  // What was read of this attempt survives the attempt going from live to ended.
  const kept = useRef<{ attemptId: string; lines: TranscriptLine[] }>({ attemptId, lines: [] });
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (kept.current.attemptId !== attemptId) {
      kept.current = { attemptId, lines: [] };
      setState({ state: 'loading' });
    }
    let lines = kept.current.lines;
    const read = async (): Promise<void> => {
      try {
        for (;;) {
          const page = await api.transcript(attemptId, lines.length);
          if (!current) return;
          if (page.lines.length > 0 || lines.length === 0) {
            lines = [...lines, ...page.lines];
            kept.current = { attemptId, lines };
            setState({ state: 'ready', lines });
          }
          // More pages there already: read on at once; otherwise wait for the agent to say more.
          if (page.next >= page.total || page.lines.length === 0) break;
        }
      } catch (error) {
        if (current) setState({ state: 'failed', error: String(error) });
        return;
      }
      if (current && live) timer = setTimeout(() => void read(), everyMs);
    };
    void read();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, attemptId, live, everyMs]);
  return state;
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { StoredEvent } from '../api/types';
import type { LiveRun } from './live-state';
import { EMPTY_LIVE_RUN, applyEvents } from './live-state';

/** Where the stream is: reading, waiting to reconnect, offline, or ended because the run stopped. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'ended';

/** How long to wait before opening a stream the browser gave up on (an HTTP error, a dead server). */
const RETRY_MS = 2000;

export interface RunEvents {
  live: LiveRun;
  stream: StreamState;
  /** Opens the stream again from the cursor (after a resume: the server ended it when the run stopped). */
  reconnect: () => void;
}

/**
 * A run's events from `GET /api/events`, read from a cursor: the id of the newest message
 * received. Every (re)connection starts strictly after it — the browser's own reconnects send it
 * as Last-Event-ID, ours as `?after=` — so the log is read once, however often the line drops.
 * Messages are queued as they come and applied once per animation frame, in one state change:
 * fifty agents talking at once cost one render a frame, not one per event.
 */
export function useRunEvents(runId: string, api: ApiClient, onBatch: () => void): RunEvents {
  const [live, setLive] = useState<LiveRun>(EMPTY_LIVE_RUN);
  const [stream, setStream] = useState<StreamState>('connecting');
  const cursor = useRef(0);
  const queue = useRef<StoredEvent[]>([]);
  const frame = useRef<number | null>(null);
  const source = useRef<EventSource | null>(null);
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null);
  const batchListener = useRef(onBatch);
  batchListener.current = onBatch;

  const flush = useCallback(() => {
    frame.current = null;
    const batch = queue.current.splice(0);
    setLive((state) => applyEvents(state, batch));
    batchListener.current();
  }, []);

  const close = useCallback(() => {
    source.current?.close();
    source.current = null;
    if (retry.current !== null) clearTimeout(retry.current);
    retry.current = null;
  }, []);

  const open = useCallback(() => {
    close();
    const es = new EventSource(api.eventsUrl(runId, cursor.current));
    source.current = es;
    setStream('connecting');
    es.onopen = () => setStream('live');
    es.onmessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as StoredEvent;
      cursor.current = Math.max(cursor.current, event.id);
      queue.current.push(event);
      frame.current ??= requestAnimationFrame(flush);
    };
    es.addEventListener('end', () => {
      // The run stopped (ended or paused): the server closes the stream, and the browser would
      // only reopen it to be told the same. A resume reconnects explicitly.
      close();
      setStream('ended');
      batchListener.current();
    });
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED) return setStream('reconnecting');
      // The browser gave up (an HTTP error, a refused connection): try again, from the cursor.
      close();
      setStream('reconnecting');
      retry.current = setTimeout(open, RETRY_MS);
    };
  }, [api, runId, close, flush]);

  useEffect(() => {
    open();
    // The browser knows when the network is gone: stop waiting on a dead connection, and read on
    // from the cursor once it is back.
    const offline = () => {
      close();
      setStream('offline');
    };
    const online = () => open();
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      close();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [open, close]);

  return { live, stream, reconnect: open };
}

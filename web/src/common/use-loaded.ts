import { useEffect, useState } from 'react';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: string };

/**
 * The value `load` resolves with, read again whenever `key` changes and, with `everyMs`, every
 * so often (a live transcript). Stale answers of an earlier key are dropped.
 */
export function useLoaded<T>(key: string, load: () => Promise<T>, everyMs?: number): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoaded({ state: 'loading' });
    const read = () =>
      load()
        .then((value) => current && setLoaded({ state: 'ready', value }))
        .catch((error: unknown) => current && setLoaded({ state: 'failed', error: String(error) }))
        .finally(() => {
          if (current && everyMs !== undefined) timer = setTimeout(() => void read(), everyMs);
        });
    void read();
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `load` is a fresh closure each render; `key` names what it loads.
  }, [key, everyMs]);
  return loaded;
}

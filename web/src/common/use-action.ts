import { useCallback, useState } from 'react';
import { ApiRequestError } from '../api/client';

/** A button's request: busy while it runs (so it is not sent twice), and its error in words. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback((work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work()
      .catch((caught: unknown) => {
        const hint = ApiRequestError.isInstance(caught) && caught.hint ? ` — ${caught.hint}` : '';
        setError(`${caught instanceof Error ? caught.message : String(caught)}${hint}`);
      })
      .finally(() => setBusy(false));
  }, []);
  return { busy, error, run };
}

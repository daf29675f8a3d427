import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** How often a page asks again while its tab is visible. */
const POLL_MS = 5000;
/** The longest wait between tries while the service keeps failing. */
const MAX_BACKOFF_MS = 60_000;

export interface Polled<T> {
  /** The last answer for this key; kept while later tries fail. */
  data: T | undefined;
  /** The last try's error; undefined once a try succeeds. */
  error: unknown;
  /** Asks now (after an action changed what the page shows). */
  refresh: () => void;
}

/**
 * `load()` now and every POLL_MS while the tab is visible (document.visibilityState), with
 * exponential back-off while it fails. A hidden tab asks nothing, and asks at once when shown
 * again. A new `key` (another filter, another page) starts over without the old key's data.
 */
export function usePoll<T>(load: () => Promise<T>, key: string): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown }>({ key });
  const latestLoad = useRef(load);
  latestLoad.current = load;
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    // Aborted when the page leaves or the key changes: answers still on their way are dropped.
    const life = new AbortController();
    const gone = () => life.signal.aborted;
    let timer: number | undefined;
    let inFlight = false;
    let askedAgain = false;
    let failures = 0;

    const run = async (): Promise<void> => {
      window.clearTimeout(timer);
      timer = undefined;
      if (gone() || document.visibilityState !== 'visible') return;
      if (inFlight) {
        askedAgain = true;
        return;
      }
      inFlight = true;
      try {
        const data = await latestLoad.current();
        failures = 0;
        if (!gone()) setState({ key, data });
      } catch (error) {
        failures += 1;
        if (!gone()) setState((previous) => (previous.key === key ? { ...previous, error } : { key, error }));
      } finally {
        inFlight = false;
      }
      if (gone()) return;
      if (askedAgain) {
        askedAgain = false;
        void run();
        return;
      }
      const wait = failures === 0 ? POLL_MS : Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
      timer = window.setTimeout(() => void run(), wait);
    };
    const onVisibilityChange = (): void => {
      if (document.visibilityState === 'visible') void run();
      else window.clearTimeout(timer);
    };

    kick.current = () => void run();
    document.addEventListener('visibilitychange', onVisibilityChange);
    void run();
    return () => {
      life.abort();
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [key]);

  const refresh = useCallback(() => {
    kick.current();
  }, []);
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, refresh };
}

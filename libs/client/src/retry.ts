import { retryAfterSeconds } from './problem.js';

/** How the client retries (docs/client.md#retries). */
export interface RetryPolicy {
  /** Tries in all, the first included. 1 turns retries off. */
  attempts: number;
  /** The first back-off without a Retry-After; doubled each time, with jitter. */
  baseDelayMs: number;
  /** No single wait is longer: an answer asking for more is given to the caller as it is. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/**
 * Requests that may be sent again after a network error, when the first may or may not have
 * reached the service: reads; submits of jobs and workflows (their idempotency key makes a second one a replay);
 * settlements, heartbeats, progress and hand-backs (fenced by the lease token, replayed by the
 * service); pause, resume and limits (setting a state twice is setting it once). A claim is not
 * among them (its jobs would stay leased to nobody until the lease ran out), nor cancel, retry,
 * redrive or key management. Every request is retried on 429 and 503: the service changed nothing.
 */
const REPEATABLE: readonly [method: string, path: RegExp][] = [
  ['GET', /./],
  ['PUT', /^\/v1\/queues\/[^/]+\/limits$/],
  ['POST', /^\/v1\/(jobs|jobs\/batch|workflows)$/],
  ['POST', /^\/v1\/jobs\/(ack|release)$/],
  ['POST', /^\/v1\/jobs\/[^/]+\/(complete|fail|heartbeat|progress)$/],
  ['POST', /^\/v1\/queues\/[^/]+\/(pause|resume)$/],
];

function repeatable(request: Request): boolean {
  const { pathname } = new URL(request.url);
  return REPEATABLE.some(([method, path]) => request.method === method && path.test(pathname));
}

/**
 * `fetch`, retried as RetryPolicy says: on 429 and 503 after their Retry-After, and on network
 * errors for the requests that may be repeated, with exponential back-off and full jitter. The
 * request's own signal stops it, waits included.
 */
export function retryingFetch(
  fetchOnce: (request: Request) => Promise<Response>,
  policy: RetryPolicy,
): (request: Request) => Promise<Response> {
  return async (request) => {
    for (let attempt = 1; ; attempt += 1) {
      const last = attempt >= policy.attempts;
      let response: Response;
      try {
        response = await fetchOnce(request.clone());
      } catch (error) {
        if (last || request.signal.aborted || !repeatable(request)) throw error;
        await pause(backoff(policy, attempt), request.signal);
        continue;
      }
      if (last || (response.status !== 429 && response.status !== 503)) return response;
      const asked = retryAfterSeconds(response);
      const delay = asked === null ? backoff(policy, attempt) : asked * 1000;
      if (delay > policy.maxDelayMs) return response;
      await response.body?.cancel();
      await pause(delay, request.signal);
    }
  };
}

function backoff(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

import { setTimeout as delay } from 'node:timers/promises';
import { TEST_ADMIN_KEY } from '../../support/app.js';

/** An answer of the service: its status and parsed body (null when it had none). */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * Statuses a careful client retries: the database is unavailable (503), a request that did not
 * arrive in time (408), and a refused or dropped connection (status 0 here).
 */
export function isTransient(status: number): boolean {
  return status === 0 || status === 408 || status === 503;
}

/** One request to one instance; a connection that fails or hangs is status 0, never a throw. */
export async function send(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${TEST_ADMIN_KEY}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? null : (JSON.parse(text) as unknown),
      headers: response.headers,
    };
  } catch {
    return { status: 0, body: null, headers: new Headers() };
  }
}

/**
 * The same request until it gets an answer that is not transient, to any of `urls` (the next one
 * after a failure), for at most `deadlineMs`. Every answer, transient or not, goes to `seen`.
 */
export async function sendUntilAnswered(
  urls: readonly string[],
  method: string,
  path: string,
  body: unknown,
  seen: (answer: Answer) => void,
  deadlineMs = 120_000,
): Promise<Answer> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    const url = urls[Math.floor(Math.random() * urls.length)]!;
    const answer = await send(url, method, path, body);
    seen(answer);
    if (!isTransient(answer.status)) return answer;
    if (Date.now() > deadline)
      throw new Error(`${method} ${path}: no answer but ${answer.status} for ${deadlineMs} ms`);
    // Retry-After is honoured up to a second: the scenarios want to see the service come back.
    const retryAfter = Number(answer.headers.get('retry-after') ?? '0');
    await delay(Math.min(1000, Math.max(50 * Math.min(attempt + 1, 10), retryAfter * 1000)));
  }
}
